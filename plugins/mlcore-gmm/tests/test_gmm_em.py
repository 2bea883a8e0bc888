"""Tests of the gmm estimator (oracle: scikit-learn GaussianMixture, SciPy densities)."""

import warnings

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError, NotFittedError

sklearn_mixture = pytest.importorskip("sklearn.mixture")


def _blobs(seed=0, n=200, shift=10.0):
    rng = np.random.default_rng(seed)
    parts = [rng.normal(c, s, (n, 3)) for c, s in [(0, 1.0), (5, 0.5), (-5, 2.0)]]
    return np.vstack(parts) + shift


def _sklearn(k, X, w0, m0, c0, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sklearn_mixture.GaussianMixture(
            len(w0), covariance_type="full", max_iter=k, tol=0, weights_init=w0, means_init=m0,
            precisions_init=np.linalg.inv(c0), **kw).fit(X)


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_each_em_step_equals_sklearn(k):
    """Oracle: sklearn GaussianMixture(covariance_type='full') from the same start; rtol 1e-8."""
    X = _blobs()
    rng = np.random.default_rng(1)
    w0 = np.array([0.2, 0.3, 0.5])
    m0 = X[rng.choice(len(X), 3, replace=False)]
    c0 = np.stack([np.cov(X.T), np.eye(3), 2 * np.eye(3)])
    sk = _sklearn(k, X, w0, m0, c0)
    me = mlcore.build("gmm", n_components=3, max_iter=k, tol=0.0, weights_init=w0,
                      means_init=m0, covariances_init=c0).fit(X)
    assert me.n_iter_ == sk.n_iter_ == k
    np.testing.assert_allclose(me.weights_, sk.weights_, rtol=1e-8)
    np.testing.assert_allclose(me.means_, sk.means_, rtol=1e-8)
    np.testing.assert_allclose(me.covariances_, sk.covariances_, rtol=1e-8)
    np.testing.assert_allclose(me.lower_bound_, sk.lower_bound_, rtol=1e-8)
    np.testing.assert_allclose(me.precisions_, sk.precisions_, rtol=1e-7)


def test_reg_covar_matches_sklearn():
    """Oracle: sklearn with reg_covar=1e-2, 4 steps; rtol 1e-8."""
    X = _blobs(3)
    w0, m0, c0 = np.full(3, 1 / 3), X[[0, 250, 500]], np.stack([np.eye(3)] * 3)
    sk = _sklearn(4, X, w0, m0, c0, reg_covar=1e-2)
    me = mlcore.build("gmm", n_components=3, max_iter=4, tol=0.0, reg_covar=1e-2, weights_init=w0,
                      means_init=m0, covariances_init=c0).fit(X)
    np.testing.assert_allclose(me.covariances_, sk.covariances_, rtol=1e-8)


@pytest.mark.parametrize("init", ["kmeans", "kmeans++"])
def test_own_init_reaches_sklearn_best_of_five(init):
    """Oracle: sklearn best of 5 inits; own (single) init within 1e-3 avg log-likelihood."""
    X = _blobs(2)
    sk = sklearn_mixture.GaussianMixture(3, n_init=5, random_state=0).fit(X)
    me = mlcore.build("gmm", n_components=3, init=init, random_state=0).fit(X)
    assert me.converged_
    assert me.score(X) >= sk.score(X) - 1e-3


def test_random_init_with_restarts():
    X = _blobs(4)
    sk = sklearn_mixture.GaussianMixture(3, n_init=5, random_state=0).fit(X)
    me = mlcore.build("gmm(n_components=3, init='random', n_init=5, random_state=1)").fit(X)
    assert me.score(X) >= sk.score(X) - 1e-3


def test_weights_are_updated():
    """numpy-ml defect 2: the mixture weights must equal the mean responsibilities after fit."""
    X = _blobs(5)
    X = np.vstack([X[:100], X[200:600]])            # unequal cluster sizes 100/200/200
    me = mlcore.build("gmm(n_components=3, random_state=0, tol=1e-10, max_iter=500)").fit(X)
    np.testing.assert_allclose(np.sort(me.weights_), [0.2, 0.4, 0.4], atol=1e-3)
    np.testing.assert_allclose(me.weights_, me.predict_proba(X).mean(axis=0), atol=1e-6)


def test_densities_match_scipy():
    """Oracle: scipy.stats.multivariate_normal mixture density; rtol 1e-10."""
    from scipy.stats import multivariate_normal

    X = _blobs(6)
    me = mlcore.build("gmm(n_components=3, random_state=0)").fit(X)
    Z = X[::37]
    dens = sum(w * multivariate_normal(m, c).pdf(Z)
               for w, m, c in zip(me.weights_, me.means_, me.covariances_))
    np.testing.assert_allclose(me.score_samples(Z), np.log(dens), rtol=1e-10)
    proba = me.predict_proba(Z)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(me.predict(Z), proba.argmax(axis=1))
    np.testing.assert_allclose(me.score(Z), np.log(dens).mean(), rtol=1e-10)


def test_collapsed_component_handled():
    """A component on a single repeated point stays finite with reg_covar; reg_covar=0 raises."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (100, 2)), np.tile([[8.0, 8.0]], (20, 1))])
    me = mlcore.build("gmm(n_components=2, random_state=0)").fit(X)
    assert np.all(np.isfinite(me.covariances_))
    assert np.min(np.linalg.eigvalsh(me.covariances_)) >= 1e-6 * (1 - 1e-6)
    with pytest.raises(ValueError, match="reg_covar"):
        mlcore.build("gmm(n_components=2, reg_covar=0.0, random_state=0)").fit(X)


def test_sample_moments():
    X = _blobs(7)
    me = mlcore.build("gmm(n_components=3, random_state=0)").fit(X)
    S, labels = me.sample(20000)
    assert S.shape == (20000, 3) and labels.shape == (20000,)
    np.testing.assert_allclose(np.bincount(labels, minlength=3) / 20000, me.weights_, atol=0.015)
    k = int(np.argmax(me.weights_))
    np.testing.assert_allclose(S[labels == k].mean(axis=0), me.means_[k], atol=0.1)


def test_input_not_mutated_and_errors():
    X = _blobs(8)
    X0 = X.copy()
    gm = mlcore.build("gmm(n_components=3, random_state=0)")
    with pytest.raises(NotFittedError):
        gm.predict(X)
    gm.fit(X)
    np.testing.assert_array_equal(X, X0)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        gm.fit(bad)
    with pytest.raises(ValueError, match="features"):
        gm.predict(X[:, :2])
    with pytest.raises(ComponentArgumentError):
        mlcore.build("gmm(n_components=0)")
    with pytest.raises(ComponentArgumentError):
        mlcore.build("gmm(init='nope')")
    with pytest.raises(ValueError, match="weights_init"):
        mlcore.build("gmm", n_components=3, weights_init=[0.5, 0.6, 0.1]).fit(X)


def test_determinism_and_save_load(tmp_path):
    X = _blobs(9)
    a = mlcore.build("gmm(n_components=3, init='kmeans++', n_init=2, random_state=3)").fit(X)
    b = mlcore.build(mlcore.to_spec(a)).fit(X)
    for name in ("weights_", "means_", "covariances_", "lower_bounds_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    path = mlcore.save(a, tmp_path / "gmm.npz")
    c = mlcore.load(path)
    assert mlcore.to_spec(c, full=True) == mlcore.to_spec(a, full=True)
    np.testing.assert_array_equal(c.score_samples(X), a.score_samples(X))
    np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))
