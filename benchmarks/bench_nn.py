"""mlcore-nn benchmark: one forward + backward step per layer, and MLP training steps,
against PyTorch CPU on the same weights (float64 unless stated; rows need torch).

Workloads (issue 4): dense 256x1024 -> 1024 (float64, and float32 mode vs torch float32);
conv2d batch 32, 32x32, 16 -> 32 channels, 3x3 'same'; conv1d causal, dilation 8
(batch 32, length 1024, 32 -> 32 channels, width 3); deconv2d stride 2 (batch 32, 16x16,
32 -> 16 channels, 3x3, padding 1); max and average pooling 2x2 on 32x32x32x32; batchnorm2d
and layernorm2d on 32x32x32x32; dot-product attention 16 x 64 x 128 with 8 heads;
softmax cross-entropy on 512 x 1000 logits (fused, and as a softmax layer followed by
cross_entropy); ``sequential`` MLP 784-256-256-10 with Adam, batch 128 (float64, and
float32 vs torch float32), and float64 at batch 32 and 1024; float64 MLP rows also report a
floor: the step's GEMMs alone (issue 23). Every row also checks that the outputs and gradients agree
with torch (``quality``: the largest absolute difference).

Timing: ``mlcore`` and ``ref`` are medians of alternating single calls, so load from
other processes affects both alike. Torch runs with ``torch.set_num_threads(1)`` and
NumPy's BLAS with one thread (threadpoolctl; without it set the environment variables):
``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_nn.py [--quick]``.
"""

from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))   # for standalone runs
from _harness import paired_median_times as paired_times


def _layer_step(layer, X, R):
    def run():
        layer.forward(X)
        return layer.backward(R)
    return run


def _maxdiff(pairs):
    return max(float(np.max(np.abs(np.asarray(a) - (b.detach().numpy() if hasattr(b, "detach") else b))))
               for a, b in pairs)


def _bench_layer(torch, name, spec, X, to_t, from_t, torch_fn, params_to_t, grads_from_t, target, repeat):
    """Time forward+backward of ``spec`` and of ``torch_fn``; check agreement."""
    import mlcore

    layer = mlcore.build(spec, kind="layer")
    Y = layer.forward(X)
    R = np.random.default_rng(1).standard_normal(Y.shape).astype(X.dtype)
    Xt = torch.from_numpy(np.ascontiguousarray(to_t(X))).requires_grad_(True)
    tp = {k: torch.from_numpy(np.ascontiguousarray(v)).requires_grad_(True)
          for k, v in params_to_t(layer.params).items()}
    Rt = torch.from_numpy(np.ascontiguousarray(to_t(R)))

    def ref():
        for t in [Xt, *tp.values()]:
            t.grad = None
        out = torch_fn(Xt, **tp)
        out.backward(Rt)
        return out

    dX = _layer_step(layer, X, R)()
    out = ref()
    pairs = [(Y, from_t(out)), (dX, from_t(Xt.grad))]
    pairs += [(layer.grads[k], g) for k, g in grads_from_t(tp).items()]
    ours, theirs = paired_times(_layer_step(layer, X, R), ref, repeat)
    return {"workload": name, "mlcore": ours, "reference": f"torch {X.dtype!s} fwd+bwd", "ref": theirs,
            "quality": f"max |diff| {_maxdiff(pairs):.1e}", "target": target}


def _mlp_rows(torch, quick):
    rng = np.random.default_rng(0)
    n_batches = 4 if quick else 10
    X = rng.standard_normal((128 * n_batches, 784))
    y = rng.integers(0, 10, size=len(X))
    for dtype, tdt, target in (("float64", torch.float64, 1.0), ("float32", torch.float32, 1 / 0.7)):
        yield _mlp_row(torch, X.astype(dtype), y, dtype, tdt, target, 3 if quick else 41)
    # the ratio grows with the batch (GEMM-bound): float64 rows at batch 32 and 1024 (issue 23)
    for b, nb in ((32, 4 if quick else 20), (1024, 2 if quick else 4)):
        Xb = rng.standard_normal((b * nb, 784))
        yb = rng.integers(0, 10, size=len(Xb))
        yield _mlp_row(torch, Xb, yb, "float64", torch.float64, 1.0, 3 if quick else (41 if b < 1024 else 11), b)


def _mlp_gemm_floor(net, X, batches, batch):
    """The GEMMs of one MLP training step alone (preallocated outputs), every batch: three
    forward products, three weight gradients and two input gradients (none for the input)."""
    Ws = [layer.params["W"] for layer in net.layers_]
    dt = X.dtype
    H1, H2 = np.empty((batch, 256), dt), np.empty((batch, 256), dt)
    O = np.empty((batch, 10), dt)
    dW = [np.empty_like(W) for W in Ws]
    dH2, dH1 = np.empty((batch, 256), dt), np.empty((batch, 256), dt)

    def run():
        for s in batches:  # training steps are sequential
            x = X[s]
            np.matmul(x, Ws[0], out=H1)
            np.matmul(H1, Ws[1], out=H2)
            np.matmul(H2, Ws[2], out=O)
            np.matmul(H2.T, O, out=dW[2])
            np.matmul(O, Ws[2].T, out=dH2)
            np.matmul(H1.T, dH2, out=dW[1])
            np.matmul(dH2, Ws[1].T, out=dH1)
            np.matmul(x.T, dH1, out=dW[0])
    return run


