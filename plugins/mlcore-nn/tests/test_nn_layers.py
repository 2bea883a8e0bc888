"""Layers: finite-difference gradients (float64) for every layer and configuration, and the
behaviours numpy-ml got wrong (dropout mask, pooling with padding, embedding with repeated
ids, batch-norm running statistics, attention masks and dropout)."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_layer_gradients, numerical_gradient

rng = np.random.default_rng(0)


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# (spec, input): every configuration is checked by central differences on inputs and parameters
GRADIENT_CASES = [
    ("dense(n_out=3, random_state=0)", _x(4, 5)),
    ("dense(n_out=3, act_fn=relu, random_state=0)", _x(4, 5)),
    ("dense(n_out=2, act_fn=sigmoid, random_state=0)", _x(2, 3, 4)),
    ("dense(n_out=3, act_fn=gelu, init=he_normal, random_state=0)", _x(4, 5)),
    ("add(act_fn=tanh)", [_x(3, 4, seed=i) for i in range(3)]),
    ("multiply", [_x(3, 4, seed=i) for i in range(3)]),
    ("multiply(act_fn=sigmoid)", [_x(2, 5, seed=i) for i in range(2)]),
    ("flatten", _x(2, 3, 2, 2)),
    ("softmax", _x(4, 5)),
    ("softmax(axis=1)", _x(2, 3, 4)),
    ("conv2d(out_ch=3, kernel_shape=3, random_state=0)", _x(2, 5, 5, 2)),
    ("conv2d(out_ch=2, kernel_shape=(2, 3), stride=(2, 1), pad=(1, 2), random_state=0)", _x(2, 5, 6, 3)),
    ("conv2d(out_ch=2, kernel_shape=3, stride=2, pad='same', dilation=2, act_fn=tanh, random_state=0)",
     _x(2, 7, 6, 2)),
    ("conv2d(out_ch=2, kernel_shape=2, pad=(0, 1, 2, 0), random_state=0)", _x(1, 4, 4, 2)),
    ("conv1d(out_ch=3, kernel_width=3, random_state=0)", _x(2, 7, 2)),
    ("conv1d(out_ch=2, kernel_width=2, pad='causal', dilation=3, act_fn=tanh, random_state=0)", _x(2, 8, 3)),
    ("conv1d(out_ch=2, kernel_width=3, stride=2, pad='same', random_state=0)", _x(2, 7, 2)),
    ("conv1d(out_ch=2, kernel_width=3, pad=(2, 1), random_state=0)", _x(2, 5, 2)),
    ("deconv2d(out_ch=2, kernel_shape=3, random_state=0)", _x(2, 3, 3, 2)),
    ("deconv2d(out_ch=3, kernel_shape=(3, 2), stride=2, pad=1, act_fn=tanh, random_state=0)", _x(2, 3, 4, 2)),
    ("deconv2d(out_ch=2, kernel_shape=2, stride=(2, 3), pad=(0, 1, 1, 0), dilation=2, random_state=0)",
     _x(1, 3, 3, 2)),
    ("pool2d(kernel_shape=2)", _x(2, 4, 6, 3)),
    ("pool2d(kernel_shape=3, stride=1)", _x(2, 5, 5, 2)),
    ("pool2d(kernel_shape=3, stride=2, pad=1)", _x(2, 5, 6, 2)),
    ("pool2d(kernel_shape=(2, 3), stride=(1, 2), pad=(1, 1), mode='average')", _x(2, 5, 6, 2)),
    ("pool2d(kernel_shape=2, mode='average')", _x(2, 5, 5, 2)),
    ("batchnorm1d", _x(6, 3)),
    ("batchnorm1d", _x(3, 4, 2)),
    ("batchnorm2d", _x(3, 3, 2, 2)),
    ("layernorm1d", _x(4, 5)),
    ("layernorm1d", _x(2, 3, 4)),
    ("layernorm2d", _x(2, 3, 2, 3)),
    ("dot_product_attention", _x(2, 4, 3)),
    ("dot_product_attention(scale=False, n_heads=2, causal=True)", _x(2, 5, 4)),
    ("dropout(p=0.0, layer=conv2d(out_ch=2, kernel_shape=2, random_state=0))", _x(2, 3, 3, 2)),
]


@pytest.mark.parametrize("spec, X", GRADIENT_CASES, ids=[c[0] for c in GRADIENT_CASES])
def test_gradients_match_central_differences(spec, X):
    """Reference: mlcore.testing.check_layer_gradients (central differences, rtol 1e-5, atol 1e-7)."""
    layer = mlcore.build(spec, kind="layer")
    before = [np.copy(x) for x in X] if isinstance(X, list) else np.copy(X)
    check_layer_gradients(layer, X)
    # the caller's arrays are never modified
    if isinstance(X, list):
        for a, b in zip(X, before):
            np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_array_equal(X, before)


def test_batchnorm_eval_mode_gradients():
    layer = mlcore.build("batchnorm2d", kind="layer")
    layer.forward(_x(4, 3, 3, 2))            # training forward sets the running statistics
    layer.params["gamma"][:] = [1.5, 0.5]
    layer.eval()
    check_layer_gradients(layer, _x(2, 3, 3, 2, seed=1))


def test_cross_attention_with_mask_gradients():
    """Q, K, V separately, boolean and additive masks; reference: central differences."""
    Q, K, V = _x(2, 3, 4, seed=1), _x(2, 5, 4, seed=2), _x(2, 5, 6, seed=3)
    bool_mask = np.random.default_rng(4).uniform(size=(2, 3, 5)) > 0.3
    bool_mask[:, :, 0] = True
    for mask in (bool_mask, _x(3, 5, seed=5)):
        layer = mlcore.build("dot_product_attention(n_heads=2)", kind="layer")
        R = _x(2, 3, 6, seed=6)
        def f(layer=layer, mask=mask, R=R):
            return float(np.sum(layer.forward(Q, K, V, mask=mask) * R))

        layer.forward(Q, K, V, mask=mask)
        grads = layer.backward(R)
        for g, x in zip(grads, (Q, K, V)):
            np.testing.assert_allclose(g, numerical_gradient(f, x), rtol=1e-5, atol=1e-8)


def test_attention_mask_blocks_keys():
    """A masked key has no influence on the output; a causal query ignores later steps."""
    layer = mlcore.build("dot_product_attention(causal=True)", kind="layer")
    X = _x(1, 5, 3)
    Y = layer.forward(X)
    X2 = X.copy()
    X2[0, 3:] += 10
    np.testing.assert_allclose(layer.forward(X2)[0, :3], Y[0, :3], atol=1e-14)
    mask = np.array([True, True, False, True, True])
    Q, K, V = _x(1, 2, 3, seed=1), _x(1, 5, 3, seed=2), _x(1, 5, 3, seed=3)
    V2 = V.copy()
    V2[0, 2] = 100
    np.testing.assert_allclose(layer.forward(Q, K, V, mask=mask), layer.forward(Q, K, V2, mask=mask), atol=1e-14)


def test_attention_dropout_acts_on_weights():
    """Dropout zeroes attention weights (after the softmax): with p=0.5 the output equals
    (A * m / 0.5) @ V for the mask m the layer drew, and backward uses the same mask."""
    layer = mlcore.build("dot_product_attention(dropout_p=0.5, random_state=0)", kind="layer")
    Q, K, V = _x(2, 4, 3, seed=1), _x(2, 6, 3, seed=2), _x(2, 6, 5, seed=3)
    Y = layer.forward(Q, K, V)
    A = layer._cache[3]
    S = Q @ K.transpose(0, 2, 1) / np.sqrt(3)
    A_ref = np.exp(S - S.max(-1, keepdims=True))
    A_ref /= A_ref.sum(-1, keepdims=True)
    np.testing.assert_allclose(A, A_ref, rtol=1e-12)        # softmax of undropped scores
    drop = layer._cache[5]
    assert set(np.unique(drop)) <= {0.0, 2.0} and 0.2 < (drop == 0).mean() < 0.8
    np.testing.assert_allclose(Y, (A_ref * drop) @ V, rtol=1e-12)
    # eval mode: no dropout
    layer.eval()
    np.testing.assert_allclose(layer.forward(Q, K, V), A_ref @ V, rtol=1e-12)


def test_dropout_backward_applies_the_mask_and_does_not_mutate():
    """numpy-ml's backward ignored the mask and scaled the caller's array in place."""
    layer = mlcore.build("dropout(p=0.4, random_state=1)", kind="layer")
    X = _x(50, 40) + 5.0                      # no zeros by chance
    X0 = X.copy()
    Y = layer.forward(X)
    kept = Y != 0
    assert 0.3 < 1 - kept.mean() < 0.5
    np.testing.assert_allclose(Y[kept], X[kept] / 0.6, rtol=1e-15)
    dY = _x(50, 40, seed=2)
    dY0 = dY.copy()
    dX = layer.backward(dY)
    np.testing.assert_allclose(dX, np.where(kept, dY / 0.6, 0.0), rtol=1e-15)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(dY, dY0)
    layer.eval()
    np.testing.assert_array_equal(layer.forward(X), X)
    np.testing.assert_array_equal(layer.backward(dY), dY)


def test_dropout_wrapper_masks_the_wrapped_input():
    layer = mlcore.build("dropout(p=0.5, layer=dense(n_out=3, random_state=0), random_state=0)", kind="layer")
    X = _x(6, 4) + 3
    Y = layer.forward(X)
    mask = layer._cache[0]
    W, b = layer.params["W"], layer.params["b"]
    np.testing.assert_allclose(Y, (X * mask) @ W + b, rtol=1e-14)
    dY = _x(6, 3, seed=1)
    dX = layer.backward(dY)
    np.testing.assert_allclose(dX, (dY @ W.T) * mask, rtol=1e-14)
    np.testing.assert_allclose(layer.grads["W"], (X * mask).T @ dY, rtol=1e-14)
    assert layer.params is layer.layer.params
    layer.freeze()
    assert not layer.layer.trainable
    layer.unfreeze()                          # numpy-ml's unfreeze() froze
    assert layer.layer.trainable


def test_embedding_repeated_ids_accumulate():
    """Reference: the one-hot matrix product onehot(X)^T dY (numpy-ml under-counted repeats)."""
    for pool in (None, "sum", "mean"):
        layer = mlcore.build(f"embedding(n_out=3, vocab_size=6, pool={pool!r}, random_state=0)", kind="layer")
        X = np.array([[1, 1, 2, 1], [0, 5, 5, 2]])
        Y = layer.forward(X)
        W = layer.params["W"]
        onehot = np.eye(6)[X]                                  # (n, T, vocab)
        ref = onehot @ W
        if pool == "sum":
            ref = ref.sum(1)
        elif pool == "mean":
            ref = ref.mean(1)
        np.testing.assert_allclose(Y, ref, rtol=1e-14)
        dY = _x(*Y.shape, seed=1)
        assert layer.backward(dY) is None
        dfull = dY if pool is None else np.broadcast_to(dY[:, None] / (4 if pool == "mean" else 1), (2, 4, 3))
        np.testing.assert_allclose(layer.grads["W"], np.einsum("ntv,ntd->vd", onehot, dfull), rtol=1e-14)


def test_embedding_rejects_bad_ids():
    layer = mlcore.build("embedding(n_out=2, vocab_size=3)", kind="layer")
    with pytest.raises(ValueError, match="ids must lie"):
        layer.forward(np.array([[0, 3]]))
    with pytest.raises(TypeError):
        layer.forward(np.array([[0.0, 1.0]]))


def test_max_pool_padding_and_ties():
    """Padding is -inf (never the max); ties route the gradient to the first maximum only."""
    layer = mlcore.build("pool2d(kernel_shape=2, stride=2, pad=1)", kind="layer")
    X = -np.ones((1, 2, 2, 1))
    Y = layer.forward(X)
    np.testing.assert_array_equal(Y, -np.ones((1, 2, 2, 1)))
    dX = layer.backward(np.ones_like(Y))
    np.testing.assert_array_equal(dX, np.ones_like(X))
    ties = mlcore.build("pool2d(kernel_shape=2)", kind="layer")
    ties.forward(np.zeros((1, 2, 2, 1)))
    dX = ties.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(dX[0, :, :, 0], [[1, 0], [0, 0]])


def test_average_pool_counts_padding_like_pytorch():
    layer = mlcore.build("pool2d(kernel_shape=2, stride=2, pad=1, mode='average')", kind="layer")
    Y = layer.forward(np.ones((1, 2, 2, 1)))
    np.testing.assert_allclose(Y[0, :, :, 0], np.full((2, 2), 0.25))


def test_batchnorm_running_statistics():
    """Reference: NumPy mean / unbiased var, PyTorch's update rule with momentum 0.1."""
    layer = mlcore.build("batchnorm1d(momentum=0.1)", kind="layer")
    X1, X2 = _x(10, 3, seed=1) * 2 + 1, _x(10, 3, seed=2) - 1
    Y = layer.forward(X1)
    np.testing.assert_allclose(Y.mean(0), 0, atol=1e-14)
    np.testing.assert_allclose(Y.var(0), 1 / (1 + 1e-5 / X1.var(0)), rtol=1e-10)
    layer.forward(X2)
    rm = 0.9 * (0.9 * 0 + 0.1 * X1.mean(0)) + 0.1 * X2.mean(0)
    rv = 0.9 * (0.9 * 1 + 0.1 * X1.var(0, ddof=1)) + 0.1 * X2.var(0, ddof=1)
    np.testing.assert_allclose(layer.running_mean_, rm, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var_, rv, rtol=1e-12)
    layer.eval()
    X3 = _x(4, 3, seed=3)
    np.testing.assert_allclose(layer.forward(X3), (X3 - rm) / np.sqrt(rv + 1e-5), rtol=1e-12)
    assert np.all(layer.params["gamma"] == 1) and np.all(layer.params["beta"] == 0)


