"""multi_head_attention: finite-difference gradients (mlcore.testing, rtol 1e-5 / atol 1e-7)
for self- and cross-attention with and without masks, conformance, mask semantics."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_component, check_layer_gradients, numerical_gradient


def _layer(h=2, bias=True):
    return mlcore.build(f"multi_head_attention(n_heads={h}, bias={bias}, random_state=0)")


@pytest.mark.parametrize("T", [1, 4])
def test_self_attention_gradients(T):
    X = np.random.default_rng(0).normal(size=(2, T, 6))
    layer = _layer()
    layer.forward(X)
    for v in layer.params.values():
        v += 0.1 * np.random.default_rng(1).normal(size=v.shape)
    check_layer_gradients(layer, X)


def test_cross_attention_gradients_different_widths():
    rng = np.random.default_rng(2)
    Q, K, V = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 7))
    layer = _layer(h=2, bias=False)
    layer.forward(Q, K, V)
    check_layer_gradients(layer, (Q, K, V))


def test_masked_attention_gradients():
    rng = np.random.default_rng(3)
    Q, K = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    am = np.triu(np.ones((3, 5), dtype=bool), 3)
    kpm = np.zeros((2, 5), dtype=bool)
    kpm[1, 0] = True
    layer = _layer()
    Y = layer.forward(Q, K, attn_mask=am, key_padding_mask=kpm)
    R = rng.normal(size=Y.shape)
    dQ, dK = layer.backward(R)
    f = lambda: float((layer.forward(Q, K, attn_mask=am, key_padding_mask=kpm) * R).sum())
    grads = {k: v.copy() for k, v in layer.grads.items()}
    np.testing.assert_allclose(dQ, numerical_gradient(f, Q), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dK, numerical_gradient(f, K), rtol=1e-6, atol=1e-8)
    for k, p in layer.params.items():
        np.testing.assert_allclose(grads[k], numerical_gradient(f, p), rtol=1e-6, atol=1e-8, err_msg=k)
    # padded key 0 of example 1 gets no gradient and no weight
    np.testing.assert_allclose(dK[1, 0], 0, atol=1e-15)
    assert np.all(layer.attention_weights[1, :, :, 0] == 0)


def test_attention_weights_rows_sum_to_one_and_bad_width():
    layer = _layer(h=3)
    with pytest.raises(ValueError):
        layer.forward(np.zeros((1, 2, 4)))
    layer = _layer(h=2)
    layer.forward(np.random.default_rng(0).normal(size=(2, 3, 4)))
    np.testing.assert_allclose(layer.attention_weights.sum(-1), 1, atol=1e-12)


def test_mha_conformance(tmp_path):
    check_component("multi_head_attention(n_heads=2, random_state=0)", tmp_path=tmp_path)
