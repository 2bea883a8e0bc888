"""The recurrences of the ``rnn`` and ``lstm`` layers as functions of arrays.

``lstm_forward``/``rnn_forward`` run a whole sequence (the input projection of all time
steps is one matrix product; the recurrence is a loop over time, inherently sequential,
whose every operation is vectorised over the batch) and return the outputs with what
``lstm_backward``/``rnn_backward`` need for backpropagation through time, which runs the
same loop backwards. The layers of :mod:`mlcore_nn.recurrent`,
:mod:`mlcore_nn.recurrent_cells` and :mod:`mlcore_nn.bidirectional` are built on them;
:mod:`mlcore_nn.layers._reference` has the LSTM written step by step (tested equal).

Weights and PyTorch
-------------------
Parameters are stored input-major, ``W_ih (n_in, G*H)``, ``W_hh (H, G*H)`` and two
biases ``b_ih, b_hh (G*H,)`` (G = 4 for the LSTM, 1 for the RNN), gates in PyTorch's
order ``(i, f, g, o)``. For ``torch.nn.LSTM`` / ``torch.nn.RNN`` (``batch_first=True``):
``weight_ih_l0 = W_ih.T``, ``weight_hh_l0 = W_hh.T``, ``bias_ih_l0 = b_ih``,
``bias_hh_l0 = b_hh``. The two biases only appear as their sum (and get the same
gradient), but both are kept so that an optimizer step moves the weights exactly as
torch's does. :func:`to_torch_state` / :func:`from_torch_state` do the conversion.
"""

from __future__ import annotations

import numpy as np

from .layers._base import colsum

__all__ = ["from_torch_state", "lstm_backward", "lstm_forward", "rnn_backward", "rnn_forward", "to_torch_state"]


def _gate_affine(H, dtype):
    """Scale and offset turning tanh(z * s) into sigmoid(z) on the i, f, o columns.

    sigmoid(z) = (1 + tanh(z / 2)) / 2, so one tanh over all 4H columns gives every gate;
    the 1/2 is folded into the weights (an exact scaling in floating point).
    """
    s = np.full(4 * H, 0.5, dtype=dtype)
    s[2 * H:3 * H] = 1.0
    off = np.full(4 * H, 0.5, dtype=dtype)
    off[2 * H:3 * H] = 0.0
    return s, off


def _empty(name, shape, dtype):
    return np.empty(shape, dtype=dtype)


def _project(X, W_ih, b, ws=_empty, prefix=""):
    """Input projection of every step at once: (T, n, G*H) = X^T W_ih + b (one GEMM)."""
    n, T, F = X.shape
    Xt = ws(prefix + "Xt", (T, n, F), X.dtype)
    Xt[...] = X.transpose(1, 0, 2)
    Xt = Xt.reshape(T * n, F)
    Z = ws(prefix + "Z", (T * n, W_ih.shape[1]), np.result_type(X, W_ih))
    np.matmul(Xt, W_ih, out=Z)
    Z += b
    return Xt, Z.reshape(T, n, -1)


