"""sparse_evolution (SET): finite-difference gradients (mlcore.testing), Erdos-Renyi density
(closed form epsilon (n_in + n_out) / (n_in n_out), binomial tolerance), rewiring keeps the
connection count and removes exactly the weakest weights, training in a network works."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_component, check_layer_gradients


def test_gradients_and_conformance(tmp_path):
    X = np.random.default_rng(0).normal(size=(4, 7))
    layer = mlcore.build("sparse_evolution(n_out=5, epsilon=1.5, act_fn=tanh, random_state=0)")
    layer.forward(X)
    check_layer_gradients(layer, X)
    assert np.all(layer.grads["W"][~layer.mask_] == 0)
    check_component("sparse_evolution(n_out=4, epsilon=1.5, act_fn=tanh, random_state=0)", tmp_path=tmp_path)


def test_density_matches_erdos_renyi_probability():
    layer = mlcore.build("sparse_evolution(n_out=200, epsilon=10, random_state=0)")
    layer.forward(np.zeros((1, 300)))
    p = 10 * 500 / (300 * 200)
    n = 300 * 200
    assert abs(layer.mask_.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert np.all(layer.params["W"][~layer.mask_] == 0)


def test_evolve_prunes_weakest_and_regrows_same_number():
    layer = mlcore.build("sparse_evolution(n_out=30, epsilon=3, zeta=0.3, random_state=1)")
    layer.forward(np.zeros((1, 40)))
    W0, M0 = layer.params["W"].copy(), layer.mask_.copy()
    w = W0[M0]
    n_pos, n_neg = int(0.3 * (w > 0).sum()), int(0.3 * (w < 0).sum())
    weakest_pos = np.sort(w[w > 0])[:n_pos]
    weakest_neg = np.sort(w[w < 0])[::-1][:n_neg]
    n = layer.evolve()
    assert n == n_pos + n_neg
    assert layer.mask_.sum() == M0.sum()
    removed = M0 & ~layer.mask_
    np.testing.assert_array_equal(np.sort(W0[removed]), np.sort(np.concatenate([weakest_pos, weakest_neg])))
    grown = ~M0 & layer.mask_
    assert grown.sum() == n and np.all(layer.params["W"][grown] != 0)
    assert np.all(layer.params["W"][~layer.mask_] == 0)


def test_trains_in_sequential_with_evolution_callback():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 20))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = mlcore.build("sequential(layers=[sparse_evolution(n_out=64, epsilon=4, act_fn=relu), dense(n_out=2)], "
                       "loss=softmax_cross_entropy, optimizer=adam(lr=0.01), random_state=0)")
    evolve = lambda model, epoch, logs: [layer.evolve() for layer in model.layers_ if hasattr(layer, "evolve")] and False
    net.fit(X, y, epochs=40, batch_size=32, callbacks=[evolve])
    assert net.score(X, y) > 0.85
    assert np.all(net.layers_[0].params["W"][~net.layers_[0].mask_] == 0)


def test_bad_arguments():
    with pytest.raises(mlcore.errors.ComponentArgumentError):
        mlcore.build("sparse_evolution(n_out=3, zeta=1.0)")
