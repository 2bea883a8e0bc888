"""ridge against scikit-learn Ridge (rtol 1e-6): intercept unpenalised, multi-output, weights."""

import numpy as np
import pytest

import mlcore

sk = pytest.importorskip("sklearn.linear_model")

RTOL = 1e-6


def data(n=150, m=6, k=None, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m)) * 2 + 5.0          # large offset: the intercept matters
    B = rng.normal(size=(m,) if k is None else (m, k))
    y = X @ B - 4.0 + rng.normal(size=(n,) if k is None else (n, k))
    return X, y, rng.uniform(0.2, 2.0, n)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 10.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("k", [None, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_sklearn(alpha, fit_intercept, k, weighted):
    X, y, w = data(k=k)
    sw = w if weighted else None
    ours = mlcore.build("ridge", alpha=alpha, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(X, y, sample_weight=sw)
    assert ours.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=RTOL)


def test_intercept_not_penalised():
    """A constant shift of y moves only the intercept (numpy-ml defect 9 penalised it)."""
    X, y, _ = data()
    a = mlcore.build("ridge(alpha=50.0)").fit(X, y)
    b = mlcore.build("ridge(alpha=50.0)").fit(X, y + 100.0)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-9)
    assert b.intercept_ - a.intercept_ == pytest.approx(100.0, rel=1e-9)


def test_fewer_samples_than_features_dual_form():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(8, 20)), rng.normal(size=8)
    ours = mlcore.build("ridge(alpha=0.7)").fit(X, y)
    ref = sk.Ridge(alpha=0.7, solver="svd").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=RTOL)


def test_alpha_per_target():
    X, y, _ = data(k=2)
    ours = mlcore.build("ridge(alpha=[0.5, 20.0])").fit(X, y)
    ref = sk.Ridge(alpha=np.array([0.5, 20.0]), solver="svd").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL)
    with pytest.raises(ValueError, match="targets"):
        mlcore.build("ridge(alpha=[0.5, 1.0, 2.0])").fit(X, y)


def test_large_offset_is_centred_accurately():
    """Block-wise centring stays exact where X^T X - n m m^T would cancel."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(10_000, 4)) + 1e6
    y = (X - 1e6) @ [1.0, 2.0, -1.0, 0.5] + rng.normal(size=10_000)
    ours = mlcore.build("ridge(alpha=1.0)").fit(X, y)
    ref = sk.Ridge(alpha=1.0, solver="svd").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
