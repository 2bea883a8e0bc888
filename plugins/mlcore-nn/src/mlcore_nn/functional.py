"""Functional building blocks: padding, im2col/col2im, convolutions, minibatches.

Layouts are channels last and batch first: images ``(n, rows, cols, channels)``,
signals ``(n, length, channels)``. Convolutions are cross-correlations, as in PyTorch;
``dilation=1`` means no dilation (PyTorch's convention; numpy-ml's ``dilation=d`` is
``d + 1`` here). Weights are ``(k_rows, k_cols, in_ch, out_ch)`` (2-D) and
``(k, in_ch, out_ch)`` (1-D).

Output size of a convolution along one axis::

    out = floor((in + pad_lo + pad_hi - dilation * (k - 1) - 1) / stride) + 1

``im2col`` builds the patch matrix from a strided view of the padded input (one
copy, no index arrays); ``col2im`` sums patches back with one strided addition per
kernel tap, so neither uses ``np.add.at``.

Example
-------
>>> import numpy as np
>>> from mlcore_nn.functional import conv2d
>>> X = np.ones((1, 5, 5, 1)); W = np.ones((3, 3, 1, 2))
>>> conv2d(X, W, pad="same")[0, :, :, 0]
array([[4., 6., 6., 6., 4.],
       [6., 9., 9., 9., 6.],
       [6., 9., 9., 9., 6.],
       [6., 9., 9., 9., 6.],
       [4., 6., 6., 6., 4.]])
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import as_strided

from mlcore.validation import check_random_state

__all__ = [
    "batch_indices",
    "col2im",
    "col2im_add",
    "col2im_gemm",
    "conv1d",
    "conv2d",
    "conv_out_size",
    "deconv2d",
    "deconv_out_size",
    "dilate",
    "im2col",
    "minibatch",
    "pad_1d",
    "pad_2d",
    "pad_dims_1d",
    "pad_dims_2d",
    "pair",
    "sigmoid",
]


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z), without overflow: e^-|z| never exceeds 1.

    The one implementation in mlcore-nn (the ``sigmoid`` activation, gated units, RBMs,
    word2vec and the generative losses use it); ``layers/_reference.py`` keeps the
    textbook formula on purpose.
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def pair(v, name="value"):
    """``(v, v)`` for an int, the tuple itself for a 2-tuple."""
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return int(v), int(v)
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(x, numbers.Integral) for x in v):
        return int(v[0]), int(v[1])
    raise ValueError(f"{name} must be an int or a pair of ints, got {v!r}")


def conv_out_size(n_in, k, stride=1, pad_total=0, dilation=1) -> int:
    """Output length of a convolution along one axis."""
    return (n_in + pad_total - dilation * (k - 1) - 1) // stride + 1


def deconv_out_size(n_in, k, stride=1, pad_total=0, dilation=1) -> int:
    """Output length of a transposed convolution: (in - 1) s - pad_total + d (k - 1) + 1."""
    return (n_in - 1) * stride - pad_total + dilation * (k - 1) + 1


def _same_pad(n_in, k, s, d):
    out = -(-n_in // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n_in, 0)
    return total // 2, total - total // 2


def pad_dims_2d(X_shape, pad, kernel_shape, stride=1, dilation=1) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` padding for ``pad`` given as an int, a pair (rows, cols),
    a 4-tuple, ``"valid"`` (no padding) or ``"same"`` (output size ceil(in / stride); the
    odd extra pixel goes bottom/right, as in TensorFlow and PyTorch)."""
    if isinstance(pad, str):
        if pad == "valid":
            return 0, 0, 0, 0
        if pad != "same":
            raise ValueError(f"pad must be an int, a tuple, 'same' or 'valid', got {pad!r}")
        (kr, kc), (sr, sc), (dr, dc) = pair(kernel_shape), pair(stride), pair(dilation)
        return _same_pad(X_shape[1], kr, sr, dr) + _same_pad(X_shape[2], kc, sc, dc)
    if isinstance(pad, (tuple, list)) and len(pad) == 4:
        out = (int(pad[0]), int(pad[1]), int(pad[2]), int(pad[3]))
    else:
        r, c = pair(pad, "pad")
        out = (r, r, c, c)
    if min(out) < 0:
        raise ValueError(f"padding must be non-negative, got {pad!r}")
    return out


