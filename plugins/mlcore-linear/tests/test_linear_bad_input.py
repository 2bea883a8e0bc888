"""Bad input and bad hyperparameters give clear errors (ValueError / ComponentArgumentError)."""

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError

NAMES = ["linear_regression", "ridge", "logistic_regression", "bayesian_linear_regression", "glm",
         "gaussian_nb"]


def xy(name, n=20):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] > 0).astype(float) if name in ("logistic_regression", "gaussian_nb", "glm") else X[:, 0]
    return X, y


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_inputs(name, bad):
    X, y = xy(name)
    Xb = X.copy()
    Xb[3, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        mlcore.build(name).fit(Xb, y)
    yb = y.copy()
    yb[2] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        mlcore.build(name).fit(X, yb)
    model = mlcore.build(name).fit(X, y)
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.predict(Xb)


@pytest.mark.parametrize("name", NAMES)
def test_mismatched_lengths_and_shapes(name):
    X, y = xy(name)
    with pytest.raises(ValueError, match="different numbers of samples"):
        mlcore.build(name).fit(X, y[:-1])
    with pytest.raises(ValueError, match="dimension"):
        mlcore.build(name).fit(X[:, 0], y)
    model = mlcore.build(name).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :2])


@pytest.mark.parametrize("name", ["linear_regression", "ridge", "logistic_regression", "glm", "gaussian_nb"])
def test_bad_sample_weight(name):
    X, y = xy(name)
    with pytest.raises(ValueError, match="sample_weight"):
        mlcore.build(name).fit(X, y, sample_weight=np.ones(len(X) - 1))
    w = np.ones(len(X))
    w[0] = -1
    with pytest.raises(ValueError, match="non-negative"):
        mlcore.build(name).fit(X, y, sample_weight=w)


def test_single_class_logistic():
    X, _ = xy("logistic_regression")
    with pytest.raises(ValueError, match="at least 2 classes"):
        mlcore.build("logistic_regression").fit(X, np.ones(len(X)))


def test_continuous_labels_for_classifier():
    X, _ = xy("logistic_regression")
    with pytest.raises(ValueError, match="continuous"):
        mlcore.build("logistic_regression").fit(X, X[:, 0])


@pytest.mark.parametrize("spec", [
    "bayesian_linear_regression(noise_variance=0.0)",
    "bayesian_linear_regression(noise_variance=-1.0)",
    "bayesian_linear_regression(V=-1.0)",
    "bayesian_linear_regression(V=[1.0, 0.0])",
    "bayesian_linear_regression(V=[[1.0, 2.0], [2.0, 1.0]])",      # not positive definite
    "bayesian_linear_regression(V=[[1.0, 0.5], [0.0, 1.0]])",      # not symmetric
    "bayesian_linear_regression(a0=0.0)",
    "bayesian_linear_regression(b0=-2.0)",
    "gaussian_nb(var_smoothing=-1e-9)",
    "gaussian_nb(priors=[0.5, 0.6])",
    "ridge(alpha=-1.0)",
    "logistic_regression(C=0.0)",
    "logistic_regression(penalty='elasticnet')",
    "logistic_regression(max_iter=0)",
    "glm(link='probit')",
    "linear_regression(fit_intercept=1)",
])
def test_bad_hyperparameters(spec):
    with pytest.raises(ComponentArgumentError):
        mlcore.build(spec)


def test_prior_shape_mismatch():
    X, y = xy("bayesian_linear_regression")
    with pytest.raises(ValueError, match="prior"):
        mlcore.build("bayesian_linear_regression(mu=[0.0, 1.0])").fit(X, y)
