"""Convolution layers ``conv1d``, ``conv2d`` and ``deconv2d`` (transposed), channels last.

Readable references (loops over output positions and taps, tested equal to these blocked
im2col layers): :mod:`mlcore_nn.layers._reference`.
"""

from __future__ import annotations

import numpy as np

from mlcore.errors import ComponentArgumentError

from ..functional import (
    _im2col_into,
    col2im_add,
    col2im_gemm,
    conv_out_size,
    deconv_out_size,
    im2col,
    pad_2d,
    pad_dims_1d,
    pad_dims_2d,
    pair,
)
from ._base import NNLayer, as_component, check_int, check_shape_arg, colsum, float_input

__all__ = ["Conv1D", "Conv2D", "Deconv2D"]


def _check_pad(pad, allowed_str):
    ok = (isinstance(pad, str) and pad in allowed_str) or \
         (isinstance(pad, int) and not isinstance(pad, bool) and pad >= 0) or \
         (isinstance(pad, (tuple, list)) and len(pad) in (2, 4) and
          all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in pad))
    if not ok:
        raise ComponentArgumentError(
            f"pad must be an int >= 0, a tuple of 2 or 4 of them{', ' if allowed_str else ''}"
            f"{' or '.join(map(repr, allowed_str))}; got {pad!r}")
    return pad


