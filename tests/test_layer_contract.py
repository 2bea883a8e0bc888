"""The layer contract is executable: the conformance kit rejects deliberately broken layers
and a network refuses, when it is built, a layer that lacks part of the contract (issue 24).

Every registered layer passing the same kit is tests/test_contracts.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Component, Layer, missing_methods, required_methods
from mlcore.testing import check_component, check_layer_contract
from mlcore.validation import check_random_state

X = np.random.default_rng(0).standard_normal((5, 3))


class Scale(Layer):
    """A correct layer: ``Y = X * w`` with one random weight per feature."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def initialize(self, input_shape, dtype="float64", random_state=None):
        rng = check_random_state(self.random_state if random_state is None else random_state)
        self.params = {"w": rng.standard_normal(input_shape[-1]).astype(dtype)}
        self.grads = {"w": np.zeros_like(self.params["w"])}
        return self

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, X):
        X = np.asarray(X, dtype=float)
        if X.ndim < 2 or X.shape[0] == 0:
            raise ValueError(f"scale takes a non-empty batch of examples, got shape {X.shape}")
        if not self.params:
            self.initialize(X.shape[1:], X.dtype)
        self._X = X
        return X * self.params["w"]

    def backward(self, dY):
        self.grads["w"] = np.sum(dY * self._X, axis=tuple(range(dY.ndim - 1)))
        return dY * self.params["w"]

    @classmethod
    def conformance_example(cls):
        return {"input": X}


class WrongOutputShape(Scale):
    def output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


class LazyOnly(Scale):
    """Creates its weight in forward only: inherits Layer's parameter-free initialize."""

    initialize = Layer.initialize

    def forward(self, X):
        X = np.asarray(X, dtype=float)
        if X.ndim < 2 or X.shape[0] == 0:
            raise ValueError(f"lazy_only takes a non-empty batch of examples, got shape {X.shape}")
        if not self.params:
            rng = check_random_state(self.random_state)
            self.params = {"w": rng.standard_normal(X.shape[-1])}
        self._X = X
        return X * self.params["w"]


class FreshEntropy(Scale):
    """Ignores the network's generator: draws from fresh entropy."""

    def initialize(self, input_shape, dtype="float64", random_state=None):
        return super().initialize(input_shape, dtype, random_state=self.random_state)


class OwnFixedSeed(Scale):
    """Ignores the network's generator: falls back on a fixed seed of its own."""

    def initialize(self, input_shape, dtype="float64", random_state=None):
        return super().initialize(input_shape, dtype, random_state=0 if self.random_state is None else self.random_state)


class NoInitialize(Component):
    """Duck-typed layer without initialize (not a Layer subclass)."""

    params, grads, training = {}, {}, True

    def forward(self, X):
        return np.asarray(X)

    def backward(self, dY):
        return dY

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def train(self, mode=True):
        return self

    @classmethod
    def conformance_example(cls):
        return {"input": X}


LAYERS = {"scale_ok": Scale, "wrong_output_shape": WrongOutputShape, "lazy_only": LazyOnly,
          "fresh_entropy": FreshEntropy, "own_fixed_seed": OwnFixedSeed, "no_initialize": NoInitialize}


@pytest.fixture
def reg(isolated_registry):
    for name, cls in LAYERS.items():
        isolated_registry.add("layer", name, cls)
    return isolated_registry


def test_required_methods_list_the_whole_contract():
    assert {"forward", "backward", "initialize", "output_shape"} <= set(required_methods(Layer))
    assert missing_methods(NoInitialize(), Layer) == ["initialize"]
    assert missing_methods(Scale(), Layer) == []


def test_a_correct_layer_passes_the_kit(reg, tmp_path):
    check_component("scale_ok", tmp_path=tmp_path)


@pytest.mark.parametrize("name, message", [
    ("wrong_output_shape", "output_shape"),
    ("lazy_only", "initialize must create exactly the parameters"),
    ("fresh_entropy", "same network generator"),
    ("own_fixed_seed", "not on the network's generator"),
])
def test_the_kit_rejects_a_broken_layer(reg, tmp_path, name, message):
    with pytest.raises(AssertionError, match=message):
        check_layer_contract(name, X)
    with pytest.raises(AssertionError):
        check_component(name, tmp_path=tmp_path)


def test_the_kit_rejects_a_layer_without_initialize(reg, tmp_path):
    with pytest.raises(AssertionError, match="initialize"):
        check_component("no_initialize", tmp_path=tmp_path)


def test_the_kit_checks_output_shape_on_several_shapes(reg):
    """A layer right on the example's shape but wrong on another one is rejected."""
    class RightOnce(Scale):
        def output_shape(self, input_shape):
            return (3,) if input_shape[-1] == 3 else tuple(input_shape)[:-1] + (3,)

    reg.add("layer", "right_once", RightOnce)
    with pytest.raises(AssertionError, match=r"output_shape\(\(4,\)\)"):
        check_layer_contract("right_once", X)


def test_sequential_refuses_a_layer_lacking_the_contract_when_built(reg):
    pytest.importorskip("mlcore_nn")
    pytest.importorskip("mlcore_optim")
    import mlcore_nn.plugin as nn_plugin
    import mlcore_optim.plugin as optim_plugin

    reg.add_plugin(nn_plugin, "nn")
    reg.add_plugin(optim_plugin, "optim")
    with pytest.raises(ComponentArgumentError, match=r"layers\[1\] .*lacks initialize"):
        mlcore.build("sequential(layers=[dense(n_out=3), no_initialize], loss=squared_error)")
    net = mlcore.build("sequential(layers=[dense(n_out=3), scale_ok], loss=squared_error, random_state=0)")
    assert net.fit(X, X, epochs=1).predict(X).shape == (5, 3)
