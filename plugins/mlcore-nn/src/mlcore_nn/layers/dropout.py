"""``dropout``: inverted dropout, as a layer or as a wrapper of any layer."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mlcore.validation import check_scalar

from ._base import NNLayer, as_component, float_input

__all__ = ["Dropout"]


class Dropout(NNLayer):
    """Inverted dropout; with ``layer``, dropout on that layer's input.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of zeroing an entry.
    layer : layer, optional
        Wrapped layer: ``forward(X) = layer.forward(dropout(X))``. Its parameters,
        gradients and modes are the wrapper's.
    random_state : int, Generator or None
        Seed of the masks (a network attaches its own generator when None).

    Notes
    -----
    Training mode: m ~ Bernoulli(1 - p), Y = X * m / (1 - p), dX = dY * m / (1 - p)
    (numpy-ml forgot the mask in backward and scaled the caller's array in place).
    Evaluation mode: the identity. The input array is never modified.

    References
    ----------
    Srivastava et al. (2014). Dropout: a simple way to prevent neural networks from
    overfitting. JMLR 15.
    """

    spec_kinds: ClassVar[dict] = {"layer": "layer"}

    def __init__(self, p: float = 0.5, layer=None, random_state=None):
        self.p = check_scalar(p, "p", low=0, high=1, high_inclusive=False)
        self.layer = as_component(layer, "layer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "dropout(p=0.0, layer=dense(n_out=2, act_fn=tanh))",
                "input": np.random.default_rng(0).normal(size=(4, 3))}

    # ---- delegation to the wrapped layer
    @property
    def _state_attrs(self):
        return ("trainable", "training") if self.__dict__.get("layer") is not None else \
            ("params", "trainable", "training")

    @property
    def params(self):
        layer = self.__dict__.get("layer")
        return layer.params if layer is not None else NNLayer.params.fget(self)

    @params.setter
    def params(self, value):
        layer = self.__dict__.get("layer")
        if layer is not None:
            layer.params = value
        else:
            NNLayer.params.fset(self, value)

    @property
    def grads(self):
        layer = self.__dict__.get("layer")
        return layer.grads if layer is not None else NNLayer.grads.fget(self)

    @grads.setter
    def grads(self, value):
        layer = self.__dict__.get("layer")
        if layer is not None:
            layer.grads = value
        else:
            NNLayer.grads.fset(self, value)

    @property
    def trainable(self):
        return self.__dict__.get("trainable", True)

    @trainable.setter
    def trainable(self, value):
        self.__dict__["trainable"] = bool(value)
        if self.__dict__.get("layer") is not None:
            self.layer.trainable = value

    @property
    def training(self):
        return self.__dict__.get("training", True)

    @training.setter
    def training(self, value):
        self.__dict__["training"] = bool(value)
        if self.__dict__.get("layer") is not None:
            self.layer.training = value

    @property
    def _has_params(self):
        return self.layer is not None and getattr(self.layer, "_has_params", True)

    @property
    def act(self):
        return self.layer.act if self.layer is not None else super().act

    def initialize(self, input_shape, dtype="float64", random_state=None):
        if self.layer is not None:
            self.layer.initialize(input_shape, dtype, random_state)
        return self

    def attach_rng(self, rng):
        super().attach_rng(rng)
        if self.layer is not None and hasattr(self.layer, "attach_rng"):
            self.layer.attach_rng(rng)
        return self

    def output_shape(self, input_shape):
        return self.layer.output_shape(input_shape) if self.layer is not None else tuple(input_shape)

    # ---- computation
    def forward(self, X):
        X = float_input(X)
        mask = None
        if self.training and self.p > 0:
            keep = self._generator().random(X.shape, dtype=X.dtype) >= self.p
            mask = keep.astype(X.dtype)
            mask *= 1.0 / (1.0 - self.p)
            X = X * mask
        self._cache = (mask,)
        if self.layer is None:
            return X
        if not self.layer.params and hasattr(self.layer, "attach_rng"):
            self.layer.attach_rng(self._generator())   # seeded by the wrapper's random_state
        return self.layer.forward(X)

    def backward(self, dY):
        (mask,) = self.__dict__.get("_cache") or self._no_forward()
        dX = self.layer.backward(dY) if self.layer is not None else np.asarray(dY)
        return dX if mask is None else dX * mask
