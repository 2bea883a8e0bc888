"""mlcore-nn part 2 (issue 5): recurrent layers and multi-head attention against PyTorch CPU
(same weights, forward + backward per call), and word2vec training throughput.

Workloads: lstm and rnn, batch 32, 50 steps, 64 -> 128, float64 vs torch float64 (target
1.0x) and float32 vs torch float32 (target 1.5x); multi_head_attention 16 x 64 x 128 with 8
heads, float64 vs torch float64 (target 2x); word2vec skip-gram, negative 5, dim 100, words
per second beside gensim's when gensim is installed. ``quality`` is the largest absolute
difference of outputs and gradients against torch (rows need torch). Torch runs with
``torch.set_num_threads(1)``; run with single-threaded BLAS (make bench sets it). The two
sides are timed alternately (median of 15 each) because the benchmark machine is shared.
"""

from __future__ import annotations

import gc
import time

import numpy as np


def _interleaved(ours, theirs, repeat):
    """Median times of ``ours`` and ``theirs`` timed alternately (after one warm-up each),
    so that load from other processes on the shared machine hits both sides alike."""
    ours()
    theirs()
    a, b = [], []
    for _ in range(repeat):  # alternate the two measurements
        for fn, out in ((ours, a), (theirs, b)):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return float(np.median(a)), float(np.median(b))


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def _recurrent_row(torch, kind, dtype, target, repeat):
    from mlcore_nn.recurrent import to_torch_state

    import mlcore

    n, T, F, H = 32, 50, 64, 128
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, T, F)).astype(dtype)
    R = rng.normal(size=(n, T, H)).astype(dtype)
    layer = mlcore.build(f"{kind}(n_out={H}, random_state=0)")
    layer.initialize((T, F), dtype)

    def ours():
        layer.forward(X)
        return layer.backward(R)

    tdt = getattr(torch, dtype)
    m = (torch.nn.LSTM if kind == "lstm" else torch.nn.RNN)(F, H, batch_first=True).to(tdt)
    m.load_state_dict({k: torch.from_numpy(v) for k, v in to_torch_state(layer.params).items()})
    Xt = torch.from_numpy(X).requires_grad_(True)
    Rt = torch.from_numpy(R)

    def theirs():
        m.zero_grad()
        Xt.grad = None
        out, _ = m(Xt)
        out.backward(Rt)

    t_ours, t_ref = _interleaved(ours, theirs, repeat)
    Y = layer.forward(X)
    dX = layer.backward(R)
    theirs()
    out, _ = m(Xt)
    diff = max(np.abs(Y - out.detach().numpy()).max(), np.abs(dX - Xt.grad.numpy()).max(),
               np.abs(layer.grads["W_hh"] - m.weight_hh_l0.grad.numpy().T).max())
    row = {"workload": f"{kind} fwd+bwd 32x50, 64->128 ({dtype})", "mlcore": t_ours,
           "reference": f"torch.nn.{kind.upper()} {dtype}", "ref": t_ref, "quality": f"max |diff| {diff:.1e}",
           "target": target}
    if kind == "lstm":
        t_f_ours, t_floor = _interleaved(ours, _lstm_gemm_floor(n, T, F, H, dtype), repeat)
        row.update(floor=t_floor, floor_mlcore=t_f_ours, floor_target=1.15)
    return row