def lstm_forward(X, W_ih, W_hh, b, h0=None, c0=None, need_grad=True, ws=_empty, prefix=""):
    """LSTM over a batch of sequences. Returns ``(H_all (T+1, n, H), cache)``; H_all[0] = h0.

    i, f, o = sigmoid(.), g = tanh(.) of x_t W_ih + h_{t-1} W_hh + b (columns i, f, g, o);
    c_t = f * c_{t-1} + i * g; h_t = o * tanh(c_t). With ``need_grad`` the step also
    stores the local derivatives BPTT needs (computed while the step's data are in
    cache). ``ws(name, shape, dtype)`` supplies reusable work arrays.

    Each step works on gate-major (4, n, H) blocks: the step's input projection is copied
    into one (a cheap strided copy) and the recurrent product h_(t-1) W_hh arrives in that
    layout from one batched product with the (4, H, H) stack of per-gate weights, so every
    elementwise ufunc of the loop runs on contiguous, same-shape operands (NumPy is several
    times slower on strided column slices such as ``z[:, H:2H]`` or on broadcast operands).
    The local derivatives of three gates and of h come from two calls on a stacked block
    (see ``K`` below): NumPy's per-call dispatch, not arithmetic, dominates at these sizes.
    """
    n, T, _ = X.shape
    H = W_hh.shape[0]
    dt = np.result_type(X, W_ih)
    s, off = _gate_affine(H, dt)
    Xt, G = _project(X, W_ih * s, b * s, ws, prefix)   # G: (T, n, 4H), scaled pre-activations
    Whg = np.ascontiguousarray((W_hh * s).reshape(H, 4, H).transpose(1, 0, 2))   # Whg[k]: gate k
    s = np.ascontiguousarray(np.broadcast_to(s.reshape(4, 1, H), (4, n, H)))      # same-shape operands
    off = np.ascontiguousarray(np.broadcast_to(off.reshape(4, 1, H), (4, n, H)))
    Hs = ws(prefix + "Hs", (T + 1, n, H), dt)
    C = ws(prefix + "C", (T + 1, n, H), dt)
    # per step [i, f, g, o, tanh(c_t)], gate-major; one slot only without need_grad
    A = ws(prefix + ("A" if need_grad else "A1"), (T if need_grad else 1, 5, n, H), dt)
    Hs[0] = 0 if h0 is None else h0
    C[0] = 0 if c0 is None else c0
    if need_grad:
        # K[t] = [g i (1-i), c_(t-1) f (1-f), i (1-g^2), tanh(c) o (1-o), o (1-tanh(c)^2)]
        #      = S - S * A[t] with S = [i g, f c_(t-1), i (1+g), h, o (1+tanh(c))]:
        # dz_(i,f,g) = dc * K[t, :3], dz_o = dh * K[t, 3], dc += dh * K[t, 4]
        K = ws(prefix + "K", (T, 5, n, H), dt)
    S = np.empty((5, n, H), dtype=dt)
    tmpg = np.empty((4, n, H), dtype=dt)
    for t in range(T):  # the recurrence is sequential in time; each step is vectorised
        at = A[t if need_grad else 0]
        a = at[:4]
        a[...] = G[t].reshape(n, 4, H).transpose(1, 0, 2)
        np.matmul(Hs[t], Whg, out=tmpg)                   # the four gates' h_(t-1) W_hh
        a += tmpg
        np.tanh(a, out=a)
        a *= s
        a += off                                          # a now holds [i, f, g, o]
        i, f, g, o = a
        np.multiply(i, g, out=S[0])                       # i g
        np.multiply(f, C[t], out=S[1])                    # f c_(t-1)
        np.add(S[1], S[0], out=C[t + 1])                  # c_t
        tc = at[4]
        np.tanh(C[t + 1], out=tc)
        h = Hs[t + 1]
        np.multiply(o, tc, out=h)
        if need_grad:
            np.add(i, S[0], out=S[2])                     # i (1 + g)
            S[3] = h
            np.add(o, h, out=S[4])                        # o (1 + tanh(c))
            k = K[t]
            np.multiply(S, at, out=k)
            np.subtract(S, k, out=k)
    cache = (Xt, A, Hs, C, K if need_grad else None, X.shape, ws, prefix)
    return Hs, cache


def lstm_backward(cache, dH, W_ih, W_hh, dhT=None, dcT=None):
    """BPTT for :func:`lstm_forward` (run with ``need_grad=True``).

    ``dH``: dL/dh_t, shape (T, n, H) (or None); ``dhT``, ``dcT``: extra gradient on the
    final states. Returns ``(dX (n, T, n_in), dW_ih, dW_hh, db, dh0, dc0)``.

    Backward of one step (d. = dL/d.): dc += dh * o * (1 - tanh(c)^2); d_o = dh * tanh(c);
    d_i = dc * g; d_f = dc * c_{t-1}; d_g = dc * i; the pre-activation gradients multiply
    these by sigmoid' = a (1 - a) or tanh' = 1 - g^2; dh_{t-1} = dZ W_hh^T; dc_{t-1} = dc * f.
    The step works on gate-major (4, n, H) blocks and copies them once into dZ[t].
    """
    Xt, A, Hs, _C, local, xshape, ws, prefix = cache
    if local is None:
        raise RuntimeError("backward needs a forward in training mode (need_grad=True)")
    K = local
    n, T, F = xshape
    H = W_hh.shape[0]
    dt = A.dtype
    WhT = np.ascontiguousarray(W_hh.T)
    dZ = ws(prefix + "dZ", (T, n, 4 * H), dt)
    dh = np.zeros((n, H), dtype=dt) if dhT is None else np.array(dhT, dtype=dt)
    dc = np.zeros((n, H), dtype=dt) if dcT is None else np.array(dcT, dtype=dt)
    dg = np.empty((5, n, H), dtype=dt)                      # gate-major dz_t, then dh * P
    for t in range(T - 1, -1, -1):  # BPTT: sequential in time, vectorised over the batch
        if dH is not None:
            dh += dH[t]
        np.multiply(dh, K[t, 3:], out=dg[3:])             # dz_o and dh o (1 - tanh(c)^2)
        dc += dg[4]
        np.multiply(dc, K[t, :3], out=dg[:3])
        dc *= A[t, 1]
        dz = dZ[t]
        dz.reshape(n, 4, H)[...] = dg[:4].transpose(1, 0, 2)
        np.matmul(dz, WhT, out=dh)
    dZf = dZ.reshape(T * n, 4 * H)
    dW_ih = Xt.T @ dZf
    dW_hh = Hs[:-1].reshape(T * n, H).T @ dZf
    db = colsum(dZf)
    dX = np.empty((n, T, F), dtype=dt)
    dX.transpose(1, 0, 2)[...] = (dZf @ W_ih.T).reshape(T, n, F)
    return dX, dW_ih, dW_hh, db, dh, dc


