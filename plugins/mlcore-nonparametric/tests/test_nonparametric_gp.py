"""gp_regression against sklearn GaussianProcessRegressor(optimizer=None): mean, std, cov, LML to 1e-7."""

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, DotProduct

import mlcore
from mlcore.errors import NotFittedError
from mlcore.testing import check_component

rng = np.random.default_rng(0)
X = rng.uniform(-3, 3, size=(60, 2))
y = np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.05 * rng.normal(size=60)
Xq = rng.uniform(-3, 3, size=(25, 2))

CASES = [
    ("gp_regression", RBF(1.0), 1e-10),
    ("gp_regression(kernel=rbf(length_scale=0.7, variance=2.0), alpha=0.01)", ConstantKernel(2.0) * RBF(0.7), 0.01),
    ("gp_regression(kernel=rbf(length_scale=[0.8, 1.5]), alpha=1e-4)", RBF([0.8, 1.5]), 1e-4),
    ("gp_regression(kernel=linear(c0=0.25), alpha=0.1)", DotProduct(0.5), 0.1),
]


@pytest.mark.parametrize("spec, sk_kernel, alpha", CASES)
def test_equals_sklearn(spec, sk_kernel, alpha):
    ours = mlcore.build(spec).fit(X, y)
    ref = GaussianProcessRegressor(kernel=sk_kernel, alpha=alpha, optimizer=None).fit(X, y)
    m, s = ours.predict(Xq, return_std=True)
    m_ref, s_ref = ref.predict(Xq, return_std=True)
    np.testing.assert_allclose(m, m_ref, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(s, s_ref, rtol=1e-7, atol=1e-7)
    _, c = ours.predict(Xq, return_cov=True)
    _, c_ref = ref.predict(Xq, return_cov=True)
    np.testing.assert_allclose(c, c_ref, rtol=1e-7, atol=1e-7)
    lml = ours.log_marginal_likelihood()
    assert lml == pytest.approx(ref.log_marginal_likelihood_value_, rel=1e-7, abs=1e-7)
    theta = ours.kernel_.get_theta(2)
    assert ours.log_marginal_likelihood(theta) == pytest.approx(lml, rel=1e-10)
    assert ours.log_marginal_likelihood() == lml          # calling it never changes the model


def test_per_sample_alpha_equals_sklearn():
    alpha = list(np.linspace(0.01, 0.1, 60))
    ours = mlcore.build("gp_regression", alpha=alpha).fit(X, y)
    ref = GaussianProcessRegressor(RBF(1.0), alpha=np.array(alpha), optimizer=None).fit(X, y)
    np.testing.assert_allclose(ours.predict(Xq), ref.predict(Xq), rtol=1e-7, atol=1e-9)
    assert ours.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood_value_, rel=1e-7)
    with pytest.raises(ValueError, match="alpha has 60 entries"):
        ours.fit(X[:10], y[:10])


def test_lml_twice_same_value_and_gradient():
    gp = mlcore.build("gp_regression(kernel=rbf(length_scale=0.9, variance=1.5), alpha=0.01)").fit(X, y)
    theta = gp.kernel_.get_theta(2) + 0.2
    a, ga = gp.log_marginal_likelihood(theta, eval_gradient=True)
    b, gb = gp.log_marginal_likelihood(theta, eval_gradient=True)
    assert a == b and np.array_equal(ga, gb)
    # sklearn's analytic gradient for the same hyperparameters (its theta order: constant, length scale)
    ref = GaussianProcessRegressor(ConstantKernel(1.5) * RBF(0.9), alpha=0.01, optimizer=None).fit(X, y)
    v, g = ref.log_marginal_likelihood(theta[::-1], eval_gradient=True)
    assert a == pytest.approx(v, rel=1e-9)
    np.testing.assert_allclose(ga, g[::-1], rtol=1e-6)
    # and central finite differences
    for j in range(2):
        e = np.zeros(2)
        e[j] = 1e-5
        num = (gp.log_marginal_likelihood(theta + e) - gp.log_marginal_likelihood(theta - e)) / 2e-5
        assert ga[j] == pytest.approx(num, rel=1e-5)


def test_optimizer_reaches_sklearn_optimum():
    ours = mlcore.build("gp_regression(alpha=0.01, optimizer='l-bfgs-b')").fit(X, y)
    ref = GaussianProcessRegressor(ConstantKernel(1.0) * RBF(1.0), alpha=0.01).fit(X, y)
    assert ours.log_marginal_likelihood_value_ == pytest.approx(ref.log_marginal_likelihood_value_, rel=1e-6)
    assert ours.kernel_.length_scale == pytest.approx(ref.kernel_.k2.length_scale, rel=1e-3)
    assert ours.kernel is None                              # the spec's kernel is not modified


def test_multioutput_shapes_equal_sklearn():
    Y = np.column_stack([y, -2 * y])
    ours = mlcore.build("gp_regression(alpha=0.01)").fit(X, Y)
    ref = GaussianProcessRegressor(RBF(1.0), alpha=0.01, optimizer=None).fit(X, Y)
    m, s = ours.predict(Xq, return_std=True)
    m_ref, s_ref = ref.predict(Xq, return_std=True)
    np.testing.assert_allclose(m, m_ref, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(s, s_ref, rtol=1e-7, atol=1e-9)
    assert ours.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood_value_, rel=1e-7)
    assert ours.sample_y(Xq, 3, random_state=0).shape == (25, 2, 3)


def test_sample_y_moments_and_determinism():
    gp = mlcore.build("gp_regression(alpha=0.01, random_state=3)").fit(X, y)
    draws = gp.sample_y(Xq[:5], n_samples=20000)
    assert draws.shape == (5, 20000)
    m, c = gp.predict(Xq[:5], return_cov=True)
    np.testing.assert_allclose(draws.mean(axis=1), m, atol=5 * np.sqrt(np.diag(c).max() / 20000) + 1e-12)
    np.testing.assert_allclose(np.cov(draws), c, atol=0.05 * np.abs(c).max() + 1e-6)
    np.testing.assert_array_equal(gp.sample_y(Xq, 2), gp.sample_y(Xq, 2))
    prior = mlcore.build("gp_regression").sample_y(Xq, 4, random_state=0, dist="prior")
    assert prior.shape == (25, 4)


def test_errors():
    with pytest.raises(NotFittedError):
        mlcore.build("gp_regression").predict(Xq)
    with pytest.raises(ValueError, match="at most one"):
        mlcore.build("gp_regression").fit(X, y).predict(Xq, return_std=True, return_cov=True)
    with pytest.raises(np.linalg.LinAlgError, match="alpha"):
        mlcore.build("gp_regression(kernel=linear, alpha=0.0)").fit(X, y)   # rank-2 Gram matrix
    with pytest.raises(ValueError, match="NaN"):
        mlcore.build("gp_regression").fit(np.full((3, 2), np.nan), y[:3])


@pytest.mark.parametrize("spec", ["gp_regression", "gp_regression(kernel=polynomial(degree=2), alpha=0.1)",
                                  ("gp_regression(alpha=0.01, optimizer='l-bfgs-b', n_restarts_optimizer=2, "
                                   "random_state=0)")])
def test_gp_conforms(spec, tmp_path):
    check_component(spec, tmp_path=tmp_path)
