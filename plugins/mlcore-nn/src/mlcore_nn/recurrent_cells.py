"""Single-step recurrent cells ``rnn_cell`` and ``lstm_cell`` (PyTorch ``RNNCell``/``LSTMCell``).

A cell computes one time step from explicit states: ``h = cell.forward(x_t, h, c)``.
To backpropagate through time with a cell, unroll it yourself: every ``forward`` pushes
its cache on a tape, every ``backward`` pops the most recent one, so the calls of one
sequence are undone in reverse order. Parameter gradients accumulate over the
backward calls of one unrolling and restart at the first backward after new forward
calls (a new sequence), so the same instance serves any number of sequences and
optimizer updates (numpy-ml's cells broke after their first ``update``).

Unrolling::

    h = c = None
    for t in range(T):                       # forward through time
        h = cell.forward(X[:, t], h, c); c = cell.last_state[1]
    dh = dc = 0
    for t in reversed(range(T)):             # BPTT
        dX[:, t] = cell.backward(dY[:, t] + dh, dc)
        dh, dc = cell.state_grads
    optimizer.step(cell.params, cell.grads)

In evaluation mode (``cell.eval()``) the tape keeps only the last step.
Weights: see :mod:`mlcore_nn.recurrent` (``weight_ih = W_ih.T``, ``weight_hh = W_hh.T``,
``bias_ih = b_ih``, ``bias_hh = b_hh``).
"""

from __future__ import annotations

import numpy as np

from .layers._base import float_input
from .recurrent import _Recurrent
from .recurrent_kernels import lstm_backward, lstm_forward, rnn_backward, rnn_forward

__all__ = ["LSTMCell", "RNNCell"]


class _Cell(_Recurrent):

    input_ndim = None    # initialised for (features,) in a network or (1, features) step by step
    return_sequences = False
    _n_states = 1

    def output_shape(self, input_shape):
        return (self.n_out,)

    def _check_step(self, X):
        X = float_input(X, ndim=2)
        self._ensure_params(X[:, None, :])
        if X.shape[1] != self.params["W_ih"].shape[0]:
            raise ValueError(f"{type(self).__name__} expects X (n, {self.params['W_ih'].shape[0]}), "
                             f"got shape {X.shape}")
        return X

    def _push(self, cache):
        d = self.__dict__
        tape = d.setdefault("_tape", [])
        if d.get("_unwound") or not self.training:
            tape.clear()
            d["_unwound"] = False
        tape.append(cache)

    def _pop(self):
        tape = self.__dict__.get("_tape")
        if not tape:
            self._no_forward()
        return tape.pop()

    def _set_grads(self, new):
        if not self.trainable:
            return
        if self.__dict__.get("_unwound") and self.grads:
            for k, v in new.items():
                self.grads[k] += v
        else:
            self.grads = new
        self.__dict__["_unwound"] = True

    def reset(self):
        """Forget the tape (pending forward steps); returns self."""
        self.__dict__["_tape"] = []
        self.__dict__["_unwound"] = False
        return self

    @property
    def last_state(self):
        """The states computed by the last forward: (h,) or (h, c)."""
        return self.__dict__.get("_final")