def _lstm_gemm_floor(n, T, F, H, dtype):
    """The GEMMs of an LSTM forward + backward alone (preallocated outputs): the input
    projection, one recurrent product per step forward and one per step backward, and the
    three weight / input gradients as single products over all steps."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n * T, F)).astype(dtype)
    W_ih = rng.normal(size=(F, 4 * H)).astype(dtype)
    W_hh = rng.normal(size=(H, 4 * H)).astype(dtype)
    Hs = rng.normal(size=(T, n, H)).astype(dtype)
    dG = rng.normal(size=(T, n, 4 * H)).astype(dtype)
    G = np.empty((n * T, 4 * H), dtype)
    g = np.empty((n, 4 * H), dtype)
    dh = np.empty((n, H), dtype)
    dW_ih, dW_hh, dX = np.empty_like(W_ih), np.empty_like(W_hh), np.empty_like(X)
    dG2 = dG.reshape(n * T, 4 * H)
    Hp = Hs.reshape(n * T, H)

    def run():
        np.matmul(X, W_ih, out=G)
        for t in range(T):  # forward recurrence: sequential in t
            np.matmul(Hs[t], W_hh, out=g)
        for t in range(T - 1, -1, -1):  # backward recurrence
            np.matmul(dG[t], W_hh.T, out=dh)
        np.matmul(Hp.T, dG2, out=dW_hh)
        np.matmul(X.T, dG2, out=dW_ih)
        np.matmul(dG2, W_ih.T, out=dX)
    return run


def _mha_row(torch, repeat):
    import mlcore

    n, T, d, h = 16, 64, 128, 8
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, T, d))
    R = rng.normal(size=(n, T, d))
    layer = mlcore.build(f"multi_head_attention(n_heads={h}, random_state=0)")
    layer.forward(X)
    m = torch.nn.MultiheadAttention(d, h, batch_first=True, dtype=torch.float64)
    p = {k: torch.from_numpy(v) for k, v in layer.params.items()}
    with torch.no_grad():
        m.in_proj_weight.copy_(torch.cat([p["W_q"].T, p["W_k"].T, p["W_v"].T]))
        m.in_proj_bias.copy_(torch.cat([p["b_q"], p["b_k"], p["b_v"]]))
        m.out_proj.weight.copy_(p["W_o"].T)
        m.out_proj.bias.copy_(p["b_o"])
    Xt = torch.from_numpy(X).requires_grad_(True)
    Rt = torch.from_numpy(R)

    def ours():
        layer.forward(X)
        return layer.backward(R)

    def theirs():
        m.zero_grad()
        Xt.grad = None
        y, _ = m(Xt, Xt, Xt, need_weights=False)
        y.backward(Rt)
        return y

    t_ours, t_ref = _interleaved(ours, theirs, repeat)
    dX = ours()
    Y = layer.forward(X)
    y = theirs()
    diff = max(np.abs(Y - y.detach().numpy()).max(), np.abs(dX - Xt.grad.numpy()).max())
    return {"workload": "multi_head_attention 16x64x128, 8 heads (float64)", "mlcore": t_ours,
            "reference": "torch.nn.MultiheadAttention f64", "ref": t_ref, "quality": f"max |diff| {diff:.1e}",
            "target": 2.0}


def _word2vec_row(quick):
    import time

    from mlcore_nn._demo_word2vec import corpus

    import mlcore

    sents = corpus(n_sentences=2000 if quick else 20000, seed=0)
    n_words = sum(len(s) for s in sents)
    model = mlcore.build("word2vec(embedding_dim=100, window=5, negative=5, epochs=1, random_state=0)")
    t0 = time.perf_counter()
    model.fit(sents)
    ours = time.perf_counter() - t0
    row = {"workload": f"word2vec skip-gram neg 5 dim 100, {n_words} words", "mlcore": ours,
           "quality": f"{n_words / ours:,.0f} words/s (incl. vocabulary)"}
    try:
        from gensim.models import Word2Vec as GensimW2V
    except ImportError:
        row["reference"] = "gensim (not installed)"
        return row
    t0 = time.perf_counter()
    GensimW2V(sents, vector_size=100, window=5, negative=5, sg=1, epochs=1, workers=1, min_count=1, seed=0)
    ref = time.perf_counter() - t0
    row.update(reference="gensim Word2Vec (workers=1)", ref=ref,
               quality=row["quality"] + f"; gensim {n_words / ref:,.0f} words/s")
    return row


def workloads(quick=False):
    torch = _torch()
    repeat = 3 if quick else 41
    if torch is not None:
        for kind in ("lstm", "rnn"):
            yield _recurrent_row(torch, kind, "float64", 1.0, repeat)
            yield _recurrent_row(torch, kind, "float32", 1.5, repeat)
        yield _mha_row(torch, repeat)
    yield _word2vec_row(quick)
