"""Full-sequence recurrent layers: ``rnn`` (Elman), ``lstm`` and ``bidirectional_lstm``.

Sequences are ``(n, time, features)`` (PyTorch ``batch_first=True``). The input
projection of all time steps is one matrix product; the recurrence is a loop over time
(inherently sequential) whose every operation is vectorised over the batch, and
backpropagation through time (BPTT) runs the same loop backwards. A layer keeps no
state between calls, so one instance serves any number of sequences and optimizer
updates.

Weights and PyTorch
-------------------
Parameters are stored input-major, gates in PyTorch's order; see
:mod:`mlcore_nn.recurrent_kernels` (the recurrences as functions of arrays) and its
:func:`to_torch_state` / :func:`from_torch_state`, re-exported here.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from .layers._base import NNLayer, as_component, check_int, float_input
from .recurrent_kernels import (  # noqa: F401 (re-exported: the layers' public module)
    from_torch_state,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
    to_torch_state,
)

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

    def _store(self, n_out, init, optimizer, random_state):
        """Store (checked, verbatim) the hyperparameters every recurrent layer and cell has."""
        self.n_out = check_int(n_out, "n_out")
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

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

        self.return_sequences = _check_bool(return_sequences, "return_sequences")
        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        self._store(n_out, init, optimizer, random_state)

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
        self.return_sequences = _check_bool(return_sequences, "return_sequences")
        self._store(n_out, init, optimizer, random_state)

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