def test_layernorm_normalises_each_example():
    layer = mlcore.build("layernorm2d", kind="layer")
    X = _x(3, 2, 2, 4) * 3 + 2
    Y = layer.forward(X).reshape(3, -1)
    np.testing.assert_allclose(Y.mean(1), 0, atol=1e-14)
    np.testing.assert_allclose(Y.std(1), 1, rtol=1e-5)
    assert layer.params["gamma"].shape == (2, 2, 4)


def test_softmax_backward_equals_jacobian_product():
    """Reference: the explicit Jacobian diag(y) - y y^T per row (what numpy-ml looped over)."""
    layer = mlcore.build("softmax", kind="layer")
    X, dY = _x(5, 4), _x(5, 4, seed=1)
    Y = layer.forward(X)
    dX = layer.backward(dY)
    ref = np.stack([(np.diag(y) - np.outer(y, y)) @ d for y, d in zip(Y, dY)])
    np.testing.assert_allclose(dX, ref, rtol=1e-12, atol=1e-15)


def test_freeze_skips_parameter_gradients_and_train_eval_modes():
    layer = mlcore.build("dense(n_out=2, random_state=0)", kind="layer")
    layer.forward(_x(3, 4))
    layer.backward(np.ones((3, 2)))
    g = {k: v.copy() for k, v in layer.grads.items()}
    assert layer.freeze() is layer and not layer.trainable
    layer.forward(_x(3, 4, seed=1))
    dX = layer.backward(np.ones((3, 2)))
    assert dX.shape == (3, 4)
    for k, v in g.items():
        np.testing.assert_array_equal(layer.grads[k], v)
    assert layer.unfreeze().trainable
    assert layer.eval().training is False and layer.train().training is True


