"""The layer against its closed form and finite differences."""

import numpy as np

import mlcore
from mlcore.testing import check_layer_gradients


def test_forward_is_the_affine_map():
    layer = mlcore.build("example(random_state=1)")
    X = np.arange(6.0).reshape(2, 3)
    Y = layer.forward(X)
    np.testing.assert_allclose(Y, X * layer.params["w"] + layer.params["b"], rtol=0, atol=0)


def test_gradients_match_finite_differences():
    layer = mlcore.build("example(random_state=2)")
    check_layer_gradients(layer, np.random.default_rng(0).standard_normal((4, 2, 3)))
