"""bayesian_linear_regression against closed forms (Murphy 2012, 7.6), ridge and scipy.stats.

Closed forms are written out here with explicit inverses on the design with a column of ones
(textbook form), independently of the estimator's centred Cholesky implementation.
"""

import tracemalloc

import numpy as np
import pytest
from scipy import stats

import mlcore

RTOL = 1e-6
INF_VAR = 1e12      # prior variance standing in for the flat intercept prior


def data(n=60, m=3, k=None, seed=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m)) + 2.0
    B = rng.normal(size=(m,) if k is None else (m, k))
    return X, X @ B + 1.0 + 0.5 * rng.normal(size=(n,) if k is None else (n, k))


def murphy(X, y, mu, V, a0=None, b0=None):
    """Textbook NIG / known-variance posterior with explicit inverses."""
    Vi = np.linalg.inv(V)
    VN = np.linalg.inv(Vi + X.T @ X)
    mN = VN @ (Vi @ mu + X.T @ y)
    out = {"VN": VN, "mN": mN}
    if a0 is not None:
        out["aN"] = a0 + len(y) / 2
        out["bN"] = b0 + 0.5 * (y @ y + mu @ Vi @ mu - mN @ np.linalg.inv(VN) @ mN)
    return out


PRIOR_MU = [0.5, -0.2, 0.1]
PRIOR_V = [[2.0, 0.3, 0.0], [0.3, 1.0, 0.1], [0.0, 0.1, 0.5]]


def test_known_variance_no_intercept_closed_form():
    X, y = data()
    model = mlcore.build("bayesian_linear_regression", mu=PRIOR_MU, V=PRIOR_V, noise_variance=0.3,
                         fit_intercept=False).fit(X, y)
    ref = murphy(X, y, np.array(PRIOR_MU), np.array(PRIOR_V))
    np.testing.assert_allclose(model.coef_, ref["mN"], rtol=RTOL)
    np.testing.assert_allclose(model.coef_cov_, 0.3 * ref["VN"], rtol=RTOL)
    Xq = X[:7] - 1.0
    mean, std = model.predict(Xq, return_std=True)
    np.testing.assert_allclose(mean, Xq @ ref["mN"], rtol=RTOL)
    full = 0.3 * (Xq @ ref["VN"] @ Xq.T + np.eye(7))          # N x N only in the test
    np.testing.assert_allclose(std, np.sqrt(np.diag(full)), rtol=RTOL)


def test_known_variance_intercept_is_flat_prior_limit():
    X, y = data()
    model = mlcore.build("bayesian_linear_regression", mu=PRIOR_MU, V=PRIOR_V, noise_variance=0.3).fit(X, y)
    A = np.column_stack([X, np.ones(len(X))])
    V = np.zeros((4, 4))
    V[:3, :3], V[3, 3] = PRIOR_V, INF_VAR
    ref = murphy(A, y, np.r_[PRIOR_MU, 0.0], V)
    np.testing.assert_allclose(model.coef_, ref["mN"][:3], rtol=RTOL)
    assert model.intercept_ == pytest.approx(ref["mN"][3], rel=RTOL)
    np.testing.assert_allclose(model.coef_cov_, 0.3 * ref["VN"][:3, :3], rtol=RTOL)
    Aq = np.column_stack([X[:5] + 0.5, np.ones(5)])
    mean, std = model.predict(X[:5] + 0.5, return_std=True)
    np.testing.assert_allclose(mean, Aq @ ref["mN"], rtol=RTOL)
    np.testing.assert_allclose(std, np.sqrt(0.3 * (1 + np.einsum("ij,jk,ik->i", Aq, ref["VN"], Aq))), rtol=RTOL)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_unknown_variance_normal_inverse_gamma(fit_intercept):
    X, y = data()
    a0, b0 = 2.0, 1.5
    model = mlcore.build("bayesian_linear_regression", mu=PRIOR_MU, V=PRIOR_V, noise_variance=None,
                         a0=a0, b0=b0, fit_intercept=fit_intercept).fit(X, y)
    if fit_intercept:
        A = np.column_stack([X, np.ones(len(X))])
        V = np.zeros((4, 4))
        V[:3, :3], V[3, 3] = PRIOR_V, INF_VAR
        ref = murphy(A, y, np.r_[PRIOR_MU, 0.0], V, a0, b0)
    else:
        A = X
        ref = murphy(X, y, np.array(PRIOR_MU), np.array(PRIOR_V), a0, b0)
    assert model.a_ == pytest.approx(ref["aN"], rel=1e-12)
    assert model.b_ == pytest.approx(ref["bN"], rel=RTOL)
    np.testing.assert_allclose(model.coef_, ref["mN"][:3], rtol=RTOL)
    np.testing.assert_allclose(model.V_, ref["VN"][:3, :3], rtol=RTOL)
    assert model.sigma2_ == pytest.approx(ref["bN"] / (ref["aN"] - 1), rel=RTOL)
    # posterior predictive: Student-t(2 a_N, loc, scale^2 = b_N/a_N (1 + a^T V_N a)) -- scipy's std
    Xq = X[:6] * 1.3
    Aq = np.column_stack([Xq, np.ones(6)]) if fit_intercept else Xq
    scale = np.sqrt(ref["bN"] / ref["aN"] * (1 + np.einsum("ij,jk,ik->i", Aq, ref["VN"], Aq)))
    t = stats.t(df=2 * ref["aN"], loc=Aq @ ref["mN"], scale=scale)
    mean, std = model.predict(Xq, return_std=True)
    np.testing.assert_allclose(mean, t.mean(), rtol=RTOL)
    np.testing.assert_allclose(std, t.std(), rtol=RTOL)


