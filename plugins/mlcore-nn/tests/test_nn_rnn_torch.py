"""PyTorch parity of the recurrent layers and cells (make test-torch). Reference:
torch.nn.RNN / LSTM (incl. bidirectional) / RNNCell / LSTMCell in float64 with the same
weights (weight_ih = W_ih.T, weight_hh = W_hh.T, bias_ih = b_ih, bias_hh = b_hh); tolerance
1e-10 absolute and relative on outputs, input, state and parameter gradients."""

import numpy as np
import pytest

import mlcore

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
TOL = 1e-10


def _close(ours, theirs, what):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL, err_msg=what)


def _load(module, params, suffixes=("",), cell=False):
    sd = {}
    for suf in suffixes:
        tail = suf if cell else "_l0" + suf
        sd[f"weight_ih{tail}"] = torch.from_numpy(params["W_ih" + suf].T.copy())
        sd[f"weight_hh{tail}"] = torch.from_numpy(params["W_hh" + suf].T.copy())
        sd[f"bias_ih{tail}"] = torch.from_numpy(params["b_ih" + suf].copy())
        sd[f"bias_hh{tail}"] = torch.from_numpy(params["b_hh" + suf].copy())
    module.load_state_dict(sd)


def _check_grads(layer, module, suffixes=("",), cell=False):
    for suf in suffixes:
        tail = suf if cell else "_l0" + suf
        _close(layer.grads["W_ih" + suf], getattr(module, f"weight_ih{tail}").grad.T, "dW_ih" + suf)
        _close(layer.grads["W_hh" + suf], getattr(module, f"weight_hh{tail}").grad.T, "dW_hh" + suf)
        _close(layer.grads["b_ih" + suf], getattr(module, f"bias_ih{tail}").grad, "db_ih" + suf)
        _close(layer.grads["b_hh" + suf], getattr(module, f"bias_hh{tail}").grad, "db_hh" + suf)


CASES = [("rnn(n_out=6, random_state=0)", {"mode": "RNN"}),
         ("rnn(n_out=6, nonlinearity='relu', random_state=0)", {"mode": "RNN", "nonlinearity": "relu"}),
         ("lstm(n_out=6, random_state=0)", {"mode": "LSTM"}),
         ("lstm(n_out=6, return_sequences=False, random_state=0)", {"mode": "LSTM", "last": True}),
         ("bidirectional_lstm(n_out=6, random_state=0)", {"mode": "LSTM", "bi": True}),
         ("bidirectional_lstm(n_out=6, return_sequences=False, random_state=0)", {"mode": "LSTM", "bi": True, "last": True})]


@pytest.mark.parametrize("spec, cfg", CASES, ids=[c[0] for c in CASES])
def test_sequence_layers_match_torch_over_five_sequences_with_updates(spec, cfg):
    rng = np.random.default_rng(0)
    n, T, F, H = 4, 7, 5, 6
    layer = mlcore.build(spec)
    opt = mlcore.build("sgd(lr=0.1)", kind="optimizer")
    bi = cfg.get("bi", False)
    sufs = ("", "_reverse") if bi else ("",)
    layer.initialize((T, F))
    for v in layer.params.values():
        v[...] = rng.uniform(-0.5, 0.5, size=v.shape)
    cls = torch.nn.LSTM if cfg["mode"] == "LSTM" else torch.nn.RNN
    kw = {"nonlinearity": cfg["nonlinearity"]} if "nonlinearity" in cfg else {}
    m = cls(F, H, batch_first=True, bidirectional=bi, dtype=torch.float64, **kw)
    _load(m, layer.params, sufs)
    topt = torch.optim.SGD(m.parameters(), lr=0.1)
    D = 2 if bi else 1
    for seq in range(5):   # same instances: forward, backward, update on 5 sequences in a row
        Tn = T + seq % 3 - 1                              # varying lengths too
        X = rng.normal(size=(n, Tn, F))
        h0 = rng.normal(size=(D, n, H))
        c0 = rng.normal(size=(D, n, H))
        states = (h0, c0) if cfg["mode"] == "LSTM" else (h0,)
        ours_states = states if bi else tuple(s[0] for s in states)
        Y = layer.forward(X, *ours_states)
        Xt = torch.from_numpy(X).requires_grad_(True)
        st = [torch.from_numpy(s).requires_grad_(True) for s in states]
        out, hn = m(Xt, tuple(st) if cfg["mode"] == "LSTM" else st[0])
        hN = hn[0] if cfg["mode"] == "LSTM" else hn
        if cfg.get("last"):
            Yt = torch.cat([hN[0], hN[1]], dim=1) if bi else hN[0]
        else:
            Yt = out
        _close(Y, Yt, f"forward, sequence {seq}")
        R = rng.normal(size=Y.shape)
        dX = layer.backward(R)
        topt.zero_grad()
        (Yt * torch.from_numpy(R)).sum().backward()
        _close(dX, Xt.grad, f"dX, sequence {seq}")
        for ours, t in zip(layer.state_grads, st):
            _close(ours, t.grad if bi else t.grad[0], f"initial state gradient, sequence {seq}")
        _check_grads(layer, m, sufs)
        opt.step(layer.params, layer.grads)
        topt.step()
    final = {k: v.detach().numpy() for k, v in m.state_dict().items()}
    _close(layer.params["W_hh"], final["weight_hh_l0"].T, "W_hh after 5 updates")


