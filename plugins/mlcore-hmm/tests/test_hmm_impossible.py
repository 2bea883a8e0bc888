"""Sequences of probability zero score -inf, as hmmlearn (issue 22, section 2).

A symbol no reachable state can emit used to make a normaliser 0, the scaled forward
messages 0/0 = NaN, and ``score`` NaN (a batch score including it NaN too).
"""

import warnings

import numpy as np
import pytest

import mlcore

hmm_ref = pytest.importorskip("hmmlearn.hmm")

PI = np.array([1.0, 0.0])
A = np.array([[0.9, 0.1], [0.0, 1.0]])          # state 1 is absorbing
B = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])  # symbol 2 only from state 1, symbol 0 only from 0

IMPOSSIBLE = {
    "first symbol": [2, 1],                          # state 0 at t=0 cannot emit 2
    "after absorption": [0, 1, 2, 0],                # 0 after state 1 was reached
    "long, multi-chunk": [0, 1] * 100 + [2, 0] + [1] * 50,
}


def _model():
    return mlcore.build("multinomial_hmm", n_states=2, startprob=PI, transmat=A, emissionprob=B,
                        max_iter=0).fit(np.array([0, 1, 2]))


def _hmmlearn_score(X, lengths=None):
    h = hmm_ref.CategoricalHMM(2, init_params="")
    h.n_features = 3
    h.startprob_, h.transmat_, h.emissionprob_ = PI, A, B
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return h.score(np.asarray(X)[:, None], lengths)


@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_impossible_sequence_scores_minus_inf_like_hmmlearn(case):
    X = np.array(IMPOSSIBLE[case])
    assert _hmmlearn_score(X) == -np.inf
    assert _model().score(X) == -np.inf


def test_batch_with_one_impossible_sequence_scores_minus_inf():
    seqs = [[0, 1, 1, 2], IMPOSSIBLE["first symbol"], [0, 0, 1]]
    X, lengths = np.concatenate(seqs), [len(s) for s in seqs]
    assert _hmmlearn_score(X, lengths) == -np.inf
    assert _model().score(X, lengths) == -np.inf
    # the possible sequences still score what hmmlearn gives
    ok = np.concatenate([seqs[0], seqs[2]])
    assert _model().score(ok, [4, 3]) == pytest.approx(_hmmlearn_score(ok, [4, 3]), rel=1e-12)


def test_posteriors_and_fit_of_an_impossible_sequence_raise():
    with pytest.raises(ValueError, match=r"sequence\(s\) \[1\].*probability zero"):
        _model().score_samples(np.array([0, 1, 2, 1]), [2, 2])
    with pytest.raises(ValueError, match="probability zero under the initial parameters"):
        mlcore.build("multinomial_hmm", n_states=2, startprob=PI, transmat=A, emissionprob=B).fit(
            np.array(IMPOSSIBLE["after absorption"]))
