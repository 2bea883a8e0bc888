"""gmm far from the origin (issue 22, section 1: cancellation in expansions).

``(x - mu) P`` was computed as ``x P - mu P`` and the k-means initialisation used
``|x|^2 - 2 x.c + |c|^2``: at an offset of 1e10 every digit cancelled (the means came out
off by the offset itself). The fit must be translation equivariant up to the rounding of
the shifted input.
"""

import numpy as np
import pytest

import mlcore


def _data():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(0, 1, (150, 2)), rng.normal(4, 0.5, (150, 2))])


@pytest.mark.parametrize("offset", [1e6, 1e8, 1e10])
@pytest.mark.parametrize("init", ["kmeans", "kmeans++", "random"])
def test_fit_and_score_are_translation_equivariant(init, offset):
    X = _data()
    spec = f"gmm(n_components=2, init='{init}', random_state=0)"
    base = mlcore.build(spec).fit(X)
    moved = mlcore.build(spec).fit(X + offset)
    ulp = np.spacing(offset)
    np.testing.assert_allclose(moved.means_ - offset, base.means_, rtol=0, atol=64 * ulp)
    np.testing.assert_allclose(moved.covariances_, base.covariances_, rtol=1e-5, atol=64 * ulp)
    np.testing.assert_allclose(moved.weights_, base.weights_, rtol=1e-6)
    assert moved.score(X + offset) == pytest.approx(base.score(X), abs=1e-6)
    np.testing.assert_array_equal(moved.predict(X + offset), base.predict(X))