def _mlp_row(torch, X, y, dtype, tdt, target, repeat, batch=128):
    """Adam training steps of the MLP 784-256-256-10, mlcore vs torch from the same weights."""
    import mlcore

    net = mlcore.build("sequential(layers=[dense(n_out=256, act_fn=relu), dense(n_out=256, act_fn=relu), "
                       f"dense(n_out=10)], loss=softmax_cross_entropy, optimizer=adam(lr=1e-3), "
                       f"dtype='{dtype}', random_state=0)")
    net.partial_fit(X[:batch], y[:batch], epochs=1, batch_size=batch)   # build the layers
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                                torch.nn.ReLU(), torch.nn.Linear(256, 10)).to(tdt)
    with torch.no_grad():
        for lin, layer in zip([model[0], model[2], model[4]], net.layers_):
            lin.weight.copy_(torch.from_numpy(layer.params["W"].T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.params["b"].copy()))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = net._loss_fn
    batches = [slice(i, i + batch) for i in range(0, len(X), batch)]

    def ours():
        for s in batches:  # training steps are sequential
            net._step(X[s], y[s], loss_fn)

    def ref():
        for s in batches:  # training steps are sequential
            opt.zero_grad()
            lossf(model(Xt[s]), yt[s]).backward()
            opt.step()

    a, b = paired_times(ours, ref, repeat)
    row = {"workload": f"sequential MLP 784-256-256-10 adam b{batch} {dtype}", "mlcore": a / len(batches),
           "reference": f"torch {dtype} step", "ref": b / len(batches),
           "quality": f"{len(batches) / a:.0f} vs {len(batches) / b:.0f} steps/s", "target": target}
    if dtype == "float64":
        a2, f = paired_times(ours, _mlp_gemm_floor(net, X, batches, batch), repeat)
        row.update(floor=f / len(batches), floor_mlcore=a2 / len(batches), floor_target=1.15)
    return row


