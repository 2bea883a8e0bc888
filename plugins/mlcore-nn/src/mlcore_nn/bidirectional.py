"""``bidirectional_lstm``: two LSTMs reading the sequence forwards and backwards, merged."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_choice

from .recurrent import _check_bool, _Recurrent
from .recurrent_kernels import lstm_backward, lstm_forward

__all__ = ["BidirectionalLSTM"]

_SUFFIX = ("", "_reverse")


class BidirectionalLSTM(_Recurrent):
    """Bidirectional LSTM (PyTorch ``nn.LSTM(bidirectional=True)``) with a merge of both directions.

    Parameters
    ----------
    n_out : int
        Hidden size H of each direction.
    merge_mode : {"concat", "sum", "average", "multiply"}
        How the forward output y_f and the backward output y_b are combined:
        [y_f, y_b] (2H features, PyTorch's output), y_f + y_b, (y_f + y_b) / 2, y_f * y_b.
    return_sequences : bool, default True
        Every step ``(n, T, .)``, else the merge of both directions' final states
        (PyTorch's ``h_n[0]`` and ``h_n[1]``: the backward direction's final state
        belongs to time step 0).
    init, optimizer, random_state
        As :class:`mlcore_nn.recurrent.LSTM`.

    Shapes
    ------
    ``forward(X, h0=None, c0=None)``: X (n, T, n_in); h0, c0 (2, n, H) (direction first,
    as PyTorch). Parameters ``W_ih, W_hh, b_ih, b_hh`` (forward direction) and ``W_ih_reverse,
    W_hh_reverse, b_ih_reverse, b_hh_reverse``, each as in ``lstm``; torch names ``weight_ih_l0``, ...,
    ``weight_ih_l0_reverse``. ``state_grads`` = (dh0, dc0) of shape (2, n, H).

    Notes
    -----
    The backward direction runs the LSTM on X reversed in time and reverses its outputs
    back. Backward: concat splits dY; sum passes dY to both; average dY / 2; multiply
    dY * y_b to the forward and dY * y_f to the backward direction.

    References
    ----------
    Schuster and Paliwal (1997). Bidirectional recurrent neural networks. IEEE Trans.
    Signal Processing 45(11). Graves and Schmidhuber (2005). Framewise phoneme
    classification with bidirectional LSTM. Neural Networks 18(5).

    Example
    -------
    >>> import numpy as np, mlcore
    >>> bi = mlcore.build("bidirectional_lstm(n_out=4, random_state=0)")
    >>> bi.forward(np.zeros((2, 5, 3))).shape
    (2, 5, 8)
    """

    _gates = 4

    def __init__(self, n_out: int, merge_mode: str = "concat", return_sequences: bool = True, init=None,
                 optimizer=None, random_state=None):
        self.merge_mode = check_choice(merge_mode, "merge_mode", ("concat", "sum", "average", "multiply"))
        self.return_sequences = _check_bool(return_sequences, "return_sequences")
        self._store(n_out, init, optimizer, random_state)

    @classmethod
    def conformance_example(cls):
        return {"spec": "bidirectional_lstm(n_out=3, merge_mode='multiply', random_state=0)",
                "input": np.random.default_rng(0).normal(size=(2, 4, 3))}

    def _create_params(self, input_shape, dtype, rng):
        out = {}
        for suf in _SUFFIX:
            out.update({k + suf: v for k, v in super()._create_params(input_shape, dtype, rng).items()})
        return out

    def output_shape(self, input_shape):
        h = 2 * self.n_out if self.merge_mode == "concat" else self.n_out
        return (input_shape[0], h) if self.return_sequences else (h,)

    def _states(self, s, X, name):
        if s is None:
            return None, None
        s = np.asarray(s, dtype=X.dtype)
        want = (2, X.shape[0], self.n_out)
        if s.shape != want:
            raise ValueError(f"{name} must have shape {want} (direction, n, H), got {s.shape}")
        return s[0], s[1]

    def forward(self, X, h0=None, c0=None):
        X = self._check(X)
        p = self.params
        h0s, c0s = self._states(h0, X, "h0"), self._states(c0, X, "c0")
        outs, caches, finals = [], [], []
        for d, suf in enumerate(_SUFFIX):
            Xd = X if d == 0 else X[:, ::-1]
            Hs, cache = lstm_forward(Xd, p["W_ih" + suf], p["W_hh" + suf], p["b_ih" + suf] + p["b_hh" + suf], h0s[d], c0s[d],
                                     need_grad=self.training, ws=self._work, prefix=suf)
            caches.append(cache)
            finals.append((Hs[-1].copy(), cache[3][-1].copy()))
            if self.return_sequences:
                Y = Hs[1:] if d == 0 else Hs[:0:-1]          # (T, n, H) in original time order
                outs.append(Y.transpose(1, 0, 2))
            else:
                outs.append(Hs[-1])
        self._cache = (caches, [o.copy() for o in outs] if self.merge_mode == "multiply" else None, X.shape)
        self._final = (np.stack([f[0] for f in finals]), np.stack([f[1] for f in finals]))
        yf, yb = outs
        if self.merge_mode == "concat":
            return np.concatenate([yf, yb], axis=-1)
        if self.merge_mode == "sum":
            return yf + yb
        if self.merge_mode == "average":
            return (yf + yb) * 0.5
        return yf * yb

    def backward(self, dY, dhT=None, dcT=None):
        cache = self.__dict__.get("_cache") or self._no_forward()
        caches, outs, (n, T, F) = cache
        H = self.n_out
        dY = np.asarray(dY)
        want = self.output_shape((T, F))
        if dY.shape != (n,) + want:
            raise ValueError(f"dY must have shape {(n,) + want}, got {dY.shape}")
        if self.merge_mode == "concat":
            dYs = (dY[..., :H], dY[..., H:])
        elif self.merge_mode == "sum":
            dYs = (dY, dY)
        elif self.merge_mode == "average":
            dYs = (dY * 0.5, dY * 0.5)
        else:
            dYs = (dY * outs[1], dY * outs[0])
        p = self.params
        grads, dX, sg = {}, None, []
        for d, suf in enumerate(_SUFFIX):
            g = dYs[d]
            dh_last = None if dhT is None else np.asarray(dhT)[d]
            dc_last = None if dcT is None else np.asarray(dcT)[d]
            if self.return_sequences:
                dH = g.transpose(1, 0, 2)
                dH = np.ascontiguousarray(dH if d == 0 else dH[::-1])
            else:
                dH, dh_last = None, g if dh_last is None else g + dh_last
            dXd, dWi, dWh, db, dh0, dc0 = lstm_backward(caches[d], dH, p["W_ih" + suf], p["W_hh" + suf],
                                                        dh_last, dc_last)
            grads.update({"W_ih" + suf: dWi, "W_hh" + suf: dWh, "b_ih" + suf: db, "b_hh" + suf: db.copy()})
            sg.append((dh0, dc0))
            if d == 0:
                dX = dXd
            else:
                dX += dXd[:, ::-1]
        if self.trainable:
            self.grads = grads
        self._state_grads = (np.stack([s[0] for s in sg]), np.stack([s[1] for s in sg]))
        return dX
