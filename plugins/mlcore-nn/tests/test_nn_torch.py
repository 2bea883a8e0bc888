"""PyTorch parity (make test-torch): with weights copied across, forward outputs and input /
parameter gradients equal torch's to 1e-10 in float64 and 1e-4 in float32.

Layout maps (mlcore channels last -> torch channels first): images X.transpose(0, 3, 1, 2),
signals X.transpose(0, 2, 1); Dense W -> weight W.T; Conv2D W (kr, kc, in, out) -> weight
(out, in, kr, kc); Conv1D W (k, in, out) -> (out, in, k); Deconv2D W (kr, kc, in, out) ->
(in, out, kr, kc).
"""

import numpy as np
import pytest

import mlcore

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = pytest.mark.torch

DTYPES = [(np.float64, torch.float64, 1e-10), (np.float32, torch.float32, 1e-4)]
DTYPE_IDS = ["float64", "float32"]


def _t(a, grad=False):
    t = torch.from_numpy(np.ascontiguousarray(a))
    return t.requires_grad_(grad)


def _close(ours, theirs, tol, what):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, err_msg=what)


def _run(spec, X, torch_fn, params_to_torch, X_to_torch, Y_from_torch, tol, seed=0):
    """Forward and backward of our layer and of ``torch_fn`` on the same weights."""
    layer = mlcore.build(spec, kind="layer")
    Y = layer.forward(X)
    R = np.random.default_rng(seed + 1).normal(size=Y.shape).astype(X.dtype)
    dX = layer.backward(R)
    Xt = _t(X_to_torch(X), grad=True)
    tparams = {k: _t(v, grad=True) for k, v in params_to_torch(layer.params).items()}
    Yt = Y_from_torch(torch_fn(Xt, **tparams))
    (Yt * _t(R)).sum().backward()
    _close(Y, Yt, tol, f"{spec}: forward")
    _close(dX, Y_from_torch_grad(Xt.grad, X_to_torch, X), tol, f"{spec}: dX")
    return layer, tparams


def Y_from_torch_grad(g, X_to_torch, X):
    """Bring torch's dX back to our layout (invert X_to_torch on the gradient)."""
    if X.ndim == 4 and X_to_torch(X).shape != X.shape:
        return g.permute(0, 2, 3, 1)
    if X.ndim == 3 and X_to_torch(X).shape != X.shape:
        return g.permute(0, 2, 1)
    return g


NHWC = (lambda X: X.transpose(0, 3, 1, 2), lambda Y: Y.permute(0, 2, 3, 1))
NLC = (lambda X: X.transpose(0, 2, 1), lambda Y: Y.permute(0, 2, 1))
SAME = (lambda X: X, lambda Y: Y)

