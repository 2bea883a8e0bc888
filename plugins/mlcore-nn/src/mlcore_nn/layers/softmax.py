"""``softmax`` layer with the closed-form backward pass."""

from __future__ import annotations

import numpy as np

from ..losses import softmax
from ._base import NNLayer, float_input

__all__ = ["Softmax"]


class Softmax(NNLayer):
    """Softmax along ``axis``: Y = exp(X - max) / sum exp(X - max).

    Parameters
    ----------
    axis : int, default -1

    Notes
    -----
    Backward without the Jacobian: dX = Y * (dY - sum(dY * Y, axis)), O(size) work
    (numpy-ml built a (d, d) Jacobian per row in a Python loop).
    """

    _has_params = False

    def __init__(self, axis: int = -1):
        if not isinstance(axis, int) or isinstance(axis, bool):
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"axis must be an int, got {axis!r}")
        self.axis = axis

    @classmethod
    def conformance_example(cls):
        return {"input": np.random.default_rng(0).normal(size=(4, 5))}

    def forward(self, X):
        X = float_input(X)
        Y = softmax(X, axis=self.axis)
        self._cache = Y
        return Y

    def backward(self, dY):
        Y = self.__dict__.get("_cache")
        if Y is None:
            self._no_forward()
        dY = np.asarray(dY)
        dX = dY - (dY * Y).sum(axis=self.axis, keepdims=True)
        dX *= Y
        return dX
