"""linear_regression against scikit-learn LinearRegression (rtol 1e-6)."""

import numpy as np
import pytest

import mlcore

sk = pytest.importorskip("sklearn.linear_model")

RTOL = 1e-6


def data(n=120, m=5, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m)) * rng.uniform(0.5, 3, m) + rng.normal(size=m)
    B = rng.normal(size=(m,) if k is None else (m, k))
    y = X @ B + 1.5 + rng.normal(size=(n,) if k is None else (n, k))
    return X, y, rng.uniform(0.1, 3.0, n)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("k", [None, 3])
def test_matches_sklearn(fit_intercept, weighted, k):
    X, y, w = data(k=k)
    sw = w if weighted else None
    ours = mlcore.build("linear_regression", fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    assert ours.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=RTOL, atol=1e-10)
    assert ours.score(X, y, sample_weight=sw) == pytest.approx(ref.score(X, y, sample_weight=sw), rel=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_online_updates_equal_batch_fit(fit_intercept, weighted):
    """RLS: fit on 20 rows, then one row at a time, then blocks == sklearn on all rows."""
    X, y, w = data(n=100)
    sw = w if weighted else None
    model = mlcore.build("linear_regression", fit_intercept=fit_intercept)
    model.fit(X[:20], y[:20], sample_weight=None if sw is None else sw[:20])
    for i in range(20, 30):
        model.update(X[i:i + 1], y[i:i + 1], sample_weight=None if sw is None else sw[i:i + 1])
    for s in range(30, 100, 35):
        model.update(X[s:s + 35], y[s:s + 35], sample_weight=None if sw is None else sw[s:s + 35])
    ref = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=RTOL)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(model.predict(X), ref.predict(X), rtol=RTOL)
    assert model.n_samples_seen_ == 100


def test_online_updates_multi_output():
    X, y, _ = data(n=80, k=2)
    model = mlcore.build("linear_regression").fit(X[:30], y[:30]).update(X[30:], y[30:])
    ref = sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=RTOL)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=RTOL)


def test_rank_deficient_design_matches_sklearn_min_norm():
    X, y, _ = data(n=50, m=3)
    X = np.column_stack([X, X[:, 0] * 2.0])          # duplicated direction
    ours = mlcore.build("linear_regression").fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    assert ours.rank_ == ref.rank_ == 3
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=RTOL)
    with pytest.raises(ValueError, match="full-rank"):
        ours.update(X[:2], y[:2])


def test_does_not_mutate_inputs():
    X, y, w = data()
    X0, y0, w0 = X.copy(), y.copy(), w.copy()
    mlcore.build("linear_regression").fit(X, y, sample_weight=w).update(X[:5], y[:5], sample_weight=w[:5])
    assert np.array_equal(X, X0) and np.array_equal(y, y0) and np.array_equal(w, w0)