@pytest.mark.parametrize("kind", ["rnn_cell", "lstm_cell"])
def test_cells_unrolled_match_torch_cells_over_five_sequences_with_updates(kind):
    rng = np.random.default_rng(1)
    n, F, H = 3, 4, 5
    lstm = kind == "lstm_cell"
    cell = mlcore.build(f"{kind}(n_out={H}, random_state=0)")
    cell.initialize((F,))
    opt = mlcore.build("sgd(lr=0.05)", kind="optimizer")
    m = (torch.nn.LSTMCell if lstm else torch.nn.RNNCell)(F, H, dtype=torch.float64)
    _load(m, cell.params, cell=True)
    topt = torch.optim.SGD(m.parameters(), lr=0.05)
    for seq in range(5):
        T = 3 + seq
        X = rng.normal(size=(n, T, F))
        R = rng.normal(size=(n, T, H))
        h = c = None
        hs = []
        for t in range(T):
            h = cell.forward(X[:, t], h, c) if lstm else cell.forward(X[:, t], h)
            c = cell.last_state[-1]
            hs.append(h)
        Xt = torch.from_numpy(X).requires_grad_(True)
        ht = torch.zeros(n, H, dtype=torch.float64)
        ct = torch.zeros(n, H, dtype=torch.float64)
        outs = []
        for t in range(T):
            if lstm:
                ht, ct = m(Xt[:, t], (ht, ct))
            else:
                ht = m(Xt[:, t], ht)
            outs.append(ht)
        Yt = torch.stack(outs, 1)
        _close(np.stack(hs, 1), Yt, f"forward, sequence {seq}")
        topt.zero_grad()
        (Yt * torch.from_numpy(R)).sum().backward()
        dX = np.empty_like(X)
        dh = dc = 0
        for t in reversed(range(T)):
            dX[:, t] = cell.backward(R[:, t] + dh, dc) if lstm else cell.backward(R[:, t] + dh)
            dh, dc = (cell.state_grads + (0,))[:2]
        _close(dX, Xt.grad, f"dX, sequence {seq}")
        _check_grads(cell, m, cell=True)
        opt.step(cell.params, cell.grads)
        topt.step()


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_float32_mode_and_state_dict_conversion_match_torch(kind):
    """float32 computation (tolerance 1e-4, as the other layers' float32 parity tests) with
    weights imported from a torch module by from_torch_state."""
    from mlcore_nn.recurrent import from_torch_state, to_torch_state

    torch.manual_seed(0)
    m = (torch.nn.LSTM if kind == "lstm" else torch.nn.RNN)(4, 5, batch_first=True)       # float32
    layer = mlcore.build(f"{kind}(n_out=5, random_state=0)")
    layer.initialize((6, 4), "float32")
    layer.params = from_torch_state(m.state_dict())
    back = to_torch_state(layer.params)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(back[k], v.numpy())
    X = np.random.default_rng(0).normal(size=(3, 6, 4)).astype(np.float32)
    Y = layer.forward(X)
    assert Y.dtype == np.float32
    R = np.random.default_rng(1).normal(size=Y.shape).astype(np.float32)
    dX = layer.backward(R)
    Xt = torch.from_numpy(X).requires_grad_(True)
    out, _ = m(Xt)
    (out * torch.from_numpy(R)).sum().backward()
    np.testing.assert_allclose(Y, out.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.grads["W_hh"], m.weight_hh_l0.grad.numpy().T, rtol=1e-4, atol=1e-4)
