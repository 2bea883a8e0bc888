"""``pool2d``: max and average pooling over strided windows, channels last."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_choice

from ..functional import _window_view, pad_dims_2d, pair
from ._base import NNLayer, check_shape_arg, float_input

__all__ = ["Pool2D"]


def pool_out_size(n_in, k, stride, pad_lo=0, pad_hi=0, ceil_mode=False):
    """``(out, extra)`` along one axis: the number of windows and the cells past the padded
    input that the last window covers (0 unless ``ceil_mode``). PyTorch's rule: with
    ``ceil_mode`` the division rounds up, but a last window starting beyond the input
    and its leading padding is dropped."""
    span = n_in + pad_lo + pad_hi - k
    if span < 0:
        return 0, 0
    if not ceil_mode:
        return span // stride + 1, 0
    out = -(-span // stride) + 1
    if (out - 1) * stride >= n_in + pad_lo:
        out -= 1
    return out, max(0, (out - 1) * stride + k - (n_in + pad_lo + pad_hi))


class Pool2D(NNLayer):
    """2-D max or average pooling.

    Parameters
    ----------
    kernel_shape : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_shape`` (non-overlapping windows, as in PyTorch).
    pad : int, (rows, cols) or (top, bottom, left, right), default 0
        Max pooling pads with -inf, average pooling with zeros that count in the mean
        (PyTorch's ``count_include_pad=True``). Each side at most half the kernel.
    mode : {"max", "average"}
    ceil_mode : bool, default False
        Round the number of windows up, as PyTorch's ``ceil_mode=True``: a last, partial
        window is kept when it starts inside the input or its leading padding. Average
        pooling divides such a window by the cells it covers inside the padded input
        (PyTorch's divisor).

    Shapes
    ------
    X (n, rows, cols, ch) -> (n, out_rows, out_cols, ch); no parameters. Per axis,
    out = floor((in + pad_lo + pad_hi - k) / stride) + 1 (``ceil`` with ``ceil_mode``,
    minus one if the last window would start at or after ``in + pad_lo``).
    (``nn.MaxPool2d`` / ``nn.AvgPool2d`` on ``X.transpose(0, 3, 1, 2)``.)

    Notes
    -----
    Windows are a strided view of the (padded) input. Max pooling records the
    arg-max of each window (the first one on ties) and backward routes dY there;
    average pooling spreads dY / (k_r k_c) over each window. Both backward passes add
    one strided block per kernel tap (no per-element scatter), and padding works in
    both (numpy-ml's max backward crashed with padding).
    """

    input_ndim = 4
    input_layout = "(n, rows, cols, channels)"

    _has_params = False

    def __init__(self, kernel_shape, stride=None, pad=0, mode="max", ceil_mode: bool = False):
        self.kernel_shape = check_shape_arg(kernel_shape, "kernel_shape")
        self.stride = check_shape_arg(stride, "stride") if stride is not None else None
        if isinstance(pad, (tuple, list)) and len(pad) == 4:
            check_shape_arg(tuple(pad[:2]), "pad", low=0), check_shape_arg(tuple(pad[2:]), "pad", low=0)
        else:
            check_shape_arg(pad, "pad", low=0)
        self.pad = pad
        self.mode = check_choice(mode, "mode", ("max", "average"))
        if not isinstance(ceil_mode, bool):
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"ceil_mode must be True or False, got {ceil_mode!r}")
        self.ceil_mode = ceil_mode
        kr, kc = pair(kernel_shape)
        t, b, left, right = pad_dims_2d((0, 0, 0, 0), pad, kernel_shape)
        if max(t, b) > kr // 2 or max(left, right) > kc // 2:
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"pad {pad!r} exceeds half the kernel {kernel_shape!r}")

    @classmethod
    def conformance_example(cls):
        return {"spec": "pool2d(kernel_shape=3, stride=2, pad=1)",
                "input": np.random.default_rng(0).normal(size=(2, 5, 6, 3))}

    def _geom(self):
        ks = pair(self.kernel_shape)
        st = pair(self.stride) if self.stride is not None else ks
        return ks, st

    def output_shape(self, input_shape):
        ks, st = self._geom()
        t, b, left, right = pad_dims_2d((None,) + tuple(input_shape), self.pad, ks)
        return (pool_out_size(input_shape[0], ks[0], st[0], t, b, self.ceil_mode)[0],
                pool_out_size(input_shape[1], ks[1], st[1], left, right, self.ceil_mode)[0], input_shape[2])

    def _windows(self, X_shape, ks, st, p):
        """Output size, the extra bottom/right cells of ceil mode, and the average divisor."""
        (o0, e0), (o1, e1) = (pool_out_size(X_shape[1], ks[0], st[0], p[0], p[1], self.ceil_mode),
                              pool_out_size(X_shape[2], ks[1], st[1], p[2], p[3], self.ceil_mode))
        if min(o0, o1) < 1:
            raise ValueError(f"pooling window {ks} larger than the (padded) input "
                             f"{(X_shape[1] + p[0] + p[1], X_shape[2] + p[2] + p[3])}; X has shape {tuple(X_shape)}")
        div = None
        if self.mode == "average":
            if e0 or e1:   # windows reaching past the padded input count only the cells inside it
                Hp, Wp = X_shape[1] + p[0] + p[1], X_shape[2] + p[2] + p[3]
                rows = np.minimum(np.arange(o0) * st[0] + ks[0], Hp) - np.arange(o0) * st[0]
                cols = np.minimum(np.arange(o1) * st[1] + ks[1], Wp) - np.arange(o1) * st[1]
                div = (rows[:, None] * cols[None, :])[None, :, :, None].astype(float)
            else:
                div = float(ks[0] * ks[1])
        return (o0, o1), (e0, e1), div

    def forward(self, X):
        X = float_input(X, ndim=4)
        ks, st = self._geom()
        p = pad_dims_2d(X.shape, self.pad, ks)
        out, extra, div = self._windows(X.shape, ks, st, p)
        p = (p[0], p[1] + extra[0], p[2], p[3] + extra[1])   # ceil mode: the last windows' overhang
        fill = -np.inf if self.mode == "max" else 0.0
        Xp = np.pad(X, ((0, 0), p[:2], p[2:], (0, 0)), constant_values=fill) if any(p) else X
        win = _window_view(Xp, ks, st, (1, 1), out)        # (n, out_r, out_c, k_r, k_c, ch) view
        n, C = X.shape[0], X.shape[3]
        if self.mode == "max":
            flat = self._scratch("flat", (n, out[0], out[1], ks[0] * ks[1], C), X.dtype)  # reused work array
            np.copyto(flat.reshape(win.shape), win)
            idx = np.argmax(flat, axis=3, out=self._scratch("idx", (n, out[0], out[1], C), np.intp))
            idx = idx[:, :, :, None, :]
            Y = np.take_along_axis(flat, idx, axis=3)[:, :, :, 0, :]
            self._cache = (X.shape, p, out, idx)
        else:
            Y = win.sum(axis=(3, 4)) if ks != st or any(p) else \
                Xp[:, :out[0] * ks[0], :out[1] * ks[1]].reshape(n, out[0], ks[0], out[1], ks[1], C).sum(axis=(2, 4))
            Y /= div
            self._cache = (X.shape, p, out, div)
        return Y

    def backward(self, dY):
        X_shape, p, out, idx = self.__dict__.get("_cache") or self._no_forward()   # idx: divisor (average)
        ks, st = self._geom()
        n, H, W, C = X_shape
        dY = np.asarray(dY)
        Hp, Wp = H + p[0] + p[1], W + p[2] + p[3]
        dXp = np.zeros((n, Hp, Wp, C), dtype=dY.dtype)
        if self.mode == "max":
            taps = self._scratch("taps", (n, out[0], out[1], ks[0] * ks[1], C), dY.dtype)
            taps.fill(0)
            np.put_along_axis(taps, idx, dY[:, :, :, None, :], axis=3)
            if ks == st and not any(p):      # non-overlapping windows: one transposing copy
                dX = np.zeros(X_shape, dtype=dY.dtype) if (H % ks[0] or W % ks[1]) else \
                    np.empty(X_shape, dtype=dY.dtype)
                view = dX[:, :out[0] * ks[0], :out[1] * ks[1]].reshape(n, out[0], ks[0], out[1], ks[1], C)
                np.copyto(view, taps.reshape(n, out[0], out[1], ks[0], ks[1], C).transpose(0, 1, 3, 2, 4, 5))
                return dX
        else:
            share = dY / idx
            if ks == st and not any(p):      # non-overlapping windows: one broadcasting copy
                dX = np.zeros(X_shape, dtype=dY.dtype) if (H % ks[0] or W % ks[1]) else \
                    np.empty(X_shape, dtype=dY.dtype)
                view = dX[:, :out[0] * ks[0], :out[1] * ks[1]].reshape(n, out[0], ks[0], out[1], ks[1], C)
                np.copyto(view, share[:, :, None, :, None, :])
                return dX
        # One strided block addition per kernel tap (k_r * k_c of them), vectorised over
        # examples, positions and channels.
        for i in range(ks[0]):
            for j in range(ks[1]):
                block = taps[:, :, :, i * ks[1] + j, :] if self.mode == "max" else share
                dXp[:, i:i + st[0] * (out[0] - 1) + 1:st[0], j:j + st[1] * (out[1] - 1) + 1:st[1], :] += block
        return dXp[:, p[0]:Hp - p[1], p[2]:Wp - p[3], :]