def test_float32_in_float32_out():
    for spec, X in GRADIENT_CASES:
        layer = mlcore.build(spec, kind="layer")
        X32 = [x.astype(np.float32) for x in X] if isinstance(X, list) else X.astype(np.float32)
        Y = layer.forward(X32)
        assert Y.dtype == np.float32, spec
        dX = layer.backward(np.ones_like(Y))
        for d in (dX if isinstance(dX, list) else [dX]):
            assert d.dtype == np.float32, spec
        for k, g in layer.grads.items():
            assert g.dtype == np.float32, (spec, k)


def test_output_shape_matches_forward():
    for spec, X in GRADIENT_CASES:
        layer = mlcore.build(spec, kind="layer")
        if isinstance(X, list):
            continue
        assert layer.output_shape(X.shape[1:]) == layer.forward(X).shape[1:], spec


def test_wrong_input_shapes_raise():
    layer = mlcore.build("dense(n_out=2)", kind="layer")
    layer.forward(_x(3, 4))
    with pytest.raises(ValueError, match="4 input features"):
        layer.forward(_x(3, 5))
    with pytest.raises(ValueError):
        mlcore.build("conv2d(out_ch=2, kernel_shape=3)", kind="layer").forward(_x(3, 4, 4))
    with pytest.raises(RuntimeError):
        mlcore.build("softmax", kind="layer").backward(np.ones((2, 2)))