@pytest.mark.parametrize("noise_variance", [1.0, 0.2, None])
def test_posterior_mean_equals_ridge(noise_variance):
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = data(k=2)
    model = mlcore.build("bayesian_linear_regression", V=0.25, noise_variance=noise_variance).fit(X, y)
    ref = sk.Ridge(alpha=4.0).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=RTOL)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=RTOL)


def test_multi_output_unknown_variance_matches_per_target_fits():
    X, Y = data(k=3)
    joint = mlcore.build("bayesian_linear_regression(noise_variance=None)").fit(X, Y)
    mean, std = joint.predict(X[:4], return_std=True)
    assert mean.shape == std.shape == (4, 3)
    for j in range(3):
        single = mlcore.build("bayesian_linear_regression(noise_variance=None)").fit(X, Y[:, j])
        np.testing.assert_allclose(joint.coef_[j], single.coef_, rtol=1e-10)
        assert joint.b_[j] == pytest.approx(single.b_, rel=1e-10)
        np.testing.assert_allclose(std[:, j], single.predict(X[:4], return_std=True)[1], rtol=1e-10)


@pytest.mark.parametrize("noise_variance", [0.5, None])
def test_sample_moments(noise_variance):
    """Monte Carlo: sample mean / covariance of 40,000 draws match the posterior (5 sigma)."""
    X, y = data(n=30)
    model = mlcore.build("bayesian_linear_regression", noise_variance=noise_variance, a0=3.0).fit(X, y)
    coef, intercept = model.sample(40_000, random_state=0)
    assert coef.shape == (40_000, 3) and intercept.shape == (40_000,)
    sd = np.sqrt(np.diag(model.coef_cov_))
    assert np.all(np.abs(coef.mean(0) - model.coef_) <= 5 * sd / 200)       # 5 standard errors
    corr_err = (np.cov(coef.T) - model.coef_cov_) / np.outer(sd, sd)
    assert np.abs(corr_err).max() < 0.05
    assert intercept.mean() == pytest.approx(model.intercept_, abs=5 * intercept.std() / 200)
    c2, i2 = model.sample(40_000, random_state=0)
    assert np.array_equal(coef, c2) and np.array_equal(intercept, i2)


def test_predict_std_is_linear_in_memory():
    """predict(return_std=True) on 200,000 rows never forms an N x N matrix (peak < 60 MB)."""
    X, y = data()
    model = mlcore.build("bayesian_linear_regression").fit(X, y)
    Xq = np.random.default_rng(0).normal(size=(200_000, 3))
    tracemalloc.start()
    _, std = model.predict(Xq, return_std=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert std.shape == (200_000,) and peak < 60e6


def test_prior_not_modified_and_refit_other_width():
    """numpy-ml defect 10: V was expanded in place, so refitting with other widths failed."""
    X, y = data()
    model = mlcore.build("bayesian_linear_regression(V=2.0, mu=0.0)")
    model.fit(X, y)
    model.fit(np.column_stack([X, X[:, :1] ** 2]), y)
    assert model.V == 2.0 and model.mu == 0.0 and model.coef_.shape == (4,)