class _ConvBase(NNLayer):
    def __init__(self, out_ch, kernel_shape, stride=1, pad=0, dilation=1, act_fn=None, init=None,
                 optimizer=None, random_state=None):
        self.out_ch = check_int(out_ch, "out_ch")
        self.kernel_shape = check_shape_arg(kernel_shape, self._kernel_name)
        self.stride = check_shape_arg(stride, "stride")
        self.pad = _check_pad(pad, self._pad_strings)
        self.dilation = check_shape_arg(dilation, "dilation")
        self.act_fn = as_component(act_fn, "activation")
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    # 2-D geometry; Conv1D maps itself onto it with a unit row axis
    def _geometry(self):
        return pair(self.kernel_shape), pair(self.stride), pair(self.dilation)

    def _pads(self, X_shape):
        ks, st, dl = self._geometry()
        return pad_dims_2d(X_shape, self.pad, ks, st, dl)

    def _create_params(self, input_shape, dtype, rng):   # 2-D kernels; Conv1D overrides
        kr, kc = pair(self.kernel_shape)
        return {"W": self._new_param((kr, kc, input_shape[-1], self.out_ch), dtype, rng),
                "b": np.zeros(self.out_ch, dtype=dtype)}

    def _padded(self, X4, p):
        """X4 zero-padded by ``p`` into a reused buffer whose border stays zero (np.pad
        would allocate anew each step); X4 itself when there is no padding."""
        if not any(p):
            return X4
        n, H, Wd, C = X4.shape
        Xp, fresh = self._scratch(f"xpad{p}", (n, H + p[0] + p[1], Wd + p[2] + p[3], C), X4.dtype, fresh=True)
        if fresh:
            Xp.fill(0)
        Xp[:, p[0]:p[0] + H, p[2]:p[2] + Wd] = X4
        return Xp

    def _patch_blocks(self, Xp, out_shape, fill=True):
        """Yield ``(lo, hi, cols)``: the patch matrix of samples ``lo:hi`` of the padded
        input, built block by block in one reused buffer of about ``_BLOCK_BYTES``.

        The whole patch matrix (k_r k_c times the input) would be written to and read
        back from main memory three times per step; a block that stays in the L2 cache
        makes the three GEMMs compute-bound instead (1.5x faster for conv1d here), and
        backward rebuilds the blocks instead of keeping them."""
        ks, st, dl = self._geometry()
        n = Xp.shape[0]
        row = out_shape[0] * out_shape[1]
        width = ks[0] * ks[1] * Xp.shape[3]
        step = min(n, max(1, _BLOCK_BYTES // (row * width * Xp.itemsize)))
        buf = self._scratch("cols", (step * row, width), Xp.dtype) if fill else None
        for lo in range(0, n, step):
            hi = min(lo + step, n)
            cols = _im2col_into(Xp[lo:hi], ks, st, dl, out_shape, buf[:(hi - lo) * row]) if fill else None
            yield lo, hi, cols

    def _conv_forward(self, X4):
        W = self.params["W"].reshape(self._w4_shape)
        ks, st, dl = self._geometry()
        p = self._pads(X4.shape)
        Xp = self._padded(X4, p)
        out_shape = (conv_out_size(Xp.shape[1], ks[0], st[0], 0, dl[0]),
                     conv_out_size(Xp.shape[2], ks[1], st[1], 0, dl[1]))
        if min(out_shape) < 1:
            raise ValueError(f"kernel {ks} with dilation {dl} does not fit the padded input {Xp.shape[1:3]}")
        O = W.shape[3]
        Wc = W.reshape(-1, O)
        Z = np.empty((X4.shape[0], *out_shape, O), dtype=np.result_type(X4, W))
        for lo, hi, cols in self._patch_blocks(Xp, out_shape):
            np.matmul(cols, Wc, out=Z[lo:hi].reshape(-1, O))
        Z += self.params["b"]
        self._cache = (Xp, X4.shape, p, Z)
        return Z

    def _conv_backward(self, dY4, input_grad=True):
        Xp, X_shape, p, Z = self.__dict__.get("_cache") or self._no_forward()
        O = Z.shape[3]
        dZ = np.ascontiguousarray(self._act_backward(np.asarray(dY4).reshape(Z.shape), Z))
        W = self.params["W"]
        Wc = W.reshape(-1, O)
        ks, st, dl = self._geometry()
        dtype = np.result_type(Xp, dZ)
        trainable = self.trainable
        if trainable:
            gW = self._grad_buffer("W", W.shape, dtype)
            gWc = gW.reshape(-1, O)
            part = self._scratch("gW_part", gWc.shape, dtype)    # later blocks' share of dW
        if input_grad:
            dXp = np.zeros(Xp.shape, dtype=np.result_type(dZ, W))
            dbuf = None
        for lo, hi, cols in self._patch_blocks(Xp, Z.shape[1:3], fill=trainable):
            dz = dZ[lo:hi].reshape(-1, O)
            if trainable:
                np.matmul(cols.T, dz, out=part if lo else gWc)
                if lo:
                    gWc += part
            if input_grad:
                if dbuf is None:   # the first block is the largest: one buffer serves them all
                    dbuf = self._scratch("dcols", (dz.shape[0], Wc.shape[0]), dXp.dtype)
                dcols = dbuf[:dz.shape[0]]
                np.matmul(dz, Wc.T, out=dcols)
                col2im_add(dXp[lo:hi], dcols, ks, st, dl)
        if trainable:
            self.grads = {"W": gW, "b": colsum(dZ.reshape(-1, O))}
        if not input_grad:
            return None
        H, Wd = X_shape[1:3]
        return dXp[:, p[0]:p[0] + H, p[2]:p[2] + Wd, :]


_BLOCK_BYTES = 1 << 20      # patch-matrix block size: fits the 1-2 MB L2 caches of current CPUs


class Conv2D(_ConvBase):
    """2-D convolution (cross-correlation) Y = f(X * W + b), channels last.

    Parameters
    ----------
    out_ch : int
    kernel_shape : int or (int, int)
    stride : int or (int, int), default 1
    pad : int, (rows, cols), (top, bottom, left, right), "same" or "valid", default 0
        "same" keeps ceil(size / stride); an odd extra pixel goes bottom/right.
    dilation : int or (int, int), default 1
        PyTorch convention: 1 is an ordinary convolution (numpy-ml's 0).
    act_fn, init, optimizer, random_state : as for ``dense``

    Shapes
    ------
    X (n, rows, cols, in_ch) -> (n, out_rows, out_cols, out_ch) with
    out = floor((in + pad_lo + pad_hi - dilation (k - 1) - 1) / stride) + 1.
    ``W (k_rows, k_cols, in_ch, out_ch)``, ``b (out_ch,)``; PyTorch ``nn.Conv2d``:
    ``weight = W.transpose(3, 2, 0, 1)`` and inputs ``X.transpose(0, 3, 1, 2)``.

    Notes
    -----
    im2col (a strided view copied once) and one GEMM forward; backward dW = cols^T dZ,
    dX = col2im(dZ W^T). The patch matrix is built a block of samples at a time (about
    1 MB, so it stays in cache) and rebuilt in backward rather than kept.
    """

    input_ndim = 4
    input_layout = "(n, rows, cols, channels)"

    _kernel_name = "kernel_shape"
    _pad_strings = ("same", "valid")

    @property
    def _w4_shape(self):
        return self.params["W"].shape

    @classmethod
    def conformance_example(cls):
        return {"spec": "conv2d(out_ch=2, kernel_shape=(2, 3), stride=(1, 2), pad=1, dilation=(2, 1), "
                        "act_fn=tanh, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(2, 5, 6, 3))}

    def output_shape(self, input_shape):
        (kr, kc), (sr, sc), (dr, dc) = self._geometry()
        t, b, left, right = self._pads((None,) + tuple(input_shape))
        return (conv_out_size(input_shape[0], kr, sr, t + b, dr), conv_out_size(input_shape[1], kc, sc, left + right, dc),
                self.out_ch)

    def forward(self, X):
        X = float_input(X, ndim=4)
        self._ensure_params(X)
        if X.shape[3] != self.params["W"].shape[2]:
            raise ValueError(f"conv2d was built for {self.params['W'].shape[2]} input channels, got X {X.shape}")
        return self._act_forward(self._conv_forward(X))

    def backward(self, dY, input_grad: bool = True):
        """Fill ``grads``; return dX (None when ``input_grad`` is False)."""
        return self._conv_backward(dY, input_grad)


class Conv1D(_ConvBase):
    """1-D convolution (cross-correlation) over ``(n, length, in_ch)``, channels last.

    Parameters
    ----------
    out_ch : int
    kernel_width : int
    stride, dilation : int, default 1 (dilation 1 = ordinary convolution)
    pad : int, (left, right), "same", "valid" or "causal", default 0
        "causal" pads dilation * (kernel_width - 1) on the left only: output t sees inputs
        up to t (WaveNet), and with stride 1 the length is kept.
    act_fn, init, optimizer, random_state : as for ``dense``

    Shapes
    ------
    X (n, length, in_ch) -> (n, out_length, out_ch). ``W (kernel_width, in_ch, out_ch)``,
    ``b (out_ch,)``; PyTorch ``nn.Conv1d``: ``weight = W.transpose(2, 1, 0)``.
    """

    input_ndim = 3
    input_layout = "(n, length, channels)"

    _kernel_name = "kernel_width"
    _pad_strings = ("same", "valid", "causal")

    def __init__(self, out_ch, kernel_width, stride=1, pad=0, dilation=1, act_fn=None, init=None,
                 optimizer=None, random_state=None):
        for name, v in (("kernel_width", kernel_width), ("stride", stride), ("dilation", dilation)):
            check_int(v, name)
        if isinstance(pad, (tuple, list)) and len(pad) != 2:
            raise ComponentArgumentError(f"pad of conv1d is an int, (left, right) or a string; got {pad!r}")
        super().__init__(out_ch, kernel_width, stride, pad, dilation, act_fn, init, optimizer, random_state)
        self.kernel_width = self.__dict__.pop("kernel_shape")

    @classmethod
    def conformance_example(cls):
        return {"spec": "conv1d(out_ch=2, kernel_width=3, pad='causal', dilation=2, act_fn=tanh, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(2, 7, 3))}

    @property
    def _w4_shape(self):
        return (1,) + self.params["W"].shape

    def _geometry(self):
        return (1, self.kernel_width), (1, self.stride), (1, self.dilation)

    def _pads(self, X_shape):
        left, right = pad_dims_1d((X_shape[0], X_shape[2]), self.pad, self.kernel_width, self.stride, self.dilation)
        return 0, 0, left, right

    def _create_params(self, input_shape, dtype, rng):
        return {"W": self._new_param((self.kernel_width, input_shape[-1], self.out_ch), dtype, rng),
                "b": np.zeros(self.out_ch, dtype=dtype)}

    def output_shape(self, input_shape):
        _, _, left, right = self._pads((None, 1, input_shape[0]))
        return (conv_out_size(input_shape[0], self.kernel_width, self.stride, left + right, self.dilation),
                self.out_ch)

    def forward(self, X):
        X = float_input(X, ndim=3)
        self._ensure_params(X)
        if X.shape[2] != self.params["W"].shape[1]:
            raise ValueError(f"conv1d was built for {self.params['W'].shape[1]} input channels, got X {X.shape}")
        return self._act_forward(self._conv_forward(X[:, None])[:, 0])

    def backward(self, dY, input_grad: bool = True):
        """Fill ``grads``; return dX (None when ``input_grad`` is False)."""
        dX = self._conv_backward(np.asarray(dY)[:, None], input_grad)
        return None if dX is None else dX[:, 0]


class Deconv2D(_ConvBase):
    """Transposed 2-D convolution (``nn.ConvTranspose2d``), channels last.

    Parameters
    ----------
    out_ch : int
    kernel_shape : int or (int, int)
    stride : int or (int, int), default 1
    pad : int, (rows, cols) or (top, bottom, left, right), default 0
        Rows/columns cropped from the full output (PyTorch's ``padding``).
    dilation : int or (int, int), default 1
    output_padding : int or (int, int), default 0
        Rows/columns added at the bottom/right of the output (PyTorch's
        ``output_padding``: picks one of the input sizes a strided conv2d maps to the
        same output size); each must be smaller than the stride or the dilation.
    act_fn, init, optimizer, random_state : as for ``dense``

    Shapes
    ------
    X (n, rows, cols, in_ch) -> (n, out_rows, out_cols, out_ch), out = (in - 1) stride -
    pad_lo - pad_hi + dilation (k - 1) + output_padding + 1. ``W (k_rows, k_cols, in_ch, out_ch)``,
    ``b (out_ch,)``; PyTorch: ``weight = W.transpose(2, 3, 0, 1)`` (in, out, k_r, k_c).

    Notes
    -----
    The adjoint of conv2d: forward is one GEMM then col2im (scatter each input pixel's
    k_r x k_c x out_ch patch at stride s); backward is im2col of dY and two GEMMs.
    """

    input_ndim = 4
    input_layout = "(n, rows, cols, channels)"

    _kernel_name = "kernel_shape"
    _pad_strings = ()

    def __init__(self, out_ch, kernel_shape, stride=1, pad=0, dilation=1, output_padding=0, act_fn=None, init=None,
                 optimizer=None, random_state=None):
        super().__init__(out_ch, kernel_shape, stride, pad, dilation, act_fn, init, optimizer, random_state)
        self.output_padding = check_shape_arg(output_padding, "output_padding", low=0)
        op, st, dl = pair(output_padding), pair(stride), pair(dilation)
        if any(o >= max(s, d) for o, s, d in zip(op, st, dl)):
            raise ComponentArgumentError(f"output_padding must be smaller than the stride or the dilation "
                                         f"(stride={stride!r}, dilation={dilation!r}), got {output_padding!r}")

    @classmethod
    def conformance_example(cls):
        return {"spec": "deconv2d(out_ch=2, kernel_shape=3, stride=2, pad=1, output_padding=1, act_fn=tanh, "
                        "random_state=0)",
                "input": np.random.default_rng(0).normal(size=(2, 3, 4, 3))}

    def output_shape(self, input_shape):
        (kr, kc), (sr, sc), (dr, dc) = self._geometry()
        t, b, left, right = self._pads((None,) + tuple(input_shape))
        opr, opc = pair(self.output_padding)
        return (deconv_out_size(input_shape[0], kr, sr, t + b, dr) + opr,
                deconv_out_size(input_shape[1], kc, sc, left + right, dc) + opc, self.out_ch)

    def forward(self, X):
        X = float_input(X, ndim=4)
        self._ensure_params(X)
        W = self.params["W"]
        n, H, Wd, Cin = X.shape
        if Cin != W.shape[2]:
            raise ValueError(f"deconv2d was built for {W.shape[2]} input channels, got X {X.shape}")
        ks, st, dl = self._geometry()
        p = self._pads(X.shape)
        full = (deconv_out_size(H, ks[0], st[0], 0, dl[0]), deconv_out_size(Wd, ks[1], st[1], 0, dl[1]))
        if full[0] - p[0] - p[1] < 1 or full[1] - p[2] - p[3] < 1:
            raise ValueError(f"padding {p} removes the whole output {full}")
        tap = self._scratch("tap", (n * H * Wd, self.out_ch), np.result_type(X, W))
        Yfull = col2im_gemm(X.reshape(-1, Cin), W, (n, full[0], full[1], self.out_ch), ks, st, dl, tap)
        op = pair(self.output_padding)
        if any(op):   # extra bottom/right rows and columns: beyond the full output they are zero
            Yfull = np.pad(Yfull, ((0, 0), (0, op[0]), (0, op[1]), (0, 0)))
        Z = Yfull[:, p[0]:full[0] - p[1] + op[0], p[2]:full[1] - p[3] + op[1], :] + self.params["b"]
        self._cache = (X, p, Z)
        return self._act_forward(Z)

    def backward(self, dY, input_grad: bool = True):
        """Fill ``grads``; return dX (None when ``input_grad`` is False)."""
        X, p, Z = self.__dict__.get("_cache") or self._no_forward()
        dZ = self._act_backward(np.asarray(dY), Z)
        W = self.params["W"]
        Cin = X.shape[3]
        ks, st, dl = self._geometry()
        op = pair(self.output_padding)
        if any(op):   # dY of the full output: dZ placed at its offset, the part beyond it dropped
            full = (deconv_out_size(X.shape[1], ks[0], st[0], 0, dl[0]),
                    deconv_out_size(X.shape[2], ks[1], st[1], 0, dl[1]))
            ext = np.zeros((dZ.shape[0], full[0] + op[0], full[1] + op[1], dZ.shape[3]), dtype=dZ.dtype)
            ext[:, p[0]:p[0] + dZ.shape[1], p[2]:p[2] + dZ.shape[2]] = dZ
            dfull = np.ascontiguousarray(ext[:, :full[0], :full[1]])
        else:
            dfull, _ = pad_2d(dZ, p)
        buf = self._scratch("dcols", (X.shape[0] * X.shape[1] * X.shape[2], ks[0] * ks[1] * dZ.shape[3]), dZ.dtype)
        dcols, _, _ = im2col(dfull, ks, st, 0, dl, out=buf)   # (n * rows * cols, k_r * k_c * out_ch)
        Wt = W.transpose(2, 0, 1, 3).reshape(Cin, -1)
        if self.trainable:
            dWt = X.reshape(-1, Cin).T @ dcols
            self.grads = {"W": dWt.reshape(Cin, ks[0], ks[1], -1).transpose(1, 2, 0, 3),
                          "b": dZ.sum(axis=(0, 1, 2))}
        return (dcols @ Wt.T).reshape(X.shape) if input_grad else None
