"""Registry-wide precision audit: normalising components on float32 data far from the origin.

Every component that computes a mean and a variance (every registered layer whose name
contains "norm", the standardizer, gmm covariances, gaussian_nb's class variances) is run
in float32 on offset data (mean 180, std 25, as uncentred image pixels) and compared with
the closed form evaluated in float64 NumPy. A one-pass ``E[x^2] - E[x]^2`` loses about
``log10(mean^2 / var)`` digits there and fails these tolerances (issue 22, section 1).
"""

import numpy as np
import pytest

import mlcore

F32_TOL = 1e-4      # the documented float32 tolerance for layer outputs and gradients
STAT_TOL = 1e-5     # batch statistics: torch's float32 error on this case is ~3.5e-6

# axes the statistics are taken over, for each normalising layer (channels-last arrays)
NORM_LAYERS = {
    "batchnorm1d": ("batch", (8192, 4)),
    "batchnorm2d": ("batch", (128, 16, 16, 3)),
    "layernorm1d": ("layer1", (64, 512)),
    "layernorm2d": ("layer3", (32, 16, 16, 3)),
}


def _registered_norm_layers():
    return sorted(n for n in mlcore.registry().names("layer") if "norm" in n)


def test_every_norm_layer_has_a_reference():
    assert _registered_norm_layers() == sorted(NORM_LAYERS), \
        "a normalising layer was added or removed: give it a float64 reference in NORM_LAYERS"


def _offset(shape, seed=0, mean=180.0, std=25.0):
    rng = np.random.default_rng(seed)
    return (mean + std * rng.standard_normal(shape)).astype(np.float32)


def _reference(kind, X, dY, eps):
    """Closed-form batch/layer norm forward and backward in float64 (gamma=1, beta=0)."""
    X = X.astype(np.float64)
    dY = dY.astype(np.float64)
    if kind == "batch":
        axes = tuple(range(X.ndim - 1))
    elif kind == "layer1":
        axes = (X.ndim - 1,)
    else:
        axes = tuple(range(1, X.ndim))
    mu = X.mean(axis=axes, keepdims=True)
    var = ((X - mu) ** 2).mean(axis=axes, keepdims=True)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (X - mu) * inv
    dX = inv * (dY - dY.mean(axis=axes, keepdims=True) - xhat * (dY * xhat).mean(axis=axes, keepdims=True))
    return xhat, dX, var


def _rel(a, b):
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("name", sorted(NORM_LAYERS))
def test_norm_layer_float32_offset_matches_float64(name):
    kind, shape = NORM_LAYERS[name]
    X = _offset(shape)
    dY = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    spec = f"{name}(momentum=1.0)" if kind == "batch" else name
    layer = mlcore.build(spec, kind="layer")
    Y = layer.forward(X)
    dX = layer.backward(dY)
    Yr, dXr, var = _reference(kind, X, dY, layer.epsilon)
    assert Y.dtype == np.float32 and dX.dtype == np.float32
    assert _rel(Y, Yr) < F32_TOL
    assert _rel(dX, dXr) < F32_TOL
    if kind == "batch":
        n = X.size // shape[-1]
        # momentum 1: the running variance is the unbiased batch variance
        assert _rel(layer.running_var_, var.reshape(-1) * n / (n - 1)) < STAT_TOL
        assert _rel(layer.running_mean_, X.astype(np.float64).reshape(-1, shape[-1]).mean(0)) < STAT_TOL


def test_batchnorm2d_issue_case_reaches_torch_like_accuracy():
    """The reported case: float32, mean 180, std 25, (128, 16, 16, 3), momentum 1."""
    X = _offset((128, 16, 16, 3), seed=3)
    dY = np.random.default_rng(4).standard_normal(X.shape).astype(np.float32)
    layer = mlcore.build("batchnorm2d(momentum=1.0)", kind="layer")
    Y, dX = layer.forward(X), layer.backward(dY)
    Yr, dXr, var = _reference("batch", X, dY, layer.epsilon)
    n = X.size // 3
    assert _rel(layer.running_var_ * (n - 1) / n, var.reshape(-1)) < 1e-5
    assert _rel(Y, Yr) < 1e-5 and _rel(dX, dXr) < 1e-5


def test_standardizer_float32_offset():
    X = _offset((20000, 5))
    s = mlcore.build("standardizer").fit(X)
    X64 = X.astype(np.float64)
    assert _rel(s.mean_, X64.mean(0)) < STAT_TOL
    assert _rel(s.var_, X64.var(0)) < STAT_TOL
    Z = s.transform(X)
    assert _rel(Z, (X64 - X64.mean(0)) / X64.std(0)) < F32_TOL


def test_gmm_covariance_float32_offset():
    X = _offset((5000, 3)) + np.float32(1e4)
    g = mlcore.build("gmm(n_components=1, reg_covar=0.0)").fit(X)
    X64 = X.astype(np.float64)
    assert _rel(g.means_[0], X64.mean(0)) < STAT_TOL
    assert _rel(g.covariances_[0], np.cov(X64.T, bias=True)) < STAT_TOL


def test_gaussian_nb_variances_float32_offset():
    X = _offset((6000, 4)) + np.float32(1e4)
    y = np.repeat([0, 1, 2], 2000)
    nb = mlcore.build("gaussian_nb(var_smoothing=0.0)").fit(X, y)
    X64 = X.astype(np.float64)
    for k in range(3):
        rows = X64[y == k]
        assert _rel(nb.theta_[k], rows.mean(0)) < STAT_TOL
        assert _rel(nb.var_[k], rows.var(0)) < STAT_TOL


@pytest.mark.parametrize("name", ["batchnorm1d", "batchnorm2d"])
def test_batchnorm_float64_far_offset(name):
    """float64 keeps the one-pass moments only while few digits cancel: at mean 1e6, std 1
    the one-pass variance has ~4 correct digits, the two-pass one ~all."""
    shape = NORM_LAYERS[name][1]
    X = _offset(shape, seed=5, mean=0.0, std=1.0).astype(np.float64) + 1e6
    dY = np.random.default_rng(6).standard_normal(shape)
    layer = mlcore.build(f"{name}(momentum=1.0)", kind="layer")
    Y, dX = layer.forward(X), layer.backward(dY)
    Yr, dXr, var = _reference("batch", X, dY, layer.epsilon)
    n = X.size // shape[-1]
    assert _rel(layer.running_var_ * (n - 1) / n, var.reshape(-1)) < 1e-10
    assert _rel(Y, Yr) < 1e-9 and _rel(dX, dXr) < 1e-9
