"""The blocked-im2col convolutions and the gate-major LSTM against the readable references.

Oracle: :mod:`mlcore_nn.layers._reference` (a loop over output positions and kernel taps
per convolution, a loop over time steps with one equation per line for the LSTM, written
from the definitions and torch's documented LSTM equations), independent of im2col, the
cache blocks, ``col2im`` and the stacked gate derivatives. Outputs, parameter gradients and
input gradients, float64, rtol 1e-10. Geometry: strides > 1, dilations, int / pair /
4-tuple / "same" / "valid" / "causal" padding, output padding, several blocks of samples
(natural and forced by a tiny block size). LSTM: one and several steps, given initial
states, gradients on the final states, ``return_sequences=False``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mlcore_nn.layers import _reference as ref
from mlcore_nn.layers import conv as conv_module

import mlcore

RTOL, ATOL = 1e-10, 1e-12


def _same(n, k, s, d):
    """README: "same" keeps ceil(n / s) outputs; the odd extra pixel goes bottom/right."""
    total = max((math.ceil(n / s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _pads_2d(pad, shape, k, s, d):
    if pad == "valid":
        return 0, 0, 0, 0
    if pad == "same":
        return _same(shape[1], k[0], s[0], d[0]) + _same(shape[2], k[1], s[1], d[1])
    if isinstance(pad, tuple) and len(pad) == 4:
        return pad
    r, c = _pair(pad)
    return r, r, c, c


def _pads_1d(pad, length, k, s, d):
    if pad == "causal":
        return d * (k - 1), 0
    if pad == "valid":
        return 0, 0
    if pad == "same":
        return _same(length, k, s, d)
    return _pair(pad)


def _run_layer(layer, X, rng):
    """Forward (with random biases) and backward of a layer; returns params, Z, dZ, dX, grads."""
    layer.forward(X)
    layer.params["b"][...] = rng.normal(size=layer.params["b"].shape)
    Z = layer.forward(X)
    dZ = rng.normal(size=Z.shape)
    dX = layer.backward(dZ)
    return layer.params, Z, dZ, dX, layer.grads


def _check(Z, dX, grads, expected):
    Z_ref, (dX_ref, dW_ref, db_ref) = expected
    np.testing.assert_allclose(Z, Z_ref, rtol=RTOL, atol=ATOL, err_msg="output")
    np.testing.assert_allclose(dX, dX_ref, rtol=RTOL, atol=ATOL, err_msg="dX")
    np.testing.assert_allclose(grads["W"], dW_ref, rtol=RTOL, atol=ATOL, err_msg="dW")
    np.testing.assert_allclose(grads["b"], db_ref, rtol=RTOL, atol=ATOL, err_msg="db")


@pytest.fixture(params=["default_blocks", "tiny_blocks"])
def blocks(request, monkeypatch):
    if request.param == "tiny_blocks":   # patch matrices of one sample per block
        monkeypatch.setattr(conv_module, "_BLOCK_BYTES", 1)
    return request.param


CONV2D = [  # kernel, stride, pad, dilation, X shape
    ((2, 3), (1, 2), 1, (2, 1), (2, 5, 6, 3)),
    (3, 2, "same", 1, (3, 7, 8, 2)),
    (3, 1, (0, 2, 1, 0), 2, (2, 8, 7, 3)),
    (1, 3, "valid", 1, (2, 7, 7, 2)),
    ((3, 2), (2, 3), (2, 1), (1, 2), (3, 6, 9, 2)),
    (3, 1, 1, 1, (8, 16, 16, 8)),          # about 150 KB of patches per sample: several blocks
]


@pytest.mark.parametrize("k, s, pad, d, shape", CONV2D)
def test_conv2d_equals_reference(k, s, pad, d, shape, blocks):
    rng = np.random.default_rng(0)
    X = rng.normal(size=shape)
    layer = mlcore.build("conv2d", out_ch=4, kernel_shape=k, stride=s, pad=pad, dilation=d, random_state=1)
    p, Z, dZ, dX, grads = _run_layer(layer, X, rng)
    k, s, d = _pair(k), _pair(s), _pair(d)
    expected = ref.conv2d(X, p["W"], p["b"], dZ, s, _pads_2d(pad, shape, k, s, d), d)
    _check(Z, dX, grads, expected)


CONV1D = [  # kernel, stride, pad, dilation
    (3, 1, "causal", 2),
    (4, 2, "same", 1),
    (2, 3, (1, 3), 1),
    (5, 1, "valid", 1),
    (3, 2, 2, 3),
]


@pytest.mark.parametrize("k, s, pad, d", CONV1D)
def test_conv1d_equals_reference(k, s, pad, d, blocks):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 11, 2))
    layer = mlcore.build("conv1d", out_ch=3, kernel_width=k, stride=s, pad=pad, dilation=d, random_state=2)
    p, Z, dZ, dX, grads = _run_layer(layer, X, rng)
    expected = ref.conv1d(X, p["W"], p["b"], dZ, s, _pads_1d(pad, 11, k, s, d), d)
    _check(Z, dX, grads, expected)


DECONV2D = [  # kernel, stride, pad, dilation, output_padding, X shape
    (3, 2, 1, 1, 1, (2, 3, 4, 3)),
    ((2, 3), (3, 1), (0, 1, 2, 0), (1, 2), 0, (2, 4, 3, 2)),
    (2, 1, 0, 1, 0, (3, 5, 5, 2)),
    (3, (2, 3), (1, 2), 1, (1, 2), (2, 4, 4, 3)),
    (2, 1, 0, 3, (2, 0), (1, 3, 3, 2)),      # output padding below the dilation
]


@pytest.mark.parametrize("k, s, pad, d, op, shape", DECONV2D)
def test_deconv2d_equals_reference(k, s, pad, d, op, shape):
    rng = np.random.default_rng(2)
    X = rng.normal(size=shape)
    layer = mlcore.build("deconv2d", out_ch=3, kernel_shape=k, stride=s, pad=pad, dilation=d, output_padding=op,
                         random_state=3)
    p, Z, dZ, dX, grads = _run_layer(layer, X, rng)
    k, s, d = _pair(k), _pair(s), _pair(d)
    expected = ref.deconv2d(X, p["W"], p["b"], dZ, s, _pads_2d(pad, shape, k, s, d), d, _pair(op))
    _check(Z, dX, grads, expected)


def test_reference_deconv2d_is_the_adjoint_of_conv2d():
    """<conv2d(X), Y> = <X, deconv2d(Y)> for the same geometry and no bias (checked on the
    references themselves, so that they are not only consistent with the layers)."""
    rng = np.random.default_rng(3)
    W = rng.normal(size=(3, 2, 2, 3))
    X = rng.normal(size=(2, 7, 6, 2))
    geom = {"stride": (2, 1), "pad": (1, 0, 1, 1), "dilation": (1, 2)}
    Z = ref.conv2d(X, W, np.zeros(3), **geom)
    Y = rng.normal(size=Z.shape)
    Wt = W.transpose(0, 1, 3, 2)                         # (k_r, k_c, out, in): from Y's channels to X's
    back = ref.deconv2d(Y, Wt, np.zeros(2), **geom, output_padding=(1, 0))   # 3 rows -> 7, not 6
    assert back.shape == X.shape
    np.testing.assert_allclose(np.vdot(Z, Y), np.vdot(X, back), rtol=1e-12)


LSTM = [  # n, T, F, H, return_sequences, initial states, final-state gradients
    (3, 7, 4, 5, True, False, False),
    (2, 1, 3, 2, True, True, True),
    (1, 9, 2, 3, False, True, False),
    (4, 5, 3, 4, True, True, True),
    (2, 6, 5, 3, False, False, True),
]


@pytest.mark.parametrize("n, T, F, H, seqs, init, final", LSTM)
def test_lstm_equals_reference(n, T, F, H, seqs, init, final):
    rng = np.random.default_rng(T * 10 + H)
    X = rng.normal(size=(n, T, F))
    layer = mlcore.build("lstm", n_out=H, return_sequences=seqs, random_state=4)
    layer.forward(X)
    p = layer.params
    p["b_ih"][...] = rng.normal(size=4 * H)
    p["b_hh"][...] = rng.normal(size=4 * H)
    h0, c0 = (rng.normal(size=(n, H)), rng.normal(size=(n, H))) if init else (None, None)
    dhT, dcT = (rng.normal(size=(n, H)), rng.normal(size=(n, H))) if final else (None, None)
    Y = layer.forward(X, h0, c0)
    dY = rng.normal(size=Y.shape)
    dX = layer.backward(dY, dhT=dhT, dcT=dcT)
    if seqs:
        dH, dh_last = dY, dhT
    else:                   # only h_T is returned: its gradient joins the one on the final state
        dH, dh_last = None, dY if dhT is None else dY + dhT
    Hs, (hT, cT), g = ref.lstm(X, p["W_ih"], p["W_hh"], p["b_ih"], p["b_hh"], h0, c0, dH, dh_last, dcT)
    close = {"rtol": RTOL, "atol": ATOL}
    np.testing.assert_allclose(Y, Hs if seqs else hT, **close)
    np.testing.assert_allclose(layer.final_state[0], hT, **close)
    np.testing.assert_allclose(layer.final_state[1], cT, **close)
    np.testing.assert_allclose(dX, g["dX"], **close)
    for name, key in (("W_ih", "dW_ih"), ("W_hh", "dW_hh"), ("b_ih", "db"), ("b_hh", "db")):
        np.testing.assert_allclose(layer.grads[name], g[key], err_msg=name, **close)
    np.testing.assert_allclose(layer.state_grads[0], g["dh0"], **close)
    np.testing.assert_allclose(layer.state_grads[1], g["dc0"], **close)


def test_reference_lstm_one_step_closed_form():
    """One step from zero states, scalar sizes: c = i g, h = o tanh(c), written out."""
    x, w, b = 0.7, np.array([[0.3, -0.2, 0.5, 0.9]]), np.array([0.1, 0.0, -0.3, 0.2])
    Hs, (h, c) = ref.lstm(np.array([[[x]]]), w, np.zeros((1, 4)), b, np.zeros(4))
    z = x * w[0] + b
    sig = 1 / (1 + np.exp(-z))
    c_exp = sig[0] * np.tanh(z[2])
    np.testing.assert_allclose(c, [[c_exp]], rtol=1e-15)
    np.testing.assert_allclose(Hs[0, 0], [sig[3] * np.tanh(c_exp)], rtol=1e-15)
