"""``flatten`` layer."""

from __future__ import annotations

import math

import numpy as np

from mlcore.validation import check_choice

from ._base import NNLayer, float_input

__all__ = ["Flatten"]


class Flatten(NNLayer):
    """Flatten all but one axis.

    Parameters
    ----------
    keep_dim : {"first", "last", -1}
        "first": (n, ...) -> (n, prod(...)) (the usual choice before a dense layer);
        "last": (..., d) -> (prod(...), d); -1: everything into (1, size).
    """

    _has_params = False

    def __init__(self, keep_dim="first"):
        self.keep_dim = check_choice(keep_dim, "keep_dim", ("first", "last", -1))

    @classmethod
    def conformance_example(cls):
        return {"input": np.random.default_rng(0).normal(size=(2, 3, 2, 2))}

    def output_shape(self, input_shape):
        if self.keep_dim == "first":
            return (math.prod(input_shape),)
        raise ValueError("only keep_dim='first' keeps the batch axis, as a network layer needs")

    def forward(self, X):
        X = float_input(X)
        self._cache = X.shape
        if self.keep_dim == "first":
            return X.reshape(X.shape[0], -1)
        if self.keep_dim == "last":
            return X.reshape(-1, X.shape[-1])
        return X.reshape(1, -1)

    def backward(self, dY):
        shape = self.__dict__.get("_cache") or self._no_forward()
        return np.asarray(dY).reshape(shape)
