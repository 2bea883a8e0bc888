"""Kernels against sklearn.metrics.pairwise (rtol 1e-10) and gradients against finite differences."""

import numpy as np
import pytest
from sklearn.metrics.pairwise import linear_kernel, polynomial_kernel, rbf_kernel

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.testing import check_component

rng = np.random.default_rng(0)
X = rng.normal(size=(30, 4))
Y = rng.normal(size=(20, 4))


@pytest.mark.parametrize("spec, ref", [
    ("linear", lambda A, B: linear_kernel(A, B)),
    ("polynomial", lambda A, B: polynomial_kernel(A, B)),
    ("polynomial(degree=2, gamma=0.3, c0=0.5)", lambda A, B: polynomial_kernel(A, B, degree=2, gamma=0.3, coef0=0.5)),
    ("rbf", lambda A, B: rbf_kernel(A, B, gamma=0.5)),
    ("rbf(length_scale=2.5)", lambda A, B: rbf_kernel(A, B, gamma=1 / (2 * 2.5 ** 2))),
])
def test_kernel_equals_sklearn_pairwise(spec, ref):
    k = mlcore.build(spec, kind="kernel")
    np.testing.assert_allclose(k(X, Y), ref(X, Y), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(k(X), ref(X, X), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(k.diag(X), np.diag(ref(X, X)), rtol=1e-10)


def test_anisotropic_rbf_equals_scaled_inputs():
    """Per-dimension length scales == sklearn rbf_kernel on inputs divided by them (rtol 1e-10)."""
    ls = [0.5, 1.0, 2.0, 4.0]
    k = mlcore.build(f"rbf(length_scale={ls}, variance=2.0)", kind="kernel")
    np.testing.assert_allclose(k(X, Y), 2.0 * rbf_kernel(X / ls, Y / ls, gamma=0.5), rtol=1e-10)


@pytest.mark.parametrize("spec", ["linear(c0=0.7)", "polynomial(degree=3, gamma=0.2, c0=1.5)",
                                  "rbf(length_scale=1.7, variance=0.8)", "rbf(length_scale=[0.5, 1.0, 2.0, 3.0])"])
def test_gradient_matches_finite_differences(spec):
    """dK/dtheta against central differences of kernel.with_theta (rtol 1e-5)."""
    k = mlcore.build(spec, kind="kernel")
    Xs = X[:8]
    theta = k.get_theta(4)
    K, dK = k.gradient(Xs)
    np.testing.assert_allclose(K, k(Xs), rtol=1e-12)
    assert dK.shape == (8, 8, len(theta))
    for j in range(len(theta)):
        def f(t, j=j):
            th = theta.copy()
            th[j] = t[0]
            return k.with_theta(th, 4)(Xs)
        num = (f([theta[j] + 1e-6]) - f([theta[j] - 1e-6])) / 2e-6
        np.testing.assert_allclose(dK[:, :, j], num, rtol=1e-5, atol=1e-8)


def test_with_theta_returns_new_kernel():
    k = mlcore.build("rbf(length_scale=2.0)", kind="kernel")
    k2 = k.with_theta(np.log([3.0, 0.5]), 4)
    assert k.length_scale == 2.0 and k2.length_scale == pytest.approx(3.0) and k2.variance == pytest.approx(0.5)
    assert k.hyperparameter_names(4) == ["length_scale", "variance"]


@pytest.mark.parametrize("bad", ["rbf(length_scale=0)", "rbf(length_scale=[1.0, -1.0])", "polynomial(degree=0)",
                                 "rbf(variance=-1.0)"])
def test_bad_hyperparameters(bad):
    with pytest.raises(ComponentArgumentError):
        mlcore.build(bad, kind="kernel")


def test_mismatched_columns():
    with pytest.raises(ValueError, match="columns"):
        mlcore.build("rbf", kind="kernel")(X, Y[:, :3])


@pytest.mark.parametrize("spec", ["linear", "polynomial(degree=2)", "rbf(length_scale=[1.0, 2.0, 3.0])"])
def test_kernel_conforms(spec, tmp_path):
    check_component(spec if spec != "linear" else mlcore.build("linear", kind="kernel"), tmp_path=tmp_path)
