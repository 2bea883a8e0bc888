"""kernel_regression against sklearn rbf_kernel / polynomial_kernel + weighted mean (rtol 1e-10)."""

import numpy as np
import pytest
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel

import mlcore
from mlcore.errors import ComponentArgumentError, NotFittedError
from mlcore.testing import check_component

rng = np.random.default_rng(0)
X = rng.uniform(-3, 3, size=(120, 2))
y = np.sin(X[:, 0]) + 0.5 * X[:, 1] + 0.1 * rng.normal(size=120)
Xq = rng.uniform(-3, 3, size=(40, 2))


def nw(K, y):
    return (K @ y) / K.sum(axis=1)


@pytest.mark.parametrize("h", [0.3, 1.0])
def test_rbf_predictions_equal_weighted_mean(h):
    m = mlcore.build(f"kernel_regression(kernel=rbf, bandwidth={h})").fit(X, y)
    np.testing.assert_allclose(m.predict(Xq), nw(rbf_kernel(Xq, X, gamma=1 / (2 * h * h)), y), rtol=1e-10)
    m2 = mlcore.build(f"kernel_regression(kernel=rbf(length_scale={h}))").fit(X, y)
    np.testing.assert_allclose(m2.predict(Xq), m.predict(Xq), rtol=1e-12)


def test_any_registered_kernel_and_multioutput():
    Xp = np.abs(X) + 0.5   # positive inputs keep polynomial weights positive
    m = mlcore.build("kernel_regression(kernel=polynomial(degree=2))").fit(Xp, np.column_stack([y, 2 * y]))
    K = polynomial_kernel(np.abs(Xq) + 0.5, Xp, degree=2)
    np.testing.assert_allclose(m.predict(np.abs(Xq) + 0.5), np.column_stack([nw(K, y), nw(K, 2 * y)]), rtol=1e-10)


def test_loo_bandwidth_selection_matches_explicit_leave_one_out():
    """Reference: for each candidate, refit-free LOO with sklearn rbf_kernel and the i-th point removed."""
    grid = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2]
    m = mlcore.build(f"kernel_regression(bandwidth={grid})").fit(X, y)
    errs = []
    for h in grid:
        K = rbf_kernel(X, X, gamma=1 / (2 * h * h))
        np.fill_diagonal(K, 0.0)
        errs.append(np.mean((nw(K, y) - y) ** 2))
    np.testing.assert_allclose(m.loo_errors_, errs, rtol=1e-8)
    assert m.bandwidth_ == grid[int(np.argmin(errs))]
    auto = mlcore.build("kernel_regression(bandwidth='loo')").fit(X, y)
    assert auto.loo_errors_.min() <= min(errs) * 1.05   # the automatic grid is at least as good


def test_errors():
    with pytest.raises(NotFittedError):
        mlcore.build("kernel_regression").predict(Xq)
    with pytest.raises(ComponentArgumentError, match="bandwidth"):
        mlcore.build("kernel_regression(kernel=linear, bandwidth=0.5)")
    with pytest.raises(ComponentArgumentError):
        mlcore.build("kernel_regression(bandwidth=-1.0)")
    with pytest.raises(ValueError):
        mlcore.build("kernel_regression").fit(X, y[:-1])


def test_zero_weight_queries_warn_and_predict_mean():
    m = mlcore.build("kernel_regression(bandwidth=0.01)").fit(X, y)
    with pytest.warns(RuntimeWarning, match="zero total kernel weight"):
        pred = m.predict(np.array([[100.0, 100.0]]))
    np.testing.assert_allclose(pred, [y.mean()])


@pytest.mark.parametrize("spec", ["kernel_regression", "kernel_regression(kernel=rbf(length_scale=0.5))",
                                  "kernel_regression(bandwidth=[0.5, 1.0])"])
def test_kernel_regression_conforms(spec, tmp_path):
    check_component(spec, tmp_path=tmp_path)
