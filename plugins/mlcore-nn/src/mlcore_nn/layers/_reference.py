"""Readable reference implementations of the convolutions and the LSTM, written as their equations.

The layers run fast versions: convolutions through a blocked im2col (patch matrices built
a cache-sized block of samples at a time, one GEMM each, ``col2im`` by strided adds), the
LSTM through a gate-major step that gets all four gates from one ``tanh`` and stores
stacked local derivatives for BPTT. None of that reads like the definitions. The functions
here do: a loop over output positions and kernel taps for a convolution, a loop over time
steps for the LSTM, one equation per line. They are not used by the layers;
``tests/test_nn_reference.py`` checks that ``conv1d``, ``conv2d``, ``deconv2d`` and
``lstm`` give the same outputs and gradients (float64, rtol 1e-10).

Layouts are the layers' (channels last): images ``(n, rows, cols, channels)``, signals
``(n, length, channels)``, kernels ``W (k_rows, k_cols, in, out)`` or ``(k, in, out)``,
sequences ``(n, T, features)``. Paddings are explicit integers here (the layers resolve
``"same"`` and ``"causal"`` into them). Loops over positions, taps and time steps are the
point of this module: it favours clarity over speed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["conv1d", "conv2d", "deconv2d", "lstm"]


def _taps(out_size, in_size, k, stride, dilation, pad_lo):
    """Pairs (output index, kernel tap, input index) of one axis of a convolution:
    input index = out * stride + tap * dilation - pad_lo, kept when it is inside the input
    (outside it reads the zero padding, which contributes nothing)."""
    return [(o, a, o * stride + a * dilation - pad_lo) for o in range(out_size) for a in range(k)
            if 0 <= o * stride + a * dilation - pad_lo < in_size]


def conv2d(X, W, b, dZ=None, stride=(1, 1), pad=(0, 0, 0, 0), dilation=(1, 1)):
    """2-D convolution (cross-correlation) with zero padding, and its gradients.

    Parameters
    ----------
    X : ndarray (n, H, W_in, C)
    W : ndarray (k_r, k_c, C, O)
    b : ndarray (O,)
    dZ : ndarray (n, H_out, W_out, O), optional
        Gradient of the loss with respect to the output; when given, the gradients are
        returned too.
    stride, dilation : (int, int)
    pad : (top, bottom, left, right)

    Returns
    -------
    Z : ndarray (n, H_out, W_out, O)
    (dX, dW, db) : when ``dZ`` is given

    Notes
    -----
    With s the stride, d the dilation and X zero-padded,

    .. math::

        Z[n, r, c, o] = b_o + \\sum_{a, b', i} X[n, r s_r + a d_r, c s_c + b' d_c, i]\\, W[a, b', i, o],

    H_out = floor((H + pad_t + pad_b - d (k - 1) - 1) / s) + 1. Every term is linear, so
    the gradients are the same sums read the other way:
    ``dW[a, b', i, o] = sum_(n,r,c) X[n, ., ., i] dZ[n, r, c, o]``,
    ``dX[n, ., ., i] += sum_o dZ[n, r, c, o] W[a, b', i, o]``, ``db = sum dZ``
    (Goodfellow, Bengio and Courville 2016, Deep Learning, sec. 9.5; Dumoulin and Visin 2016,
    A guide to convolution arithmetic for deep learning, arXiv:1603.07285).
    """
    n, H, Wd, _ = X.shape
    kr, kc, _, O = W.shape
    Ho = (H + pad[0] + pad[1] - dilation[0] * (kr - 1) - 1) // stride[0] + 1
    Wo = (Wd + pad[2] + pad[3] - dilation[1] * (kc - 1) - 1) // stride[1] + 1
    rows = _taps(Ho, H, kr, stride[0], dilation[0], pad[0])
    cols = _taps(Wo, Wd, kc, stride[1], dilation[1], pad[2])
    Z = np.zeros((n, Ho, Wo, O)) + b
    for r, a, x_r in rows:          # output row r reads input row x_r through kernel row a
        for c, bb, x_c in cols:
            Z[:, r, c] += X[:, x_r, x_c] @ W[a, bb]
    if dZ is None:
        return Z
    dX, dW = np.zeros(X.shape), np.zeros(W.shape)
    for r, a, x_r in rows:
        for c, bb, x_c in cols:
            dW[a, bb] += X[:, x_r, x_c].T @ dZ[:, r, c]
            dX[:, x_r, x_c] += dZ[:, r, c] @ W[a, bb].T
    return Z, (dX, dW, dZ.sum(axis=(0, 1, 2)))


def conv1d(X, W, b, dZ=None, stride=1, pad=(0, 0), dilation=1):
    """1-D convolution: ``Z[n, t, o] = b_o + sum_(a, i) X[n, t s + a d - pad_l, i] W[a, i, o]``.

    ``X (n, L, C)``, ``W (k, C, O)``, ``pad = (left, right)``; returns Z and, with ``dZ``,
    ``(dX, dW, db)``, as :func:`conv2d` (of which this is the one-row case, written out).
    """
    n, L, _ = X.shape
    k, _, O = W.shape
    Lo = (L + pad[0] + pad[1] - dilation * (k - 1) - 1) // stride + 1
    taps = _taps(Lo, L, k, stride, dilation, pad[0])
    Z = np.zeros((n, Lo, O)) + b
    for t, a, x_t in taps:
        Z[:, t] += X[:, x_t] @ W[a]
    if dZ is None:
        return Z
    dX, dW = np.zeros(X.shape), np.zeros(W.shape)
    for t, a, x_t in taps:
        dW[a] += X[:, x_t].T @ dZ[:, t]
        dX[:, x_t] += dZ[:, t] @ W[a].T
    return Z, (dX, dW, dZ.sum(axis=(0, 1)))


def deconv2d(X, W, b, dZ=None, stride=(1, 1), pad=(0, 0, 0, 0), dilation=(1, 1), output_padding=(0, 0)):
    """Transposed 2-D convolution (PyTorch's ``ConvTranspose2d``), and its gradients.

    Parameters
    ----------
    X, W, b, dZ
        As for :func:`conv2d`: ``(n, H, W_in, C)``, ``(k_r, k_c, C, O)``, ``(O,)`` and the
        optional output gradient ``(n, H_out, W_out, O)``.
    stride, dilation, output_padding : (int, int)
    pad : (top, bottom, left, right)
        Rows and columns cropped from the full output.

    Returns
    -------
    Z : ndarray (n, H_out, W_out, O)
    (dX, dW, db) : when ``dZ`` is given

    Notes
    -----
    Every input pixel scatters its kernel-weighted copy onto the output at stride s:

    .. math::

        Z[n, r s_r + a d_r - p_t, c s_c + b' d_c - p_l, o] \\mathrel{+}= \\sum_i X[n, r, c, i]\\, W[a, b', i, o],

    plus b, for the targets inside the output, H_out = (H - 1) s - p_t - p_b + d (k - 1)
    + output_padding + 1. It is the adjoint (transpose) of :func:`conv2d` with the same
    geometry (Dumoulin and Visin 2016, sec. 4); the gradients read the sums the other way.
    """
    n, H, Wd, _ = X.shape
    kr, kc, _, O = W.shape
    Ho = (H - 1) * stride[0] - pad[0] - pad[1] + dilation[0] * (kr - 1) + output_padding[0] + 1
    Wo = (Wd - 1) * stride[1] - pad[2] - pad[3] + dilation[1] * (kc - 1) + output_padding[1] + 1
    # (input index, tap, output index): conv2d's index relation read from the input side
    rows = [(i, a, i * stride[0] + a * dilation[0] - pad[0]) for i in range(H) for a in range(kr)
            if 0 <= i * stride[0] + a * dilation[0] - pad[0] < Ho]
    cols = [(j, bb, j * stride[1] + bb * dilation[1] - pad[2]) for j in range(Wd) for bb in range(kc)
            if 0 <= j * stride[1] + bb * dilation[1] - pad[2] < Wo]
    # conv2d's loops with input and output swapped, written out again on purpose: a
    # reference reads as its own equation, top to bottom, without a shared helper to open.
    Z = np.zeros((n, Ho, Wo, O)) + b
    for r, a, z_r in rows:          # input row r lands on output row z_r through kernel row a
        for c, bb, z_c in cols:
            Z[:, z_r, z_c] += X[:, r, c] @ W[a, bb]
    if dZ is None:
        return Z
    dX, dW = np.zeros(X.shape), np.zeros(W.shape)
    for r, a, z_r in rows:
        for c, bb, z_c in cols:
            dW[a, bb] += X[:, r, c].T @ dZ[:, z_r, z_c]
            dX[:, r, c] += dZ[:, z_r, z_c] @ W[a, bb].T
    return Z, (dX, dW, dZ.sum(axis=(0, 1, 2)))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm(X, W_ih, W_hh, b_ih, b_hh, h0=None, c0=None, dH=None, dhT=None, dcT=None):
    """LSTM over whole sequences, and backpropagation through time.

    Parameters
    ----------
    X : ndarray (n, T, F)
    W_ih : ndarray (F, 4H), W_hh : ndarray (H, 4H), b_ih, b_hh : ndarray (4H,)
        Gate blocks in PyTorch's order i, f, g, o (``W_ih = weight_ih_l0.T``).
    h0, c0 : ndarray (n, H), optional
        Initial states (zeros).
    dH : ndarray (n, T, H), optional
        Gradient of the loss with respect to every h_t; with ``dhT``/``dcT`` (on the final
        states) it selects the backward pass.

    Returns
    -------
    Hs : ndarray (n, T, H)
        h_1 .. h_T.
    (h_T, c_T) : final states
    grads : dict, only when a gradient is given
        ``dX, dW_ih, dW_hh, db`` (the gradient of b_ih and of b_hh), ``dh0, dc0``.

    Notes
    -----
    The equations of ``torch.nn.LSTM`` (Hochreiter and Schmidhuber 1997, with the forget
    gate of Gers, Schmidhuber and Cummins 2000):

    .. math::

        i_t &= \\sigma(x_t W_{ii} + h_{t-1} W_{hi} + b_i), \\quad
        f_t = \\sigma(x_t W_{if} + h_{t-1} W_{hf} + b_f) \\\\
        g_t &= \\tanh(x_t W_{ig} + h_{t-1} W_{hg} + b_g), \\quad
        o_t = \\sigma(x_t W_{io} + h_{t-1} W_{ho} + b_o) \\\\
        c_t &= f_t \\odot c_{t-1} + i_t \\odot g_t, \\qquad h_t = o_t \\odot \\tanh(c_t)

    BPTT walks the steps backwards with the chain rule: with dh = dL/dh_t (from the output
    and from step t+1) and dc = dL/dc_t, dc += dh o_t (1 - tanh^2 c_t); the pre-activation
    gradients are dz_i = dc g_t i_t (1 - i_t), dz_f = dc c_(t-1) f_t (1 - f_t),
    dz_g = dc i_t (1 - g_t^2), dz_o = dh tanh(c_t) o_t (1 - o_t); then
    dh_(t-1) = dz W_hh^T, dc_(t-1) = dc f_t, and each weight's gradient is the sum over
    steps of input^T dz (Graves 2012, Supervised sequence labelling with recurrent neural
    networks, ch. 4).
    """
    n, T, F = X.shape
    H = W_hh.shape[0]
    gate = {name: slice(k * H, (k + 1) * H) for k, name in enumerate("ifgo")}
    h = np.zeros((n, H)) if h0 is None else h0
    c = np.zeros((n, H)) if c0 is None else c0
    steps = []                                  # what BPTT needs of each step
    for t in range(T):  # the recurrence is sequential in time
        x = X[:, t]
        z = x @ W_ih + h @ W_hh + b_ih + b_hh
        i = _sigmoid(z[:, gate["i"]])
        f = _sigmoid(z[:, gate["f"]])
        g = np.tanh(z[:, gate["g"]])
        o = _sigmoid(z[:, gate["o"]])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        steps.append((x, h, c, i, f, g, o, c_new, h_new))
        h, c = h_new, c_new
    Hs = np.stack([s[-1] for s in steps], axis=1)
    if dH is None and dhT is None and dcT is None:
        return Hs, (h, c)
    dW_ih, dW_hh, db = np.zeros(W_ih.shape), np.zeros(W_hh.shape), np.zeros(4 * H)
    dX = np.zeros(X.shape)
    dh = np.zeros((n, H)) if dhT is None else np.array(dhT, dtype=float)
    dc = np.zeros((n, H)) if dcT is None else np.array(dcT, dtype=float)
    for t in range(T - 1, -1, -1):  # backpropagation through time
        x, h_prev, c_prev, i, f, g, o, c_t, _ = steps[t]
        if dH is not None:
            dh = dh + dH[:, t]
        tc = np.tanh(c_t)
        dc = dc + dh * o * (1 - tc ** 2)
        dz = np.zeros((n, 4 * H))
        dz[:, gate["i"]] = dc * g * i * (1 - i)
        dz[:, gate["f"]] = dc * c_prev * f * (1 - f)
        dz[:, gate["g"]] = dc * i * (1 - g ** 2)
        dz[:, gate["o"]] = dh * tc * o * (1 - o)
        dW_ih += x.T @ dz
        dW_hh += h_prev.T @ dz
        db += dz.sum(axis=0)
        dX[:, t] = dz @ W_ih.T
        dh = dz @ W_hh.T
        dc = dc * f
    return Hs, (h, c), {"dX": dX, "dW_ih": dW_ih, "dW_hh": dW_hh, "db": db, "dh0": dh, "dc0": dc}