def rnn_forward(X, W_ih, W_hh, b, h0=None, relu=False, need_grad=True, ws=_empty, prefix=""):
    """Elman RNN h_t = tanh(x_t W_ih + h_{t-1} W_hh + b) (or ReLU). Returns (H_all, cache)."""
    n, T, _ = X.shape
    H = W_hh.shape[0]
    Xt, Z = _project(X, W_ih, b, ws, prefix)
    Hs = ws(prefix + "Hs", (T + 1, n, H), Z.dtype)
    Hs[0] = 0 if h0 is None else h0
    D = ws(prefix + "D", (T, n, H), Z.dtype) if need_grad else None
    tmp = np.empty((n, H), dtype=Z.dtype)
    for t in range(T):  # sequential recurrence, vectorised over the batch
        np.matmul(Hs[t], W_hh, out=tmp)
        tmp += Z[t]
        h = Hs[t + 1]
        if relu:
            np.maximum(tmp, 0, out=h)
            if need_grad:
                np.greater(h, 0, out=D[t])
        else:
            np.tanh(tmp, out=h)
            if need_grad:      # tanh' = 1 - h^2, while h is in cache
                np.multiply(h, h, out=D[t])
                np.subtract(1, D[t], out=D[t])
    return Hs, (Xt, Hs, D, X.shape, ws, prefix)


def rnn_backward(cache, dH, W_ih, W_hh, dhT=None):
    """BPTT for :func:`rnn_forward`: dz_t = (dY_t + dh_t) * f'(z_t), dh_{t-1} = dz_t W_hh^T."""
    Xt, Hs, D, (n, T, F), ws, prefix = cache
    if D is None:
        raise RuntimeError("backward needs a forward in training mode (need_grad=True)")
    H = W_hh.shape[0]
    dt = Hs.dtype
    WhT = np.ascontiguousarray(W_hh.T)
    dZ = ws(prefix + "dZ", (T, n, H), dt)
    dh = np.zeros((n, H), dtype=dt) if dhT is None else np.array(dhT, dtype=dt)
    for t in range(T - 1, -1, -1):  # BPTT: sequential in time
        if dH is not None:
            dh += dH[t]
        np.multiply(dh, D[t], out=dZ[t])
        np.matmul(dZ[t], WhT, out=dh)
    dZf = dZ.reshape(T * n, H)
    dW_ih = Xt.T @ dZf
    dW_hh = Hs[:-1].reshape(T * n, H).T @ dZf
    db = colsum(dZf)
    dX = np.empty((n, T, F), dtype=dt)
    dX.transpose(1, 0, 2)[...] = (dZf @ W_ih.T).reshape(T, n, F)
    return dX, dW_ih, dW_hh, db, dh


# ---------------------------------------------------------------------------- torch conversion
def to_torch_state(params, suffix="_l0", our_suffix=""):
    """``{"weight_ih_l0": W_ih.T, "weight_hh_l0": W_hh.T, "bias_ih_l0": b_ih, "bias_hh_l0": b_hh}``
    (numpy arrays) for ``torch.nn.LSTM``/``RNN.load_state_dict`` after ``torch.from_numpy``
    (cells: ``suffix=""``; reverse direction: ``suffix="_l0_reverse", our_suffix="_reverse"``)."""
    return {f"weight_ih{suffix}": np.ascontiguousarray(params["W_ih" + our_suffix].T),
            f"weight_hh{suffix}": np.ascontiguousarray(params["W_hh" + our_suffix].T),
            f"bias_ih{suffix}": params["b_ih" + our_suffix].copy(),
            f"bias_hh{suffix}": params["b_hh" + our_suffix].copy()}


def from_torch_state(state, suffix="_l0", our_suffix=""):
    """Our ``params`` from a torch state dict (tensors or arrays); inverse of :func:`to_torch_state`."""
    a = {k: np.asarray(v.detach().numpy() if hasattr(v, "detach") else v) for k, v in state.items()}
    return {"W_ih" + our_suffix: np.ascontiguousarray(a[f"weight_ih{suffix}"].T),
            "W_hh" + our_suffix: np.ascontiguousarray(a[f"weight_hh{suffix}"].T),
            "b_ih" + our_suffix: a[f"bias_ih{suffix}"].copy(), "b_hh" + our_suffix: a[f"bias_hh{suffix}"].copy()}