def workloads(quick: bool = False):
    """Yield the rows, NumPy's BLAS limited to one thread (threadpoolctl, when installed)."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:            # fall back on OMP_NUM_THREADS / OPENBLAS_NUM_THREADS
        yield from _workloads(torch, quick)
        return
    with threadpool_limits(limits=1):
        yield from _workloads(torch, quick)


def _workloads(torch, quick):
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    rep = 3 if quick else 9
    nhwc = (lambda a: a.transpose(0, 3, 1, 2), lambda t: t.permute(0, 2, 3, 1))
    nlc = (lambda a: a.transpose(0, 2, 1), lambda t: t.permute(0, 2, 1))
    same = (lambda a: a, lambda t: t)
    conv_w = lambda p: {"weight": p["W"].transpose(3, 2, 0, 1), "bias": p["b"]}
    conv_g = lambda tp: {"W": tp["weight"].grad.permute(2, 3, 1, 0), "b": tp["bias"].grad}
    b = 8 if quick else 32

    for dtype, target in (("float64", 1.1), ("float32", 1.3)):
        X = rng.standard_normal((256, 1024)).astype(dtype)
        yield _bench_layer(torch, f"dense 256x1024->1024 {dtype}", "dense(n_out=1024, random_state=0)", X, *same,
                           lambda x, weight, bias: F.linear(x, weight, bias),
                           lambda p: {"weight": p["W"].T, "bias": p["b"]},
                           lambda tp: {"W": tp["weight"].grad.T, "b": tp["bias"].grad}, target, rep)
    X = rng.standard_normal((b, 32, 32, 16))
    yield _bench_layer(torch, f"conv2d {b}x32x32 16->32 3x3 same", "conv2d(out_ch=32, kernel_shape=3, pad=1, "
                       "random_state=0)", X, *nhwc, lambda x, weight, bias: F.conv2d(x, weight, bias, padding=1),
                       conv_w, conv_g, 1.0, rep)
    X = rng.standard_normal((b, 1024, 32))
    yield _bench_layer(torch, f"conv1d causal dil 8 {b}x1024 32->32 k3",
                       "conv1d(out_ch=32, kernel_width=3, pad='causal', dilation=8, random_state=0)", X, *nlc,
                       lambda x, weight, bias: F.conv1d(F.pad(x, (16, 0)), weight, bias, dilation=8),
                       lambda p: {"weight": p["W"].transpose(2, 1, 0), "bias": p["b"]},
                       lambda tp: {"W": tp["weight"].grad.permute(2, 1, 0), "b": tp["bias"].grad}, 1.0, rep)
    X = rng.standard_normal((b, 16, 16, 32))
    yield _bench_layer(torch, f"deconv2d stride 2 {b}x16x16 32->16 3x3 p1",
                       "deconv2d(out_ch=16, kernel_shape=3, stride=2, pad=1, random_state=0)", X, *nhwc,
                       lambda x, weight, bias: F.conv_transpose2d(x, weight, bias, stride=2, padding=1),
                       lambda p: {"weight": p["W"].transpose(2, 3, 0, 1), "bias": p["b"]},
                       lambda tp: {"W": tp["weight"].grad.permute(2, 3, 0, 1), "b": tp["bias"].grad}, 3.0, rep)
    X = rng.standard_normal((b, 32, 32, 32))
    none = (lambda p: {}, lambda tp: {})
    yield _bench_layer(torch, f"maxpool 2x2 {b}x32x32x32", "pool2d(kernel_shape=2)", X, *nhwc,
                       lambda x: F.max_pool2d(x, 2), *none, 3.0, rep)
    yield _bench_layer(torch, f"avgpool 2x2 {b}x32x32x32", "pool2d(kernel_shape=2, mode='average')", X, *nhwc,
                       lambda x: F.avg_pool2d(x, 2), *none, 3.0, rep)
    rm, rv = torch.zeros(32, dtype=torch.float64), torch.ones(32, dtype=torch.float64)
    yield _bench_layer(torch, f"batchnorm2d train {b}x32x32x32", "batchnorm2d", X, *nhwc,
                       lambda x, weight, bias: F.batch_norm(x, rm, rv, weight, bias, training=True),
                       lambda p: {"weight": p["gamma"], "bias": p["beta"]},
                       lambda tp: {"gamma": tp["weight"].grad, "beta": tp["bias"].grad}, 2.5, rep)
    yield _bench_layer(torch, f"layernorm2d {b}x32x32x32", "layernorm2d", X, *same,
                       lambda x, weight, bias: F.layer_norm(x, (32, 32, 32), weight, bias),
                       lambda p: {"weight": p["gamma"], "bias": p["beta"]},
                       lambda tp: {"gamma": tp["weight"].grad, "beta": tp["bias"].grad}, 2.5, rep)
    X = rng.standard_normal((16, 64, 128))

    def sdpa(x):
        h = x.reshape(16, 64, 8, 16).transpose(1, 2)
        return F.scaled_dot_product_attention(h, h, h).transpose(1, 2).reshape(16, 64, 128)

    yield _bench_layer(torch, "attention 16x64x128 8 heads (self)", "dot_product_attention(n_heads=8)", X, *same,
                       sdpa, *none, 2.0, rep)

    yield from _softmax_rows(torch, rep)
    yield from _mlp_rows(torch, quick)


def _softmax_rows(torch, rep):
    import mlcore

    F = torch.nn.functional
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((512, 1000)) * 3
    labels = rng.integers(0, 1000, size=512)
    fused = mlcore.build("softmax_cross_entropy", kind="loss")
    Zt = torch.from_numpy(Z).requires_grad_(True)
    lt = torch.from_numpy(labels)

    def ref():
        Zt.grad = None
        loss = F.cross_entropy(Zt, lt)
        loss.backward()
        return loss

    val, g = fused.loss_and_grad(labels, Z)
    tl = ref()
    q = f"max |diff| {max(abs(val - tl.item()), _maxdiff([(g, Zt.grad)])):.1e}"
    a, b = paired_times(lambda: fused.loss_and_grad(labels, Z), ref, rep)
    yield {"workload": "softmax_cross_entropy 512x1000 loss+grad", "mlcore": a, "reference": "torch cross_entropy",
           "ref": b, "quality": q, "target": 2.0}

    sm = mlcore.build("softmax", kind="layer")
    ce = mlcore.build("cross_entropy", kind="loss")

    def chain():
        P = sm.forward(Z)
        ce.loss(labels, P)
        return sm.backward(ce.grad(labels, P))

    def ref_chain():
        Zt.grad = None
        loss = F.nll_loss(torch.log(F.softmax(Zt, dim=1)), lt)
        loss.backward()
        return loss

    dZ = chain()
    ref_chain()
    q = f"max |diff| {_maxdiff([(dZ, Zt.grad)]):.1e}"
    a, b = paired_times(chain, ref_chain, rep)
    yield {"workload": "softmax layer -> cross_entropy 512x1000", "mlcore": a, "reference": "torch softmax,log,nll",
           "ref": b, "quality": q, "target": 2.0}


if __name__ == "__main__":
    for row in workloads(quick="--quick" in sys.argv):
        print(f"{row['workload']:48} {row['mlcore'] * 1e3:9.2f} ms  {row['ref'] * 1e3:9.2f} ms  "
              f"{row['mlcore'] / row['ref']:6.2f}x (target {row['target']:.2g}x)  {row['quality']}", flush=True)
