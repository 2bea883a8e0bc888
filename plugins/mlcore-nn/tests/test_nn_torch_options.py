"""``deconv2d(output_padding=...)`` and ``pool2d(ceil_mode=True)`` (issue 22, section 7):
closed-form shapes, independent loop references, finite differences, and PyTorch when
installed."""

import itertools
import math

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.testing import check_layer_gradients

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- deconv2d output_padding

@pytest.mark.parametrize("H, k, s, p, op", [(3, 3, 2, 1, 1), (4, 2, 3, 0, 2), (5, 3, 2, 0, 1), (2, 1, 2, 0, 1)])
def test_deconv_output_padding_shape_is_the_closed_form(H, k, s, p, op):
    layer = mlcore.build(f"deconv2d(out_ch=2, kernel_shape={k}, stride={s}, pad={p}, output_padding={op}, "
                         "random_state=0)")
    Y = layer.forward(RNG.normal(size=(2, H, H + 1, 3)))
    expected = ((H - 1) * s - 2 * p + (k - 1) + op + 1, H * s - 2 * p + (k - 1) + op + 1)
    assert Y.shape == (2, *expected, 2)
    assert layer.output_shape((H, H + 1, 3)) == (*expected, 2)


@pytest.mark.parametrize("H, k, s, p, op", [(3, 3, 2, 1, 1), (4, 2, 3, 0, 2), (3, 3, 2, 0, 1)])
def test_deconv_with_output_padding_is_the_adjoint_of_conv2d(H, k, s, p, op):
    """<conv2d(Y), X> = <Y, deconv2d(X)> where conv2d maps the deconv's output size back to H
    (the point of output_padding); no bias, no activation."""
    de = mlcore.build(f"deconv2d(out_ch=2, kernel_shape={k}, stride={s}, pad={p}, output_padding={op}, "
                      "random_state=0)")
    X = RNG.normal(size=(2, H, H, 3))
    Yd = de.forward(X) - de.params["b"]
    conv = mlcore.build(f"conv2d(out_ch=3, kernel_shape={k}, stride={s}, pad={p})")
    conv.initialize(Yd.shape[1:], "float64")
    conv.params["W"][...] = de.params["W"].transpose(0, 1, 3, 2)
    conv.params["b"][...] = 0.0
    Y = RNG.normal(size=Yd.shape)
    CY = conv.forward(Y)
    assert CY.shape == X.shape
    np.testing.assert_allclose(np.sum(CY * X), np.sum(Y * Yd), rtol=1e-12)


def test_deconv_output_padding_gradients():
    de = mlcore.build("deconv2d(out_ch=2, kernel_shape=3, stride=2, pad=1, output_padding=1, random_state=0)")
    check_layer_gradients(de, RNG.normal(size=(2, 3, 2, 2)))


@pytest.mark.parametrize("spec", ["deconv2d(out_ch=1, kernel_shape=3, stride=2, output_padding=2)",
                                  "deconv2d(out_ch=1, kernel_shape=3, output_padding=1)",
                                  "deconv2d(out_ch=1, kernel_shape=3, stride=2, output_padding=-1)"])
def test_deconv_output_padding_must_be_smaller_than_stride_or_dilation(spec):
    with pytest.raises(ComponentArgumentError, match="output_padding"):
        mlcore.build(spec)


# ---------------------------------------------------------------- pool2d ceil_mode

def torch_pool_size(n, k, s, p, ceil):
    """PyTorch's pooling_output_shape, written out."""
    out = (n + 2 * p - k + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def loop_pool(X, k, s, p, mode, ceil):
    """Max/average pooling by explicit loops over windows (PyTorch's semantics)."""
    n, H, W, C = X.shape
    oh, ow = torch_pool_size(H, k, s, p, ceil), torch_pool_size(W, k, s, p, ceil)
    Y = np.empty((n, oh, ow, C))
    for i, j in itertools.product(range(oh), range(ow)):
        r0, c0 = i * s - p, j * s - p
        r1, c1 = min(r0 + k, H + p), min(c0 + k, W + p)        # window clipped to the padded input
        win = X[:, max(r0, 0):min(r1, H), max(c0, 0):min(c1, W)]
        if mode == "max":
            Y[:, i, j] = win.max(axis=(1, 2))
        else:
            Y[:, i, j] = win.sum(axis=(1, 2)) / ((r1 - r0) * (c1 - c0))   # count_include_pad=True
    return Y


CASES = [(5, 2, 2, 0), (6, 3, 2, 1), (7, 3, 3, 1), (5, 3, 2, 0), (4, 2, 3, 1), (8, 3, 2, 1)]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("ceil", [False, True])
@pytest.mark.parametrize("H, k, s, p", CASES)
def test_pool_ceil_mode_matches_the_loop_reference(H, k, s, p, mode, ceil):
    X = RNG.normal(size=(2, H, H + 1, 3))
    layer = mlcore.build(f"pool2d(kernel_shape={k}, stride={s}, pad={p}, mode='{mode}', ceil_mode={ceil})")
    Y = layer.forward(X)
    ref = loop_pool(X, k, s, p, mode, ceil)
    assert Y.shape == ref.shape == (2, torch_pool_size(H, k, s, p, ceil), torch_pool_size(H + 1, k, s, p, ceil), 3)
    assert layer.output_shape(X.shape[1:]) == Y.shape[1:]
    np.testing.assert_allclose(Y, ref, rtol=1e-13)


def test_ceil_mode_adds_a_partial_window_exactly_when_the_division_is_inexact():
    assert mlcore.build("pool2d(kernel_shape=2, ceil_mode=True)").output_shape((5, 4, 1)) == (3, 2, 1)
    assert mlcore.build("pool2d(kernel_shape=2)").output_shape((5, 4, 1)) == (2, 2, 1)
    assert math.ceil((5 - 2) / 2) + 1 == 3


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_ceil_mode_gradients(mode):
    layer = mlcore.build(f"pool2d(kernel_shape=3, stride=2, pad=1, mode='{mode}', ceil_mode=True)")
    check_layer_gradients(layer, RNG.normal(size=(2, 6, 5, 2)))


# ---------------------------------------------------------------- PyTorch (make test-torch)

@pytest.mark.parametrize("H, k, s, p, op", [(3, 3, 2, 1, 1), (4, 2, 3, 0, 2)])
def test_deconv_output_padding_matches_torch(H, k, s, p, op):
    torch = pytest.importorskip("torch")
    de = mlcore.build(f"deconv2d(out_ch=2, kernel_shape={k}, stride={s}, pad={p}, output_padding={op}, "
                      "random_state=0)")
    X = RNG.normal(size=(2, H, H + 2, 3))
    Y = de.forward(X)
    t = torch.nn.functional.conv_transpose2d(
        torch.tensor(X.transpose(0, 3, 1, 2)), torch.tensor(de.params["W"].transpose(2, 3, 0, 1)),
        torch.tensor(de.params["b"]), stride=s, padding=p, output_padding=op)
    np.testing.assert_allclose(Y, t.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("H, k, s, p", CASES)
def test_pool_ceil_mode_matches_torch(H, k, s, p, mode):
    torch = pytest.importorskip("torch")
    X = RNG.normal(size=(2, H, H + 1, 3))
    Y = mlcore.build(f"pool2d(kernel_shape={k}, stride={s}, pad={p}, mode='{mode}', ceil_mode=True)").forward(X)
    fn = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    t = fn(torch.tensor(X.transpose(0, 3, 1, 2)), k, s, p, ceil_mode=True)
    np.testing.assert_allclose(Y, t.numpy().transpose(0, 2, 3, 1), rtol=1e-12)
