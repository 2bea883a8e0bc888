"""multi_head_attention vs torch.nn.MultiheadAttention (batch_first=True, float64, same
weights): outputs, input and parameter gradients to 1e-10, for sequence lengths 1 and > 1,
self- and cross-attention, boolean and float masks, over 5 steps with SGD updates."""

import numpy as np
import pytest

import mlcore

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
TOL = 1e-10


def _close(ours, theirs, what):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL, err_msg=what)


def _torch_module(layer, d, kdim, vdim, bias=True):
    m = torch.nn.MultiheadAttention(d, layer.n_heads, batch_first=True, kdim=kdim, vdim=vdim, bias=bias,
                                    dtype=torch.float64)
    p = {k: torch.from_numpy(v.copy()) for k, v in layer.params.items()}
    with torch.no_grad():
        if kdim == vdim == d:
            m.in_proj_weight.copy_(torch.cat([p["W_q"].T, p["W_k"].T, p["W_v"].T]))
        else:
            m.q_proj_weight.copy_(p["W_q"].T)
            m.k_proj_weight.copy_(p["W_k"].T)
            m.v_proj_weight.copy_(p["W_v"].T)
        m.out_proj.weight.copy_(p["W_o"].T)
        if bias:
            m.in_proj_bias.copy_(torch.cat([p["b_q"], p["b_k"], p["b_v"]]))
            m.out_proj.bias.copy_(p["b_o"])
    return m


def _torch_grads(m, d, same):
    if same:
        W = m.in_proj_weight.grad
        g = {"W_q": W[:d].T, "W_k": W[d:2 * d].T, "W_v": W[2 * d:].T}
    else:
        g = {"W_q": m.q_proj_weight.grad.T, "W_k": m.k_proj_weight.grad.T, "W_v": m.v_proj_weight.grad.T}
    g["W_o"] = m.out_proj.weight.grad.T
    if m.in_proj_bias is not None:
        b = m.in_proj_bias.grad
        g.update({"b_q": b[:d], "b_k": b[d:2 * d], "b_v": b[2 * d:], "b_o": m.out_proj.bias.grad})
    return g


CASES = [  # (Tq, Tk, kdim, vdim, self_attention, mask kind, bias)
    (1, 1, 8, 8, True, None, True), (5, 5, 8, 8, True, None, True), (5, 5, 8, 8, True, "causal", True),
    (4, 6, 8, 8, False, "padding", True), (1, 6, 8, 8, False, "float", True), (3, 7, 5, 6, False, "both", True),
    (4, 4, 8, 8, True, "padding", False),
]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_multi_head_attention_matches_torch_over_five_updates(case):
    Tq, Tk, kdim, vdim, selfatt, mask_kind, bias = case
    rng = np.random.default_rng(0)
    n, d, h = 3, 8, 2
    layer = mlcore.build(f"multi_head_attention(n_heads={h}, bias={bias}, random_state=0)")
    layer.initialize((Tq, d), kdim=kdim, vdim=vdim)
    for v in layer.params.values():
        v += 0.1 * rng.normal(size=v.shape)
    m = _torch_module(layer, d, kdim, vdim, bias)
    opt = mlcore.build("sgd(lr=0.1)", kind="optimizer")
    topt = torch.optim.SGD(m.parameters(), lr=0.1)
    for step in range(5):
        Q = rng.normal(size=(n, Tq, d))
        K = Q if selfatt else rng.normal(size=(n, Tk, kdim))
        V = Q if selfatt else rng.normal(size=(n, Tk, vdim))
        am = kpm = None
        if mask_kind in ("causal",):
            am = np.triu(np.ones((Tq, Tk), dtype=bool), 1)
        if mask_kind in ("float", "both"):
            am = rng.normal(size=(Tq, Tk))
        if mask_kind in ("padding", "both"):
            kpm = np.zeros((n, Tk), dtype=bool)
            kpm[0, -2:] = True
            kpm[2, :1] = True
            if mask_kind == "both":      # torch wants both masks of one type: float padding mask
                kpm = np.where(kpm, -np.inf, 0.0)
        Y = layer.forward(Q, attn_mask=am, key_padding_mask=kpm) if selfatt else \
            layer.forward(Q, K, V, attn_mask=am, key_padding_mask=kpm)
        ts = [torch.from_numpy(a).requires_grad_(True) for a in (Q, K, V)] if not selfatt else \
            [torch.from_numpy(Q).requires_grad_(True)] * 3
        Yt, _ = m(*ts, attn_mask=None if am is None else torch.from_numpy(am),
                  key_padding_mask=None if kpm is None else torch.from_numpy(kpm), need_weights=False)
        _close(Y, Yt, f"forward, step {step}")
        R = rng.normal(size=Y.shape)
        topt.zero_grad()
        (Yt * torch.from_numpy(R)).sum().backward()
        dX = layer.backward(R)
        if selfatt:
            _close(dX, ts[0].grad, f"dQ (self-attention), step {step}")
        else:
            for ours, t, name in zip(dX, ts, "QKV"):
                _close(ours, t.grad, f"d{name}, step {step}")
        for k, g in _torch_grads(m, d, kdim == vdim == d).items():
            _close(layer.grads[k], g, f"grad {k}, step {step}")
        opt.step(layer.params, layer.grads)
        topt.step()
