"""The GRU layer: finite differences, PyTorch parity (make test-torch), training inside sequential."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_component, check_layer_gradients


@pytest.mark.parametrize("return_sequences", [True, False])
def test_gradients_match_finite_differences(return_sequences):
    gru = mlcore.build(f"gru(n_out=4, return_sequences={return_sequences}, random_state=1)")
    check_layer_gradients(gru, np.random.default_rng(0).standard_normal((3, 5, 2)), rtol=1e-5, atol=1e-8)


def test_one_step_equals_the_equations_by_hand():
    gru = mlcore.build("gru(n_out=2, random_state=3)")
    x = np.array([[[0.5, -1.0, 2.0]]])
    h = gru.forward(x)
    p = gru.params
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    a = x[0, 0] @ p["W_ih"] + p["b_ih"]
    b = p["b_hh"]  # h0 = 0
    r, z = sig(a[:2] + b[:2]), sig(a[2:4] + b[2:4])
    n = np.tanh(a[4:] + r * b[4:])
    np.testing.assert_allclose(h[0], (1 - z) * n, rtol=1e-12)


def test_trains_inside_sequential_on_a_memory_task():
    pytest.importorskip("mlcore_nn")
    rng = np.random.default_rng(0)
    X = rng.choice([-1.0, 1.0], size=(600, 8, 1)) + 0.1 * rng.standard_normal((600, 8, 1))
    y = (X[:, 0, 0] > 0).astype(int)  # remember the sign of the first step
    net = mlcore.build("sequential(layers=[gru(n_out=16), dense(n_out=2)], loss=softmax_cross_entropy, "
                       "optimizer=adam(lr=0.01), random_state=0)")
    net.fit(X[:500], y[:500], epochs=25, batch_size=50)
    assert net.score(X[500:], y[500:]) > 0.9


def test_reusable_across_sequences_of_different_lengths():
    gru = mlcore.build("gru(n_out=3, random_state=0)")
    for T in (2, 7, 1):
        out = gru.forward(np.ones((4, T, 2)))
        gru.backward(np.ones_like(out))
        assert gru.grads["W_hh"].shape == (3, 9)


def test_conforms(tmp_path):
    check_component("gru(n_out=3, return_sequences=True, random_state=0)", tmp_path=tmp_path)


@pytest.mark.torch
def test_equals_torch_gru():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 6, 3))
    gru = mlcore.build("gru(n_out=5, return_sequences=True, random_state=0)")
    Y = gru.forward(X)
    dY = rng.standard_normal(Y.shape)
    dX = gru.backward(dY)
    ref = torch.nn.GRU(3, 5, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.tensor(gru.params["W_ih"].T))
        ref.weight_hh_l0.copy_(torch.tensor(gru.params["W_hh"].T))
        ref.bias_ih_l0.copy_(torch.tensor(gru.params["b_ih"]))
        ref.bias_hh_l0.copy_(torch.tensor(gru.params["b_hh"]))
    Xt = torch.tensor(X, requires_grad=True)
    Yt, _ = ref(Xt)
    Yt.backward(torch.tensor(dY))
    np.testing.assert_allclose(Y, Yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gru.grads["W_ih"], ref.weight_ih_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gru.grads["W_hh"], ref.weight_hh_l0.grad.numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gru.grads["b_hh"], ref.bias_hh_l0.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_network_seed_alone_fixes_the_gru_weights():
    """The layer contract: inside a network the layer draws only from the network's generator."""
    pytest.importorskip("mlcore_nn")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 5, 3)), np.arange(12) % 2
    spec = "sequential(layers=[gru(n_out=4), dense(n_out=2)], loss=softmax_cross_entropy, random_state={})"
    a, b, c = (mlcore.build(spec.format(s)).fit(X, y, epochs=1) for s in (0, 0, 1))
    for k in a.layers_[0].params:
        np.testing.assert_array_equal(a.layers_[0].params[k], b.layers_[0].params[k])
    assert not np.array_equal(a.layers_[0].params["W_ih"], c.layers_[0].params["W_ih"])


@pytest.mark.parametrize("X, h0, words", [
    (np.zeros((0, 5, 3)), None, ["at least one example", "(0, 5, 3)"]),
    (np.zeros((2, 0, 3)), None, ["one time step", "(2, 0, 3)"]),
    (np.zeros((2, 5, 4)), None, ["3 features", "(2, 5, 4)"]),
    (np.zeros((2, 5)), None, ["(n, time, features)", "(2, 5)"]),
    (np.zeros((2, 5, 3)), np.zeros((2, 3)), ["h0", "(2, 4)", "(2, 3)"]),
])
def test_bad_input_raises_a_value_error_naming_the_shapes(X, h0, words):
    gru = mlcore.build("gru(n_out=4, random_state=0)").initialize((5, 3))
    with pytest.raises(ValueError) as info:
        gru.forward(X, h0)
    for w in words:
        assert w in str(info.value)
