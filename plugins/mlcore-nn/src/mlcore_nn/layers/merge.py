"""Elementwise merge layers ``add`` and ``multiply`` of several equally shaped inputs."""

from __future__ import annotations

import numpy as np

from ._base import NNLayer, as_component, float_input

__all__ = ["Add", "Multiply"]


def _inputs(Xs, name):
    if isinstance(Xs, np.ndarray) or not isinstance(Xs, (list, tuple)) or len(Xs) < 1:
        raise TypeError(f"{name}.forward takes a list of arrays of the same shape")
    Xs = [float_input(X, f"X[{i}]") for i, X in enumerate(Xs)]
    if any(X.shape != Xs[0].shape for X in Xs):
        raise ValueError(f"{name} inputs must share one shape, got {[X.shape for X in Xs]}")
    return Xs


class _Merge(NNLayer):
    _has_params = False

    def __init__(self, act_fn=None):
        self.act_fn = as_component(act_fn, "activation")

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        return {"spec": f"{cls._name}(act_fn=tanh)", "input": [rng.normal(size=(3, 4)) for _ in range(3)]}

    def output_shape(self, input_shape):
        """The common example shape of the inputs: ``input_shape`` is one shape, or the
        list of the inputs' shapes (which must be equal)."""
        shapes = [tuple(s) for s in input_shape] if input_shape and isinstance(input_shape[0], (tuple, list)) \
            else [tuple(input_shape)]
        if any(s != shapes[0] for s in shapes):
            raise ValueError(f"{self._name} takes inputs of one shape, got examples of shapes {shapes}")
        return shapes[0]


class Add(_Merge):
    """Y = f(X_1 + ... + X_k) of a list of equally shaped arrays.

    Parameters
    ----------
    act_fn : activation, optional

    Notes
    -----
    ``forward([X_1, ..., X_k])`` -> Y; ``backward(dY)`` -> ``[dX_1, ..., dX_k]`` (each
    dX_i = dY * f'(Z)). No parameters.
    """

    _name = "add"

    def forward(self, Xs):
        Xs = _inputs(Xs, "add")
        Z = Xs[0].copy()
        for X in Xs[1:]:  # k inputs (a handful): one vectorised addition each
            Z += X
        self._cache = (len(Xs), Z)
        return self._act_forward(Z)

    def backward(self, dY):
        k, Z = self.__dict__.get("_cache") or self._no_forward()
        dZ = self._act_backward(np.asarray(dY), Z)
        return [dZ] + [dZ.copy() for _ in range(k - 1)]


class Multiply(_Merge):
    """Y = f(X_1 * ... * X_k) (elementwise) of a list of equally shaped arrays.

    ``backward(dY)`` -> ``[dX_i = dZ * prod_{j != i} X_j]``. No parameters.
    """

    _name = "multiply"

    def forward(self, Xs):
        Xs = _inputs(Xs, "multiply")
        Z = Xs[0].copy()
        for X in Xs[1:]:  # k inputs: one vectorised product each
            Z *= X
        self._cache = (Xs, Z)
        return self._act_forward(Z)

    def backward(self, dY):
        Xs, Z = self.__dict__.get("_cache") or self._no_forward()
        dZ = self._act_backward(np.asarray(dY), Z)
        out = []
        for i in range(len(Xs)):  # k inputs, each gradient one vectorised product chain
            g = dZ.copy()
            for j, X in enumerate(Xs):
                if j != i:
                    g *= X
            out.append(g)
        return out