def pad_dims_1d(X_shape, pad, kernel_width, stride=1, dilation=1) -> tuple[int, int]:
    """``(left, right)`` padding: an int, a pair, ``"valid"``, ``"same"`` or ``"causal"``
    (all padding on the left, d (k - 1), so output t sees inputs <= t only)."""
    if pad == "causal":
        return dilation * (kernel_width - 1), 0
    if isinstance(pad, str):
        _, _, left, right = pad_dims_2d((X_shape[0], 1, X_shape[1]), pad, (1, kernel_width), (1, stride),
                                        (1, dilation))
        return left, right
    left, right = pair(pad, "pad")
    if min(left, right) < 0:
        raise ValueError(f"padding must be non-negative, got {pad!r}")
    return left, right


def pad_2d(X, pad, kernel_shape=None, stride=1, dilation=1, value=0.0):
    """Zero-pad (or ``value``-pad) images ``(n, rows, cols, ch)``; returns ``(X_pad, (t, b, l, r))``."""
    p = pad_dims_2d(X.shape, pad, kernel_shape, stride, dilation)
    if not any(p):
        return X, p
    return np.pad(X, ((0, 0), (p[0], p[1]), (p[2], p[3]), (0, 0)), constant_values=value), p


def pad_1d(X, pad, kernel_width=None, stride=1, dilation=1):
    """Zero-pad signals ``(n, length, ch)``; returns ``(X_pad, (left, right))``."""
    p = pad_dims_1d(X.shape, pad, kernel_width, stride, dilation)
    if not any(p):
        return X, p
    return np.pad(X, ((0, 0), p, (0, 0))), p


def _window_view(Xp, kernel_shape, stride, dilation, out_shape):
    """Strided view ``(n, out_r, out_c, k_r, k_c, ch)`` of a padded image batch (no copy)."""
    n, _, _, C = Xp.shape
    (kr, kc), (sr, sc), (dr, dc) = kernel_shape, stride, dilation
    s_n, s_r, s_c, s_ch = Xp.strides
    return as_strided(Xp, shape=(n, out_shape[0], out_shape[1], kr, kc, C),
                      strides=(s_n, s_r * sr, s_c * sc, s_r * dr, s_c * dc, s_ch), writeable=False)


def im2col(X, kernel_shape, stride=1, pad=0, dilation=1, out=None):
    """Patch matrix of an image batch.

    Parameters
    ----------
    X : ndarray (n, rows, cols, in_ch)
    kernel_shape, stride, dilation : int or (int, int)
    pad : int, tuple, "same" or "valid"
    out : ndarray, optional
        Buffer of the result's shape and dtype to write into (layers reuse one across
        steps: fresh arrays above glibc's 32 MB mmap threshold cost a page fault per 4 KB).

    Returns
    -------
    cols : ndarray (n * out_rows * out_cols, k_rows * k_cols * in_ch)
        One row per output position; columns ordered (k_row, k_col, channel), so
        ``cols @ W.reshape(-1, out_ch)`` is the convolution with ``W (k_r, k_c, in, out)``.
    pad : (top, bottom, left, right)
    out_shape : (out_rows, out_cols)
    """
    ks, st, dl = pair(kernel_shape, "kernel_shape"), pair(stride, "stride"), pair(dilation, "dilation")
    Xp, p = pad_2d(X, pad, ks, st, dl)
    out_shape = (conv_out_size(Xp.shape[1], ks[0], st[0], 0, dl[0]),
                 conv_out_size(Xp.shape[2], ks[1], st[1], 0, dl[1]))
    if min(out_shape) < 1:
        raise ValueError(f"kernel {ks} with dilation {dl} does not fit the padded input {Xp.shape[1:3]}")
    shape = (Xp.shape[0] * out_shape[0] * out_shape[1], ks[0] * ks[1] * X.shape[3])
    if out is None:
        out = np.empty(shape, dtype=X.dtype)
    elif out.shape != shape or out.dtype != X.dtype or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous {X.dtype} array of shape {shape}")
    return _im2col_into(Xp, ks, st, dl, out_shape, out), p, out_shape


