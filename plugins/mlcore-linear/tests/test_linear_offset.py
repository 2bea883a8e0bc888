"""Linear models far from the origin (issue 22, section 1).

With an unpenalised intercept every model here is translation equivariant: fitting on
``X + c`` gives the same coefficients and predictions. Uncentred, logistic regression's
L-BFGS stopped with coefficients off by O(1) at ``c = 1e4`` and the GLM's IRLS by 0.2 at
1e8; the least-squares models centre already (kept here as a guard).
"""

import numpy as np
import pytest

import mlcore

OFFSETS = [1e4, 1e6, 1e8]
SPECS = ["linear_regression", "ridge(alpha=0.5)", "bayesian_linear_regression(noise_variance=None)",
         "glm(tol=1e-14)", "glm(link='log', tol=1e-14)", "glm(link='logit', tol=1e-14)",
         "logistic_regression(tol=1e-12, max_iter=2000)",
         "logistic_regression(penalty='l1', tol=1e-12, max_iter=2000)"]


def _data(spec):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    eta = X @ [0.6, -0.8, 0.3] + 0.2
    if "logistic" in spec or "logit" in spec:
        y = (rng.uniform(size=300) < 1 / (1 + np.exp(-eta))).astype(int if "logistic" in spec else float)
    elif "'log'" in spec:
        y = rng.poisson(np.exp(eta)).astype(float)
    else:
        y = eta + 0.1 * rng.normal(size=300)
    return X, y


def _out(model, X):
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("spec", SPECS)
def test_translation_equivariance(spec, offset):
    X, y = _data(spec)
    base = mlcore.build(spec).fit(X, y)
    moved = mlcore.build(spec).fit(X + offset, y)
    # the shifted inputs carry rounding errors of ulp(offset) ~ 1.5e-8 at 1e8
    tol = 1e-6 + 100 * np.spacing(offset)
    np.testing.assert_allclose(np.ravel(moved.coef_), np.ravel(base.coef_), rtol=0, atol=tol)
    np.testing.assert_allclose(_out(moved, X + offset), _out(base, X), rtol=0, atol=tol)
    if hasattr(base, "bse_"):
        np.testing.assert_allclose(moved.bse_[:-1], base.bse_[:-1], rtol=1e-6)
