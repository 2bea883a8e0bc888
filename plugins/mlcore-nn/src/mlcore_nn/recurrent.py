"""Full-sequence recurrent layers: ``rnn`` (Elman), ``lstm`` and ``bidirectional_lstm``.

Sequences are ``(n, time, features)`` (PyTorch ``batch_first=True``). The input
projection of all time steps is one matrix product; the recurrence is a loop over time
(inherently sequential) whose every operation is vectorised over the batch, and
backpropagation through time (BPTT) runs the same loop backwards. A layer keeps no
state between calls, so one instance serves any number of sequences and optimizer
updates.

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

import math
from typing import ClassVar

import numpy as np

from .layers._base import NNLayer, as_component, check_int, colsum, float_input

__all__ = [
    "LSTM",
    "RNN",
    "from_torch_state",
    "lstm_backward",
    "lstm_forward",
    "rnn_backward",
    "rnn_forward",
    "to_torch_state",
]


# ---------------------------------------------------------------------------- kernels
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


# ---------------------------------------------------------------------------- layers
class _Recurrent(NNLayer):

    input_ndim: ClassVar[int | None] = 3
    input_layout = "(n, time, features)"
    spec_kinds: ClassVar[dict] = {"init": "initializer", "optimizer": "optimizer"}
    _gates = 1

    def _create_params(self, input_shape, dtype, rng):
        F, H, G = input_shape[-1], self.n_out, self._gates
        if self.init is None:   # PyTorch's default: U(-1/sqrt(H), 1/sqrt(H))
            k = 1.0 / math.sqrt(H)
            W_ih = rng.uniform(-k, k, size=(F, G * H)).astype(dtype)
            W_hh = rng.uniform(-k, k, size=(H, G * H)).astype(dtype)
        else:
            init = self.init
            W_ih = np.concatenate([init.init((F, H), rng, dtype=dtype) for _ in range(G)], axis=1)
            W_hh = np.concatenate([init.init((H, H), rng, dtype=dtype) for _ in range(G)], axis=1)
        return {"W_ih": W_ih, "W_hh": W_hh, "b_ih": np.zeros(G * H, dtype=dtype),
                "b_hh": np.zeros(G * H, dtype=dtype)}

    def output_shape(self, input_shape):
        return (input_shape[0], self.n_out) if self.return_sequences else (self.n_out,)

    def _check(self, X):
        X = float_input(X, ndim=3)
        self._ensure_params(X)
        if X.shape[2] != self.params["W_ih"].shape[0] or X.shape[1] < 1:
            raise ValueError(f"{type(self).__name__.lower()} expects X (n, time >= 1, "
                             f"{self.params['W_ih'].shape[0]}), got shape {X.shape}")
        return X

    def _state(self, s, X, name):
        if s is None:
            return None
        s = float_input(s, name)
        want = (X.shape[0], self.n_out)
        if s.shape != want:
            raise ValueError(f"{name} must have shape {want}, got {s.shape}")
        return s

    def _dH(self, dY, T, n):
        dY = np.asarray(dY)
        if self.return_sequences:
            if dY.shape != (n, T, self.n_out):
                raise ValueError(f"dY must have shape {(n, T, self.n_out)}, got {dY.shape}")
            return np.ascontiguousarray(dY.transpose(1, 0, 2)), None
        if dY.shape != (n, self.n_out):
            raise ValueError(f"dY must have shape {(n, self.n_out)}, got {dY.shape}")
        return None, dY

    def _output(self, Hs):
        if self.return_sequences:
            return np.ascontiguousarray(Hs[1:].transpose(1, 0, 2))
        return Hs[-1].copy()

    def _work(self, name, shape, dtype):
        """A work array kept between calls (large temporaries are not page-faulted in anew)."""
        bufs = self.__dict__.setdefault("_rnn_buffers", {})
        buf = bufs.get(name)
        if buf is None or buf.shape != tuple(shape) or buf.dtype != dtype:
            buf = bufs[name] = np.empty(shape, dtype=dtype)
        return buf

    @property
    def state_grads(self):
        """Gradients with respect to the initial states of the last backward (dh0[, dc0])."""
        return self.__dict__.get("_state_grads")

    @property
    def final_state(self):
        """The states after the last step of the last forward (h_T[, c_T])."""
        return self.__dict__.get("_final")


class RNN(_Recurrent):
    """Elman recurrent layer h_t = tanh(x_t W_ih + h_{t-1} W_hh + b) over whole sequences.

    Parameters
    ----------
    n_out : int
        Hidden size H.
    return_sequences : bool, default True
        Return every h_t ``(n, T, H)``, else only h_T ``(n, H)``.
    nonlinearity : {"tanh", "relu"}
        As ``torch.nn.RNN``.
    init : initializer, optional
        Weight initializer; None gives PyTorch's U(-1/sqrt(H), 1/sqrt(H)). Biases start at 0.
    optimizer : optimizer, optional
        This layer's own optimizer in a network.
    random_state : int, Generator or None

    Shapes
    ------
    ``forward(X, h0=None)``: X (n, T, n_in), h0 (n, H) (zeros when None). Parameters
    ``W_ih (n_in, H)``, ``W_hh (H, H)``, ``b_ih, b_hh (H,)`` (module docstring: torch names).
    ``backward(dY)`` -> dX; ``state_grads`` = (dh0,), ``final_state`` = (h_T,).

    Notes
    -----
    BPTT: dz_t = (dY_t + dz_{t+1} W_hh^T) * (1 - h_t^2); dW_ih = sum_t x_t^T dz_t,
    dW_hh = sum_t h_{t-1}^T dz_t, db = sum_t dz_t, dx_t = dz_t W_ih^T.

    References
    ----------
    Elman (1990). Finding structure in time. Cognitive Science 14(2).
    Werbos (1990). Backpropagation through time: what it does and how to do it. Proc. IEEE.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> rnn = mlcore.build("rnn(n_out=8, random_state=0)")
    >>> rnn.forward(np.zeros((2, 5, 3))).shape
    (2, 5, 8)
    """

    def __init__(self, n_out: int, return_sequences: bool = True, nonlinearity: str = "tanh", init=None,
                 optimizer=None, random_state=None):
        from mlcore.validation import check_choice

        self.n_out = check_int(n_out, "n_out")
        self.return_sequences = _check_bool(return_sequences, "return_sequences")
        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "rnn(n_out=3, random_state=0)", "input": np.random.default_rng(0).normal(size=(2, 4, 3))}

    def forward(self, X, h0=None):
        X = self._check(X)
        p = self.params
        Hs, cache = rnn_forward(X, p["W_ih"], p["W_hh"], p["b_ih"] + p["b_hh"], self._state(h0, X, "h0"),
                                relu=self.nonlinearity == "relu", need_grad=self.training, ws=self._work)
        self._cache = cache
        self._final = (Hs[-1].copy(),)
        return self._output(Hs)

    def backward(self, dY, dhT=None):
        cache = self.__dict__.get("_cache") or self._no_forward()
        n, T = cache[-3][:2]
        dH, dlast = self._dH(dY, T, n)
        if dlast is not None:
            dhT = dlast if dhT is None else dlast + dhT
        p = self.params
        dX, dWi, dWh, db, dh0 = rnn_backward(cache, dH, p["W_ih"], p["W_hh"], dhT)
        if self.trainable:
            self.grads = {"W_ih": dWi, "W_hh": dWh, "b_ih": db, "b_hh": db.copy()}
        self._state_grads = (dh0,)
        return dX


class LSTM(_Recurrent):
    """Long short-term memory layer over whole sequences (gates in PyTorch's order i, f, g, o).

    Parameters
    ----------
    n_out : int
        Hidden size H.
    return_sequences : bool, default True
        Return every h_t ``(n, T, H)``, else only h_T ``(n, H)``.
    init : initializer, optional
        Initializer of each gate's weight block; None gives PyTorch's U(-1/sqrt(H),
        1/sqrt(H)) for the whole weights. The biases start at 0.
    optimizer : optimizer, optional
    random_state : int, Generator or None

    Shapes
    ------
    ``forward(X, h0=None, c0=None)``: X (n, T, n_in); h0, c0 (n, H). Parameters
    ``W_ih (n_in, 4H)``, ``W_hh (H, 4H)``, ``b_ih, b_hh (4H,)`` = torch ``weight_ih_l0.T``,
    ``weight_hh_l0.T``, ``bias_ih_l0``, ``bias_hh_l0``. ``backward(dY, dhT=None, dcT=None)``
    -> dX; ``state_grads`` = (dh0, dc0); ``final_state`` = (h_T, c_T).

    Notes
    -----
    z_t = x_t W_ih + h_{t-1} W_hh + b_ih + b_hh = [z_i, z_f, z_g, z_o]; i, f, o = sigmoid(z_.),
    g = tanh(z_g); c_t = f c_{t-1} + i g; h_t = o tanh(c_t). See :func:`lstm_backward`
    for BPTT. Every sigmoid is computed as (1 + tanh(z / 2)) / 2 with the 1/2 folded
    into the weights, so one tanh per step gives all four gates. The equations as a plain
    loop over time steps, tested equal: :func:`mlcore_nn.layers._reference.lstm`.

    References
    ----------
    Hochreiter and Schmidhuber (1997). Long short-term memory. Neural Computation 9(8).
    Gers, Schmidhuber and Cummins (2000). Learning to forget. Neural Computation 12(10).

    Example
    -------
    >>> import numpy as np, mlcore
    >>> lstm = mlcore.build("lstm(n_out=8, return_sequences=False, random_state=0)")
    >>> lstm.forward(np.zeros((2, 5, 3))).shape
    (2, 8)
    """

    _gates = 4

    def __init__(self, n_out: int, return_sequences: bool = True, init=None, optimizer=None, random_state=None):
        self.n_out = check_int(n_out, "n_out")
        self.return_sequences = _check_bool(return_sequences, "return_sequences")
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "lstm(n_out=3, random_state=0)", "input": np.random.default_rng(0).normal(size=(2, 4, 3))}

    def forward(self, X, h0=None, c0=None):
        X = self._check(X)
        p = self.params
        Hs, cache = lstm_forward(X, p["W_ih"], p["W_hh"], p["b_ih"] + p["b_hh"], self._state(h0, X, "h0"),
                                 self._state(c0, X, "c0"), need_grad=self.training, ws=self._work)
        self._cache = cache
        self._final = (Hs[-1].copy(), cache[3][-1].copy())
        return self._output(Hs)

    def backward(self, dY, dhT=None, dcT=None):
        cache = self.__dict__.get("_cache") or self._no_forward()
        n, T = cache[-3][:2]
        dH, dlast = self._dH(dY, T, n)
        if dlast is not None:
            dhT = dlast if dhT is None else dlast + dhT
        p = self.params
        dX, dWi, dWh, db, dh0, dc0 = lstm_backward(cache, dH, p["W_ih"], p["W_hh"], dhT, dcT)
        if self.trainable:
            self.grads = {"W_ih": dWi, "W_hh": dWh, "b_ih": db, "b_hh": db.copy()}
        self._state_grads = (dh0, dc0)
        return dX


def _check_bool(v, name):
    if not isinstance(v, bool):
        from mlcore.errors import ComponentArgumentError

        raise ComponentArgumentError(f"{name} must be True or False, got {v!r}")
    return v