@pytest.mark.parametrize("text", ["dense(n_out=0)", "conv2d(out_ch=2, kernel_shape=(3, 0))",
                                  "conv1d(out_ch=2, kernel_width=3, pad='full')", "pool2d(kernel_shape=2, pad=2)",
                                  "dropout(p=1.0)", "batchnorm1d(momentum=2.0)", "pool2d(kernel_shape=2, mode='min')",
                                  "dot_product_attention(n_heads=0)", "embedding(n_out=2, vocab_size=3, pool='max')"])
def test_bad_hyperparameters_raise(text):
    from mlcore.errors import ComponentArgumentError

    with pytest.raises(ComponentArgumentError):
        mlcore.build(text, kind="layer")


def test_fully_connected_alias():
    assert type(mlcore.build("fully_connected(n_out=2)", kind="layer")).__name__ == "Dense"


def test_standalone_dropout_masks_continue_after_save_load(tmp_path):
    layer = mlcore.build("dropout(p=0.5, random_state=3)", kind="layer")
    X = np.ones((4, 6))
    layer.forward(X)
    loaded = mlcore.load(mlcore.save(layer, tmp_path / "d.npz"))
    np.testing.assert_array_equal(loaded.forward(X), layer.forward(X))


@pytest.mark.parametrize("offset", [0.0, 1e3, 1e6])
def test_batchnorm_is_accurate_for_large_means(offset):
    """Reference: the two-pass NumPy normalisation (x - mean) / sqrt(var + eps); the layer's
    one-pass moments fall back to two passes when cancellation would lose digits."""
    X = _x(64, 3, seed=4) * np.array([1.0, 0.01, 100.0]) + offset
    layer = mlcore.build("batchnorm1d", kind="layer")
    Y = layer.forward(X)
    ref = (X - X.mean(0)) / np.sqrt(X.var(0) + 1e-5)
    # the data's own conditioning limits any method to ~eps * |mean| / std (1e-8 at 1e6 / 0.01);
    # one-pass variance without the fallback would be wrong by 100 % there
    np.testing.assert_allclose(Y, ref, rtol=1e-9, atol=1e-9 + 1e-15 * offset / 0.01)
    if offset <= 1e3:   # beyond, central differences of step 1e-6 on values ~1e6 are themselves noise
        check_layer_gradients(mlcore.build("batchnorm1d", kind="layer"), X[:8], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("spec, X", [
    ("conv2d(out_ch=3, kernel_shape=3, stride=2, pad='same', dilation=(1, 2), act_fn=tanh, random_state=0)",
     _x(5, 6, 7, 2)),
    ("conv1d(out_ch=2, kernel_width=3, pad='causal', dilation=2, random_state=0)", _x(7, 9, 3)),
])
def test_convolution_patch_blocks_give_the_unblocked_result(monkeypatch, spec, X):
    """The patch matrix is built a few samples at a time: with a block of 2 samples (so the
    last block is partial) outputs and gradients equal the single-block computation and
    central differences; a frozen layer still returns dX."""
    from mlcore_nn.layers import conv

    whole = mlcore.build(spec, kind="layer")
    Y = whole.forward(X)
    dY = np.random.default_rng(1).normal(size=Y.shape)
    dX = whole.backward(dY)
    per_sample = Y[0, ..., 0].size * whole.params["W"][..., 0].size * 8
    monkeypatch.setattr(conv, "_BLOCK_BYTES", 2 * per_sample)
    blocked = mlcore.build(spec, kind="layer")
    np.testing.assert_allclose(blocked.forward(X), Y, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(blocked.backward(dY), dX, rtol=1e-12, atol=1e-12)
    for k in ("W", "b"):
        np.testing.assert_allclose(blocked.grads[k], whole.grads[k], rtol=1e-12, atol=1e-12)
    check_layer_gradients(mlcore.build(spec, kind="layer"), X)
    blocked.freeze()
    blocked.forward(X)
    np.testing.assert_allclose(blocked.backward(dY), dX, rtol=1e-12, atol=1e-12)
    assert blocked.backward(dY, input_grad=False) is None