class RNNCell(_Cell):
    """One Elman step h' = tanh(x W_ih + h W_hh + b_ih + b_hh) (PyTorch ``RNNCell``).

    Parameters
    ----------
    n_out : int
        Hidden size H.
    nonlinearity : {"tanh", "relu"}
    init : initializer, optional
        None gives PyTorch's U(-1/sqrt(H), 1/sqrt(H)).
    optimizer : optimizer, optional
    random_state : int, Generator or None

    Shapes
    ------
    ``forward(X, h=None)``: X (n, n_in), h (n, H) (zeros when None) -> h' (n, H).
    ``backward(dh')`` -> dX, with ``state_grads = (dh,)``. Parameters ``W_ih (n_in, H)``,
    ``W_hh (H, H)``, ``b_ih, b_hh (H,)``. See the module docstring for unrolling through time.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> cell = mlcore.build("rnn_cell(n_out=4, random_state=0)")
    >>> cell.forward(np.ones((2, 3))).shape
    (2, 4)
    """

    def __init__(self, n_out: int, nonlinearity: str = "tanh", init=None, optimizer=None, random_state=None):
        from mlcore.validation import check_choice

        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        self._store(n_out, init, optimizer, random_state)

    @classmethod
    def conformance_example(cls):
        return {"spec": "rnn_cell(n_out=3, random_state=0)", "input": np.random.default_rng(0).normal(size=(4, 3))}

    def forward(self, X, h=None):
        X = self._check_step(X)
        p = self.params
        Hs, cache = rnn_forward(X[:, None, :], p["W_ih"], p["W_hh"], p["b_ih"] + p["b_hh"], self._state(h, X, "h"),
                                relu=self.nonlinearity == "relu", need_grad=self.training)
        self._push(cache)
        self._final = (Hs[-1].copy(),)
        return Hs[-1].copy()

    def backward(self, dY):
        cache = self._pop()
        p = self.params
        dX, dWi, dWh, db, dh = rnn_backward(cache, None, p["W_ih"], p["W_hh"], np.asarray(dY))
        self._set_grads({"W_ih": dWi, "W_hh": dWh, "b_ih": db, "b_hh": db.copy()})
        self._state_grads = (dh,)
        return dX[:, 0]


class LSTMCell(_Cell):
    """One LSTM step (PyTorch ``LSTMCell``, gates i, f, g, o): returns h', keeps c'.

    Parameters
    ----------
    n_out : int
        Hidden size H.
    init : initializer, optional
        None gives PyTorch's U(-1/sqrt(H), 1/sqrt(H)).
    optimizer : optimizer, optional
    random_state : int, Generator or None

    Shapes
    ------
    ``forward(X, h=None, c=None)``: X (n, n_in), h, c (n, H) -> h' (n, H); ``last_state``
    is (h', c'). ``backward(dh', dc'=None)`` -> dX, with ``state_grads = (dh, dc)``.
    Parameters ``W_ih (n_in, 4H)``, ``W_hh (H, 4H)``, ``b_ih, b_hh (4H,)``.

    Notes
    -----
    [i, f, g, o] = [sigmoid, sigmoid, tanh, sigmoid](x W_ih + h W_hh + b_ih + b_hh);
    c' = f c + i g; h' = o tanh(c'). See :func:`mlcore_nn.recurrent_kernels.lstm_backward`.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> cell = mlcore.build("lstm_cell(n_out=4, random_state=0)")
    >>> h = cell.forward(np.ones((2, 3))); h2 = cell.forward(np.ones((2, 3)), *cell.last_state)
    >>> h2.shape
    (2, 4)
    """

    _gates = 4

    def __init__(self, n_out: int, init=None, optimizer=None, random_state=None):
        self._store(n_out, init, optimizer, random_state)

    @classmethod
    def conformance_example(cls):
        return {"spec": "lstm_cell(n_out=3, random_state=0)", "input": np.random.default_rng(0).normal(size=(4, 3))}

    def forward(self, X, h=None, c=None):
        X = self._check_step(X)
        p = self.params
        Hs, cache = lstm_forward(X[:, None, :], p["W_ih"], p["W_hh"], p["b_ih"] + p["b_hh"], self._state(h, X, "h"),
                                 self._state(c, X, "c"), need_grad=self.training)
        self._push(cache)
        self._final = (Hs[-1].copy(), cache[3][-1].copy())
        return Hs[-1].copy()

    def backward(self, dY, dc=None):
        cache = self._pop()
        p = self.params
        dc = None if dc is None or np.ndim(dc) == 0 and dc == 0 else np.asarray(dc)
        dX, dWi, dWh, db, dh, dc0 = lstm_backward(cache, None, p["W_ih"], p["W_hh"], np.asarray(dY), dc)
        self._set_grads({"W_ih": dWi, "W_hh": dWh, "b_ih": db, "b_hh": db.copy()})
        self._state_grads = (dh, dc0)
        return dX[:, 0]

