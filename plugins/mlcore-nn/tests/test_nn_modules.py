"""Composite modules (ResNet blocks, WaveNet block): finite-difference gradients
(mlcore.testing, rtol 1e-4 / 1e-5), conformance with batch-norm running statistics saved,
repeated forward/backward/update on the same instance (numpy-ml defect 21), WaveNet
causality and kernel width (defect 23), skip path gradients."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_component, check_layer_gradients, numerical_gradient

SPECS = ["skip_connection_identity(out_ch=2, act_fn=tanh, random_state=0)",
         "skip_connection_conv(out_ch1=2, out_ch2=3, stride1=2, act_fn=tanh, random_state=0)",
         "wavenet_residual(ch_dilation=2, dilation=2, kernel_width=3, random_state=0)"]


@pytest.mark.parametrize("spec", SPECS)
def test_module_conformance(spec, tmp_path):
    check_component(spec, tmp_path=tmp_path)


def test_skip_conv_kernel_and_stride_variants_gradients():
    X = np.random.default_rng(1).normal(size=(3, 6, 5, 2))
    block = mlcore.build("skip_connection_conv(out_ch1=3, out_ch2=2, kernel_shape1=(3, 2), kernel_shape2=1, "
                         "kernel_shape_skip=3, stride2=2, act_fn=softplus, random_state=1)")
    block.forward(X)
    check_layer_gradients(block, X, rtol=1e-4)


@pytest.mark.parametrize("spec, shape", [(SPECS[0], (4, 5, 5, 3)), (SPECS[2], (3, 8, 4))])
def test_same_instance_forward_backward_update_five_times(spec, shape):
    rng = np.random.default_rng(0)
    block = mlcore.build(spec)
    opt = mlcore.build("sgd(lr=0.1)", kind="optimizer")
    losses = []
    target = rng.normal(size=shape)
    X = rng.normal(size=shape)
    for _ in range(5):
        Y = block.forward(X)
        losses.append(float(((Y - target) ** 2).mean()))
        block.backward(2 * (Y - target) / Y.size)
        opt.step(block.params, block.grads)
    assert losses[-1] < losses[0]
    # parameters seen by the sub-layers are the updated ones (one optimizer step reaches all parts)
    for name, layer in block._subs.items():
        for k, v in layer.params.items():
            assert v is block.params[f"{name}.{k}"]


def test_wavenet_is_causal_and_uses_kernel_width():
    rng = np.random.default_rng(0)
    block = mlcore.build("wavenet_residual(ch_dilation=3, dilation=2, kernel_width=3, random_state=0)")
    X = rng.normal(size=(2, 12, 4))
    Y = block.forward(X)
    assert block.params["conv_dilation.W"].shape == (3, 4, 6)
    X2 = X.copy()
    X2[:, 7:] += 1.0                     # change the future
    np.testing.assert_array_equal(block.forward(X2)[:, :7], Y[:, :7])
    X3 = X.copy()
    X3[:, 3] += 1.0                      # taps at offsets 0, d, 2d = 0, 2, 4: only t = 3, 5, 7 change
    D = np.abs(block.forward(X3) - Y).sum(axis=(0, 2))
    changed = np.flatnonzero(D > 0)
    np.testing.assert_array_equal(changed, [3, 5, 7])


def test_wavenet_skip_path_gradients():
    rng = np.random.default_rng(3)
    block = mlcore.build("wavenet_residual(ch_dilation=2, kernel_width=2, random_state=0)")
    X, S = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3))
    Rm, Rs = rng.normal(size=X.shape), rng.normal(size=X.shape)

    def f():
        Y = block.forward(X, S)
        return float((Y * Rm).sum() + (block.skip_output * Rs).sum())

    f()
    dX = block.backward(Rm, Rs)
    grads = {k: v.copy() for k, v in block.grads.items()}
    np.testing.assert_allclose(dX, numerical_gradient(f, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(block.skip_input_grad, numerical_gradient(f, S), rtol=1e-6, atol=1e-8)
    for k, p in block.params.items():
        np.testing.assert_allclose(grads[k], numerical_gradient(f, p), rtol=1e-6, atol=1e-8, err_msg=k)


def test_skip_conv_shape_mismatch_raises():
    with pytest.raises(ValueError):
        mlcore.build("skip_connection_conv(out_ch1=2, out_ch2=3, stride1=2, stride_skip=1)").forward(
            np.zeros((2, 4, 4, 1)))