def _im2col_into(Xp, kernel_shape, stride, dilation, out_shape, out):
    """The copy at the heart of :func:`im2col` without its argument handling: ``Xp`` is
    already padded, the geometry arguments are pairs, ``out`` has the right shape (layers
    call this once per block of samples on their hot path)."""
    np.copyto(out.reshape(Xp.shape[0], *out_shape, kernel_shape[0], kernel_shape[1], Xp.shape[3]),
              _window_view(Xp, kernel_shape, stride, dilation, out_shape))
    return out


def col2im(cols, X_shape, kernel_shape, stride=1, pad=(0, 0, 0, 0), dilation=1):
    """Adjoint of :func:`im2col`: sum every patch back into an image batch.

    Parameters
    ----------
    cols : ndarray (n * out_rows * out_cols, k_rows * k_cols * in_ch)
    X_shape : (n, rows, cols, in_ch)
        Shape of the unpadded image.
    pad : int, tuple or str
        As given to im2col (or its returned 4-tuple).

    Returns
    -------
    ndarray X_shape
    """
    ks, st, dl = pair(kernel_shape, "kernel_shape"), pair(stride, "stride"), pair(dilation, "dilation")
    n, H, W, C = X_shape
    t, b, left, right = pad_dims_2d(X_shape, pad, ks, st, dl)
    Hp, Wp = H + t + b, W + left + right
    out = np.zeros((n, Hp, Wp, C), dtype=cols.dtype)
    col2im_add(out, cols, ks, st, dl)
    return out[:, t:Hp - b, left:Wp - right, :]


def col2im_add(out, cols, kernel_shape, stride=1, dilation=1):
    """Add the patches ``cols`` into the padded image batch ``out (n, rows, cols, ch)`` in place
    (the core of :func:`col2im`; ``cols`` has ``n * out_rows * out_cols`` rows)."""
    ks, st, dl = pair(kernel_shape, "kernel_shape"), pair(stride, "stride"), pair(dilation, "dilation")
    n, Hp, Wp, C = out.shape
    oh, ow = conv_out_size(Hp, ks[0], st[0], 0, dl[0]), conv_out_size(Wp, ks[1], st[1], 0, dl[1])
    c6 = cols.reshape(n, oh, ow, ks[0], ks[1], C)
    # One strided, vectorised addition per kernel tap (k_r * k_c of them, e.g. 9): each
    # adds a whole (n, out_r, out_c, ch) block, so there is no per-element scatter.
    for i in range(ks[0]):
        r0 = i * dl[0]
        for j in range(ks[1]):
            c0 = j * dl[1]
            out[:, r0:r0 + st[0] * (oh - 1) + 1:st[0], c0:c0 + st[1] * (ow - 1) + 1:st[1], :] += c6[:, :, :, i, j, :]
    return out


def col2im_gemm(G, W_taps, out_shape, kernel_shape, stride=1, dilation=1, tap=None):
    """``col2im(G @ W_cols)`` without building the patch matrix: one GEMM per kernel tap.

    Parameters
    ----------
    G : ndarray (n * g_rows * g_cols, g_ch)
        One row per patch position (a convolution's output gradient, or a transposed
        convolution's input).
    W_taps : ndarray (k_rows, k_cols, g_ch, ch)
        Tap (i, j) sends ``G @ W_taps[i, j]`` to the positions the patch covers.
    out_shape : (n, rows, cols, ch)
        The padded image the patches live in.
    tap : ndarray (n * g_rows * g_cols, ch), optional
        Work buffer for one tap's product.

    Returns
    -------
    ndarray out_shape
        The summed patches (uncropped). For conv2d's dX, ``W_taps = W.transpose(0, 1, 3, 2)``.

    Notes
    -----
    Each tap is a (positions x g_ch) @ (g_ch x ch) product added into a strided block: the
    large patch-gradient matrix of plain col2im is never written (twice as fast here).
    """
    ks, st, dl = pair(kernel_shape, "kernel_shape"), pair(stride, "stride"), pair(dilation, "dilation")
    n, Hp, Wp, C = out_shape
    oh, ow = conv_out_size(Hp, ks[0], st[0], 0, dl[0]), conv_out_size(Wp, ks[1], st[1], 0, dl[1])
    dtype = np.result_type(G, W_taps)
    if tap is None:
        tap = np.empty((G.shape[0], C), dtype=dtype)
    out = np.zeros(out_shape, dtype=dtype)
    t4 = tap.reshape(n, oh, ow, C)
    for i in range(ks[0]):          # k_r * k_c taps, each one GEMM and one strided block addition
        r0 = i * dl[0]
        for j in range(ks[1]):
            c0 = j * dl[1]
            np.matmul(G, W_taps[i, j], out=tap)
            out[:, r0:r0 + st[0] * (oh - 1) + 1:st[0], c0:c0 + st[1] * (ow - 1) + 1:st[1], :] += t4
    return out