ACTIVATIONS = [
    ("relu", F.relu), ("leaky_relu(alpha=0.2)", lambda z: F.leaky_relu(z, 0.2)),
    ("elu(alpha=0.7)", lambda z: F.elu(z, 0.7)), ("selu", F.selu), ("gelu", F.gelu),
    ("gelu(approximate=True)", lambda z: F.gelu(z, approximate="tanh")), ("sigmoid", torch.sigmoid),
    ("tanh", torch.tanh), ("softplus", F.softplus), ("affine(slope=2.0, intercept=0.5)", lambda z: 2 * z + 0.5),
    ("identity", lambda z: z * 1), ("exponential", torch.exp), ("hard_sigmoid", lambda z: F.relu6(z + 3) / 6),   # = F.hardsigmoid, whose float64 backward
    # uses a float32 constant 1/6 (off by 5e-9), so its composite definition is the oracle
    ("hard_sigmoid(slope=0.2)", lambda z: torch.clamp(0.2 * z + 0.5, 0, 1)),
    ("silu", F.silu),
]


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("spec, fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_fn_grad_grad2(spec, fn, np_dtype, t_dtype, tol):
    """grad by autograd, grad2 by double backward (create_graph=True)."""
    z = np.random.default_rng(0).uniform(-4, 4, size=(6, 7))
    z = z[np.abs(z) > 1e-2].reshape(-1)[:40].astype(np_dtype)
    act = mlcore.build(spec, kind="activation")
    zt = _t(z, grad=True)
    y = fn(zt)
    (g,) = torch.autograd.grad(y.sum(), zt, create_graph=True)
    if g.requires_grad:
        (g2,) = torch.autograd.grad(g.sum(), zt, allow_unused=True)
        g2 = torch.zeros_like(zt) if g2 is None else g2
    else:                                             # piecewise linear: f'' = 0
        g2 = torch.zeros_like(zt)
    _close(act.fn(z), y, tol, "fn")
    _close(act.grad(z), g, tol, "grad")
    _close(act.grad2(z), g2, tol, "grad2")


def test_hardsigmoid_forward_equals_torch_builtin():
    z = np.linspace(-5, 5, 41)
    _close(mlcore.build("hard_sigmoid", kind="activation").fn(z), F.hardsigmoid(_t(z)), 1e-12, "fn")


def test_activation_gains_equal_calculate_gain():
    cg = torch.nn.init.calculate_gain
    assert mlcore.build("relu", kind="activation").gain == pytest.approx(cg("relu"))
    assert mlcore.build("tanh", kind="activation").gain == pytest.approx(cg("tanh"))
    assert mlcore.build("selu", kind="activation").gain == pytest.approx(cg("selu"))
    assert mlcore.build("leaky_relu(alpha=0.3)", kind="activation").gain == pytest.approx(cg("leaky_relu", 0.3))


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
def test_linear(np_dtype, t_dtype, tol):
    X = np.random.default_rng(0).normal(size=(5, 4)).astype(np_dtype)
    layer, tp = _run("dense(n_out=3, random_state=0)", X, lambda x, weight, bias: F.linear(x, weight, bias),
                     lambda p: {"weight": p["W"].T, "bias": p["b"]}, *SAME, tol)
    _close(layer.grads["W"], tp["weight"].grad.T, tol, "dW")
    _close(layer.grads["b"], tp["bias"].grad, tol, "db")


CONV2D = [
    ("conv2d(out_ch=4, kernel_shape=3, random_state=0)", {}, (0, 0, 0, 0)),
    ("conv2d(out_ch=4, kernel_shape=(3, 2), stride=2, pad=1, random_state=0)", {"stride": 2}, (1, 1, 1, 1)),
    ("conv2d(out_ch=3, kernel_shape=3, stride=(1, 2), dilation=2, pad=(2, 1), random_state=0)",
     {"stride": (1, 2), "dilation": 2}, (2, 2, 1, 1)),
    ("conv2d(out_ch=3, kernel_shape=3, pad='same', dilation=(2, 1), random_state=0)", {"dilation": (2, 1)},
     (2, 2, 1, 1)),
    ("conv2d(out_ch=2, kernel_shape=2, pad=(0, 1, 1, 0), random_state=0)", {}, (0, 1, 1, 0)),
]


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("spec, kw, pad", CONV2D, ids=[c[0] for c in CONV2D])
def test_conv2d(spec, kw, pad, np_dtype, t_dtype, tol):
    X = np.random.default_rng(0).normal(size=(2, 7, 8, 3)).astype(np_dtype)
    t, b, left, right = pad

    def fn(x, weight, bias):
        return F.conv2d(F.pad(x, (left, right, t, b)), weight, bias, **kw)

    layer, tp = _run(spec, X, fn, lambda p: {"weight": p["W"].transpose(3, 2, 0, 1), "bias": p["b"]}, *NHWC, tol)
    _close(layer.grads["W"], tp["weight"].grad.permute(2, 3, 1, 0), tol, "dW")
    _close(layer.grads["b"], tp["bias"].grad, tol, "db")


CONV1D = [
    ("conv1d(out_ch=4, kernel_width=3, random_state=0)", {}, (0, 0)),
    ("conv1d(out_ch=3, kernel_width=2, pad='causal', dilation=4, random_state=0)", {"dilation": 4}, (4, 0)),
    ("conv1d(out_ch=3, kernel_width=3, stride=2, pad=2, dilation=2, random_state=0)", {"stride": 2, "dilation": 2},
     (2, 2)),
]


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("spec, kw, pad", CONV1D, ids=[c[0] for c in CONV1D])
def test_conv1d(spec, kw, pad, np_dtype, t_dtype, tol):
    X = np.random.default_rng(0).normal(size=(2, 11, 3)).astype(np_dtype)

    def fn(x, weight, bias):
        return F.conv1d(F.pad(x, pad), weight, bias, **kw)

    layer, tp = _run(spec, X, fn, lambda p: {"weight": p["W"].transpose(2, 1, 0), "bias": p["b"]}, *NLC, tol)
    _close(layer.grads["W"], tp["weight"].grad.permute(2, 1, 0), tol, "dW")
    _close(layer.grads["b"], tp["bias"].grad, tol, "db")


DECONV = [
    ("deconv2d(out_ch=3, kernel_shape=3, random_state=0)", {}),
    ("deconv2d(out_ch=3, kernel_shape=3, stride=2, pad=1, random_state=0)", {"stride": 2, "padding": 1}),
    ("deconv2d(out_ch=2, kernel_shape=(2, 3), stride=(2, 3), pad=(1, 0), dilation=2, random_state=0)",
     {"stride": (2, 3), "padding": (1, 0), "dilation": 2}),
]


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("spec, kw", DECONV, ids=[c[0] for c in DECONV])
def test_conv_transpose2d(spec, kw, np_dtype, t_dtype, tol):
    X = np.random.default_rng(0).normal(size=(2, 4, 5, 3)).astype(np_dtype)
    layer, tp = _run(spec, X, lambda x, weight, bias: F.conv_transpose2d(x, weight, bias, **kw),
                     lambda p: {"weight": p["W"].transpose(2, 3, 0, 1), "bias": p["b"]}, *NHWC, tol)
    _close(layer.grads["W"], tp["weight"].grad.permute(2, 3, 0, 1), tol, "dW")
    _close(layer.grads["b"], tp["bias"].grad, tol, "db")


POOL = [
    ("pool2d(kernel_shape=2)", lambda x: F.max_pool2d(x, 2)),
    ("pool2d(kernel_shape=3, stride=2, pad=1)", lambda x: F.max_pool2d(x, 3, 2, 1)),
    ("pool2d(kernel_shape=(3, 2), stride=1, pad=(1, 0))", lambda x: F.max_pool2d(x, (3, 2), 1, (1, 0))),
    ("pool2d(kernel_shape=2, mode='average')", lambda x: F.avg_pool2d(x, 2)),
    ("pool2d(kernel_shape=3, stride=2, pad=1, mode='average')", lambda x: F.avg_pool2d(x, 3, 2, 1)),
]


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("spec, fn", POOL, ids=[c[0] for c in POOL])
def test_pool2d(spec, fn, np_dtype, t_dtype, tol):
    X = np.random.default_rng(0).normal(size=(2, 7, 6, 3)).astype(np_dtype)
    _run(spec, X, lambda x: fn(x), lambda p: {}, *NHWC, tol)


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("spec, shape, layout", [("batchnorm1d", (8, 3), SAME), ("batchnorm1d", (4, 5, 3), NLC),
                                                 ("batchnorm2d", (3, 4, 5, 2), NHWC)])
def test_batchnorm_with_running_statistics(spec, shape, layout, np_dtype, t_dtype, tol):
    rng = np.random.default_rng(0)
    X1, X2, X3 = (rng.normal(size=shape).astype(np_dtype) * s + s for s in (1, 2, 3))
    bn = (torch.nn.BatchNorm1d if spec == "batchnorm1d" else torch.nn.BatchNorm2d)(shape[-1]).to(t_dtype)
    with torch.no_grad():
        bn.weight.copy_(_t(rng.uniform(0.5, 1.5, shape[-1]).astype(np_dtype)))
        bn.bias.copy_(_t(rng.normal(size=shape[-1]).astype(np_dtype)))
    layer = mlcore.build(spec, kind="layer")
    layer.initialize(shape[1:], np_dtype)
    layer.params["gamma"][:] = bn.weight.detach().numpy()
    layer.params["beta"][:] = bn.bias.detach().numpy()
    to_t, from_t = layout
    for X in (X1, X2):                                  # training mode: batch statistics
        Xt = _t(to_t(X), grad=True)
        Yt = from_t(bn(Xt))
        Y = layer.forward(X)
        R = rng.normal(size=Y.shape).astype(np_dtype)
        (Yt * _t(R)).sum().backward()
        dX = layer.backward(R)
        _close(Y, Yt, tol, "forward")
        _close(dX, Y_from_torch_grad(Xt.grad, to_t, X), tol, "dX")
        _close(layer.grads["gamma"], bn.weight.grad, tol, "dgamma")
        _close(layer.grads["beta"], bn.bias.grad, tol, "dbeta")
        bn.zero_grad()
    _close(layer.running_mean_, bn.running_mean, tol, "running mean")
    _close(layer.running_var_, bn.running_var, tol, "running var")
    bn.eval()
    layer.eval()
    Xt = _t(to_t(X3), grad=True)
    Yt = from_t(bn(Xt))
    R = rng.normal(size=X3.shape).astype(np_dtype)
    (Yt * _t(R)).sum().backward()
    _close(layer.forward(X3), Yt, tol, "eval forward")
    _close(layer.backward(R), Y_from_torch_grad(Xt.grad, to_t, X3), tol, "eval dX")


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("spec, shape", [("layernorm1d", (4, 6)), ("layernorm1d", (2, 3, 6)),
                                         ("layernorm2d", (2, 3, 4, 5))])
def test_layernorm(spec, shape, np_dtype, t_dtype, tol):
    rng = np.random.default_rng(0)
    X = (rng.normal(size=shape) * 2 + 1).astype(np_dtype)
    layer = mlcore.build(spec, kind="layer")
    layer.initialize(shape[1:], np_dtype)
    layer.params["gamma"][...] = rng.uniform(0.5, 1.5, layer.params["gamma"].shape)
    layer.params["beta"][...] = rng.normal(size=layer.params["beta"].shape)
    norm_shape = layer.params["gamma"].shape
    Y = layer.forward(X)
    R = rng.normal(size=Y.shape).astype(np_dtype)
    dX = layer.backward(R)
    Xt, Wt, Bt = _t(X, True), _t(layer.params["gamma"], True), _t(layer.params["beta"], True)
    Yt = F.layer_norm(Xt, norm_shape, Wt, Bt, 1e-5)
    (Yt * _t(R)).sum().backward()
    _close(Y, Yt, tol, "forward")
    _close(dX, Xt.grad, tol, "dX")
    _close(layer.grads["gamma"], Wt.grad, tol, "dgamma")
    _close(layer.grads["beta"], Bt.grad, tol, "dbeta")


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
def test_embedding(np_dtype, t_dtype, tol):
    ids = np.array([[1, 4, 4, 0], [2, 2, 2, 3]])
    layer = mlcore.build("embedding(n_out=3, vocab_size=5, random_state=0)", kind="layer")
    layer.initialize((4,), np_dtype)
    Y = layer.forward(ids)
    R = np.random.default_rng(1).normal(size=Y.shape).astype(np_dtype)
    layer.backward(R)
    Wt = _t(layer.params["W"], True)
    Yt = F.embedding(torch.from_numpy(ids), Wt)
    (Yt * _t(R)).sum().backward()
    _close(Y, Yt, tol, "forward")
    _close(layer.grads["W"], Wt.grad, tol, "dW")


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("n_heads, causal", [(1, False), (2, False), (2, True)])
def test_scaled_dot_product_attention_with_mask(n_heads, causal, np_dtype, t_dtype, tol):
    rng = np.random.default_rng(0)
    N, Tq, Tk, d, dv = 2, 4, 6, 8, 6
    Q, K, V = (rng.normal(size=s).astype(np_dtype) for s in ((N, Tq, d), (N, Tk, d), (N, Tk, dv)))
    mask = rng.uniform(size=(N, Tq, Tk)) > 0.3
    mask[:, :, 0] = True
    layer = mlcore.build(f"dot_product_attention(n_heads={n_heads}, causal={causal})", kind="layer")
    Y = layer.forward(Q, K, V, mask=mask)
    R = rng.normal(size=Y.shape).astype(np_dtype)
    dQ, dK, dV = layer.backward(R)

    def heads(x):
        return x.reshape(x.shape[0], x.shape[1], n_heads, -1).transpose(1, 2)

    Qt, Kt, Vt = (_t(a, True) for a in (Q, K, V))
    keep = torch.from_numpy(mask)[:, None]
    if causal:
        keep = keep & torch.ones(Tq, Tk, dtype=torch.bool).tril()
    Yt = F.scaled_dot_product_attention(heads(Qt), heads(Kt), heads(Vt), attn_mask=keep)
    Yt = Yt.transpose(1, 2).reshape(N, Tq, -1)
    (Yt * _t(R)).sum().backward()
    _close(Y, Yt, tol, "forward")
    for ours, t, name in ((dQ, Qt, "dQ"), (dK, Kt, "dK"), (dV, Vt, "dV")):
        _close(ours, t.grad, tol, name)


@pytest.mark.parametrize("np_dtype, t_dtype, tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses(reduction, np_dtype, t_dtype, tol):
    rng = np.random.default_rng(0)
    logits = (rng.normal(size=(6, 4)) * 3).astype(np_dtype)
    labels = rng.integers(0, 4, size=6)
    y, yp = (rng.normal(size=(6, 3)).astype(np_dtype) for _ in range(2))
    yb, pb = rng.integers(0, 2, (6, 3)).astype(np_dtype), rng.uniform(0.05, 0.95, (6, 3)).astype(np_dtype)
    cases = [
        ("softmax_cross_entropy", labels, logits, lambda z: torch.nn.CrossEntropyLoss(reduction=reduction)(
            z, torch.from_numpy(labels))),
        ("squared_error", y, yp, lambda z: torch.nn.MSELoss(reduction=reduction)(z, _t(y))),
        ("binary_cross_entropy", yb, pb, lambda z: torch.nn.BCELoss(reduction=reduction)(z, _t(yb))),
    ]
    for name, yt, pred, tfn in cases:
        loss = mlcore.build(f"{name}(reduction={reduction!r})", kind="loss")
        zt = _t(pred, True)
        lt = tfn(zt)
        lt.backward()
        assert loss.loss(yt, pred) == pytest.approx(lt.item(), rel=tol, abs=tol), name
        _close(loss.grad(yt, pred), zt.grad, tol, name)


def test_dense_initialisation_bounds_match_torch_xavier():
    """Same formula as torch.nn.init.xavier_uniform_ with calculate_gain('relu')."""
    layer = mlcore.build("dense(n_out=50, act_fn=relu, random_state=0)", kind="layer")
    layer.initialize((80,))
    w = torch.empty(50, 80, dtype=torch.float64)
    torch.nn.init.xavier_uniform_(w, gain=torch.nn.init.calculate_gain("relu"))
    bound = np.sqrt(2) * np.sqrt(6 / 130)
    assert np.abs(layer.params["W"]).max() <= bound and w.abs().max().item() <= bound
    assert layer.params["W"].std() == pytest.approx(w.std().item(), rel=0.1)
