"""Functional utilities: convolutions against SciPy's correlate, im2col/col2im and
conv/deconv adjointness, padding rules, the minibatch iterator."""

import numpy as np
import pytest
from mlcore_nn.functional import (
    batch_indices,
    col2im,
    conv1d,
    conv2d,
    deconv2d,
    dilate,
    im2col,
    minibatch,
    pad_dims_1d,
    pad_dims_2d,
)
from scipy.signal import correlate

import mlcore

rng = np.random.default_rng(0)


def _scipy_conv2d(X, W, stride, pad, dilation):
    """Reference: scipy.signal.correlate per (example, in, out) channel on the padded,
    kernel-dilated input, then strided sampling."""
    t, b, left, right = pad
    Xp = np.pad(X, ((0, 0), (t, b), (left, right), (0, 0)))
    kr, kc, cin, cout = W.shape
    Wd = np.zeros(((kr - 1) * dilation[0] + 1, (kc - 1) * dilation[1] + 1, cin, cout))
    Wd[::dilation[0], ::dilation[1]] = W
    out = np.stack([np.stack([sum(correlate(Xp[n, :, :, c], Wd[:, :, c, o], mode="valid") for c in range(cin))
                              for o in range(cout)], axis=-1) for n in range(len(X))])
    return out[:, ::stride[0], ::stride[1]]


@pytest.mark.parametrize("stride, pad, dilation", [((1, 1), (0, 0, 0, 0), (1, 1)), ((2, 1), (1, 1, 2, 2), (1, 1)),
                                                   ((1, 2), (2, 0, 1, 3), (2, 3)), ((3, 3), (1, 2, 1, 2), (2, 1))])
def test_conv2d_matches_scipy_correlate(stride, pad, dilation):
    X, W = rng.normal(size=(2, 9, 10, 3)), rng.normal(size=(3, 2, 3, 4))
    np.testing.assert_allclose(conv2d(X, W, stride, pad, dilation), _scipy_conv2d(X, W, stride, pad, dilation),
                               rtol=1e-12, atol=1e-12)


def test_conv1d_is_conv2d_with_a_unit_row_axis_and_causal_means_causal():
    X, W = rng.normal(size=(2, 12, 3)), rng.normal(size=(3, 3, 2))
    Y = conv1d(X, W, pad="causal", dilation=2)
    assert Y.shape == (2, 12, 2)
    ref = _scipy_conv2d(X[:, None], W[None], (1, 1), (0, 0, 4, 0), (1, 2))[:, 0]
    np.testing.assert_allclose(Y, ref, rtol=1e-12, atol=1e-12)
    X2 = X.copy()
    X2[:, 7:] = 99.0                                # the future does not leak into the past
    np.testing.assert_allclose(conv1d(X2, W, pad="causal", dilation=2)[:, :7], Y[:, :7], atol=1e-12)


def test_im2col_col2im_are_adjoint():
    """<im2col(X), C> == <X, col2im(C)> (col2im is im2col's transpose)."""
    X = rng.normal(size=(2, 7, 6, 3))
    for kw in ({"kernel_shape": 3, "stride": 2, "pad": 1, "dilation": 1}, {"kernel_shape": (2, 3), "stride": (1, 2),
                                                                      "pad": (2, 0, 1, 1), "dilation": (2, 1)}):
        cols, p, _ = im2col(X, **kw)
        C = rng.normal(size=cols.shape)
        back = col2im(C, X.shape, kw["kernel_shape"], kw["stride"], p, kw["dilation"])
        assert back.shape == X.shape
        assert np.vdot(cols, C) == pytest.approx(np.vdot(X, back), rel=1e-12)


@pytest.mark.parametrize("stride, pad, dilation", [(1, 0, 1), (2, 1, 1), ((2, 3), (1, 0, 2, 1), (1, 2))])
def test_deconv2d_is_the_adjoint_of_conv2d(stride, pad, dilation):
    """<conv2d(X, W), Y> == <X, deconv2d(Y, W with in/out swapped)>."""
    X, W = rng.normal(size=(2, 9, 11, 3)), rng.normal(size=(3, 3, 3, 2))
    Y = conv2d(X, W, stride, pad, dilation)
    G = rng.normal(size=Y.shape)
    back = deconv2d(G, W.transpose(0, 1, 3, 2), stride, pad, dilation)
    if back.shape != X.shape:                       # strided conv drops trailing rows/cols
        X = X[:, :back.shape[1], :back.shape[2]]
        Y = conv2d(X, W, stride, pad, dilation)
    assert np.vdot(Y, G) == pytest.approx(np.vdot(X, back), rel=1e-12)


def test_same_padding_rules():
    """'same' keeps ceil(n / stride); the odd extra pixel goes bottom/right (TensorFlow, PyTorch)."""
    assert pad_dims_2d((1, 5, 5, 1), "same", 3) == (1, 1, 1, 1)
    assert pad_dims_2d((1, 6, 6, 1), "same", 2) == (0, 1, 0, 1)
    assert pad_dims_2d((1, 7, 8, 1), "same", 3, stride=2) == (1, 1, 0, 1)
    assert pad_dims_2d((1, 5, 5, 1), "same", 3, dilation=2) == (2, 2, 2, 2)
    assert pad_dims_1d((1, 10), "causal", 3, dilation=4) == (8, 0)
    for n in range(5, 12):
        for s in (1, 2, 3):
            assert conv2d(np.ones((1, n, n, 1)), np.ones((3, 3, 1, 1)), s, "same").shape[1] == -(-n // s)


def test_layer_padding_buffer_is_not_stale_across_shapes():
    """'same' with stride 2 pads 7 rows as (1, 1) and 8 rows as (0, 1): same padded size,
    different borders. Reference: the functional conv2d."""
    layer = mlcore.build("conv2d(out_ch=2, kernel_shape=3, stride=2, pad='same', random_state=0)", kind="layer")
    for n in (8, 7, 8):
        X = rng.normal(size=(2, n, n, 3)) + 5
        np.testing.assert_allclose(layer.forward(X), conv2d(X, layer.params["W"], 2, "same") + layer.params["b"],
                                   rtol=1e-12)


def test_dilate_inserts_zeros():
    X = np.arange(4.0).reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(dilate(X, 1)[0, :, :, 0], [[0, 0, 1], [0, 0, 0], [2, 0, 3]])


def test_minibatches_cover_everything_once():
    idx = batch_indices(10, 3, shuffle=True, random_state=0)
    assert [len(i) for i in idx] == [3, 3, 3, 1]
    assert sorted(np.concatenate(idx)) == list(range(10))
    np.testing.assert_array_equal(np.concatenate(batch_indices(10, 3, random_state=0)), np.concatenate(idx))
    gen, n = minibatch(np.zeros((7, 2)), 4, shuffle=False)
    assert n == 2 and [list(b) for b in gen] == [[0, 1, 2, 3], [4, 5, 6]]
