"""Tests of als and nmf (oracles: sklearn Ridge closed form, sklearn NMF(solver='cd'))."""

import itertools
import warnings

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError, NotFittedError

sk_linear = pytest.importorskip("sklearn.linear_model")
sk_decomp = pytest.importorskip("sklearn.decomposition")


def _low_rank(seed=0, n=60, m=40, k=4, noise=0.05, signed=False):
    rng = np.random.default_rng(seed)
    if signed:
        return rng.normal(size=(n, k)) @ rng.normal(size=(k, m)) + noise * rng.normal(size=(n, m))
    return rng.random((n, k)) @ rng.random((k, m)) + noise * rng.random((n, m))


@pytest.mark.parametrize("alpha", [0.0, 0.7])
def test_als_half_steps_are_ridge_solutions(alpha):
    """Oracle: sklearn Ridge(fit_intercept=False) on each half-step; rtol 1e-9."""
    X = _low_rank(signed=True)
    rng = np.random.default_rng(1)
    W0, H0 = rng.normal(size=(60, 3)), rng.normal(size=(3, 40))
    est = mlcore.build("als", n_components=3, alpha=alpha, max_iter=1).fit(X, W=W0, H=H0)
    ridge = sk_linear.Ridge(alpha=alpha, fit_intercept=False, solver="cholesky")
    W1 = ridge.fit(H0.T, X.T).coef_                                 # rows of W given H0
    H1 = ridge.fit(W1, X).coef_.T                                   # columns of H given W1
    np.testing.assert_allclose(est.embedding_, W1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(est.components_, H1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(est.transform(X), ridge.fit(H1.T, X.T).coef_, rtol=1e-9, atol=1e-12)


def test_als_objective_decreases_and_recovers_rank():
    X = _low_rank(2, noise=0.0, signed=True)
    losses = [mlcore.build("als", n_components=4, alpha=1e-3, max_iter=it, tol=0.0, random_state=0).fit(X).loss_
              for it in (1, 2, 5, 20)]
    assert all(b <= a * (1 + 1e-12) for a, b in itertools.pairwise(losses))
    est = mlcore.build("als(n_components=4, alpha=1e-8, max_iter=500, tol=1e-12, random_state=0)").fit(X)
    # reference: truncated SVD error of rank 4 is 0 for this exactly rank-4 matrix
    assert est.reconstruction_err_ < 1e-5 * np.linalg.norm(X)
    np.testing.assert_allclose(est.reconstruction_err_, np.linalg.norm(X - est.embedding_ @ est.components_))


@pytest.mark.parametrize("k, seed", [(4, 0), (8, 3)])
def test_nmf_error_within_5_percent_of_sklearn(k, seed):
    """Oracle: sklearn NMF(solver='cd') reconstruction error at the same rank (defaults); within 5%."""
    X = _low_rank(seed, n=150, m=80, k=6, noise=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sk_decomp.NMF(k, solver="cd", random_state=0, max_iter=400).fit(X)
    est = mlcore.build("nmf", n_components=k, random_state=0, max_iter=400).fit(X)
    assert est.reconstruction_err_ <= 1.05 * ref.reconstruction_err_
    assert est.embedding_.min() >= 0 and est.components_.min() >= 0
    np.testing.assert_allclose(est.reconstruction_err_,
                               np.linalg.norm(X - est.embedding_ @ est.components_), rtol=1e-12)


def test_nmf_transform_and_errors(tmp_path):
    X = _low_rank(4)
    est = mlcore.build("nmf(n_components=4, n_init=2, random_state=0, tol=1e-6, max_iter=500)")
    with pytest.raises(NotFittedError):
        est.transform(X)
    X0 = X.copy()
    est.fit(X)
    np.testing.assert_array_equal(X, X0)
    W = est.transform(X)
    assert W.min() >= 0
    # transform of the training data reaches (about) the training error
    assert np.linalg.norm(X - est.inverse_transform(W)) <= 1.01 * est.reconstruction_err_
    with pytest.raises(ValueError, match="non-negative"):
        est.fit(-X)
    with pytest.raises(ComponentArgumentError):
        mlcore.build("nmf(n_components=0)")
    with pytest.raises(ComponentArgumentError):
        mlcore.build("als(alpha=-1.0)")
    again = mlcore.build(mlcore.to_spec(est)).fit(X)
    np.testing.assert_array_equal(again.components_, est.components_)
    loaded = mlcore.load(mlcore.save(est, tmp_path / "nmf.npz"))
    np.testing.assert_array_equal(loaded.transform(X), W)
    als = mlcore.build("als(n_components=2, random_state=0)").fit(X)
    loaded = mlcore.load(mlcore.save(als, tmp_path / "als.npz"))
    np.testing.assert_array_equal(loaded.transform(X), als.transform(X))
