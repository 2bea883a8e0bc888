"""DiscreteSampler frequencies: chi-square goodness of fit (scipy.stats.chisquare, p > 1e-3)."""

import numpy as np
import pytest
from mlcore_utils import DiscreteSampler
from scipy import stats

P = np.array([0.05, 0.3, 0.0, 0.15, 0.4, 0.1])


@pytest.mark.parametrize("log", [False, True])
def test_alias_frequencies_chi_square(log):
    with np.errstate(divide="ignore"):
        probs = np.log(P) if log else P
    s = DiscreteSampler(probs, log=log, random_state=0)
    draws = s(200_000)
    counts = np.bincount(draws, minlength=len(P))
    assert counts[2] == 0
    nz = P > 0
    res = stats.chisquare(counts[nz], 200_000 * P[nz])
    assert res.pvalue > 1e-3


def test_tables_reproduce_probabilities():
    """Exact check of Vose's tables: sum of column masses == probs (1e-12)."""
    s = DiscreteSampler(P)
    K = len(P)
    mass = s.prob_table_ / K
    np.add.at(mass, s.alias_table_, (1 - s.prob_table_) / K)
    np.testing.assert_allclose(mass, P, atol=1e-12)


def test_without_replacement_pairs_chi_square():
    """P(first=i, second=j) = p_i p_j / (1 - p_i) (successive sampling), chi-square p > 1e-3."""
    p = np.array([0.1, 0.2, 0.3, 0.4])
    s = DiscreteSampler(p, with_replacement=False, random_state=1)
    n = 20_000
    pairs = np.array([s(2) for _ in range(n)])
    assert np.all(pairs[:, 0] != pairs[:, 1])
    obs = np.zeros((4, 4))
    np.add.at(obs, (pairs[:, 0], pairs[:, 1]), 1)
    exp = np.outer(p, p) / (1 - p)[:, None]
    np.fill_diagonal(exp, 0)
    mask = ~np.eye(4, dtype=bool)
    assert stats.chisquare(obs[mask], n * exp[mask]).pvalue > 1e-3


def test_without_replacement_limits_and_determinism():
    s = DiscreteSampler(P, with_replacement=False, random_state=0)
    assert sorted(s(5).tolist()) == [0, 1, 3, 4, 5]
    with pytest.raises(ValueError, match="distinct"):
        s(6)
    a = DiscreteSampler(P, random_state=7)(50)
    b = DiscreteSampler(P, random_state=7)(50)
    np.testing.assert_array_equal(a, b)


def test_bad_probabilities():
    with pytest.raises(ValueError):
        DiscreteSampler([0.5, 0.6])
    with pytest.raises(ValueError):
        DiscreteSampler([-0.1, 1.1])