def conv2d(X, W, stride=1, pad=0, dilation=1, b=None):
    """2-D cross-correlation ``(n, r, c, in) * (k_r, k_c, in, out) -> (n, r', c', out)`` (+ bias ``b (out,)``)."""
    cols, _, out = im2col(X, W.shape[:2], stride, pad, dilation)
    Y = cols @ W.reshape(-1, W.shape[3])
    if b is not None:
        Y += b
    return Y.reshape(X.shape[0], out[0], out[1], W.shape[3])


def conv1d(X, W, stride=1, pad=0, dilation=1, b=None):
    """1-D cross-correlation ``(n, l, in) * (k, in, out) -> (n, l', out)``; ``pad`` may be ``"causal"``."""
    p = pad_dims_1d(X.shape, pad, W.shape[0], stride, dilation)
    Y = conv2d(X[:, None], W[None], (1, stride), (0, 0) + p, (1, dilation), b)
    return Y[:, 0]


def deconv2d(X, W, stride=1, pad=0, dilation=1, b=None):
    """Transposed 2-D convolution (``torch.nn.functional.conv_transpose2d``).

    ``X (n, r, c, in)``, ``W (k_r, k_c, in, out)`` -> ``(n, r', c', out)`` with
    r' = (r - 1) s - pad_top - pad_bottom + d (k_r - 1) + 1. ``pad`` is an int, a pair or a
    4-tuple (the amount cropped from the full output). It is the adjoint (gradient) of
    :func:`conv2d` with the same stride, padding and dilation.
    """
    ks, st, dl = W.shape[:2], pair(stride, "stride"), pair(dilation, "dilation")
    p = pad_dims_2d(X.shape, pad, ks, st, dl)
    n, H, Wd, Cin = X.shape
    Cout = W.shape[3]
    full = (deconv_out_size(H, ks[0], st[0], 0, dl[0]), deconv_out_size(Wd, ks[1], st[1], 0, dl[1]))
    Y = col2im_gemm(X.reshape(-1, Cin), W, (n, full[0], full[1], Cout), ks, st, dl)
    Y = Y[:, p[0]:full[0] - p[1], p[2]:full[1] - p[3], :]
    if b is not None:
        Y = Y + b
    return Y


def dilate(X, d):
    """Insert ``d`` zero rows/columns between the entries of images ``(n, r, c, ch)``
    (shape ``(n, r + d (r - 1), c + d (c - 1), ch)``)."""
    n, r, c, ch = X.shape
    out = np.zeros((n, r + d * (r - 1), c + d * (c - 1), ch), dtype=X.dtype)
    out[:, ::d + 1, ::d + 1] = X
    return out


def batch_indices(n, batch_size=256, shuffle=True, random_state=None):
    """List of index arrays covering ``range(n)`` in batches (shuffled with ``random_state``)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = check_random_state(random_state).permutation(n) if shuffle else np.arange(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def minibatch(X, batchsize=256, shuffle=True, random_state=None):
    """``(generator of index arrays, n_batches)`` over the first axis of ``X``."""
    idx = batch_indices(len(X), batchsize, shuffle, random_state)
    return iter(idx), len(idx)
