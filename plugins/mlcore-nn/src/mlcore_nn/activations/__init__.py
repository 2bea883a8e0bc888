"""Activation functions (kind ``activation``, declared by this plugin).

This package module holds only the interface, :class:`Activation`, so that the
registry can import it cheaply; the functions live in
:mod:`mlcore_nn.activations.elementwise` and are exposed here lazily.
"""

from __future__ import annotations

import importlib

from mlcore.interfaces import Component

__all__ = [
    "ELU",
    "GELU",
    "SELU",
    "Activation",
    "Affine",
    "Exponential",
    "HardSigmoid",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "SoftPlus",
    "Tanh",
]


class Activation(Component):
    """An elementwise activation function with its first and second derivatives.

    ``fn(z)`` (also ``act(z)``), ``grad(z) = f'(z)`` and ``grad2(z) = f''(z)`` take any
    float array and return an array of the same shape and dtype (integer input is
    computed in float64). ``gain`` is the recommended initialisation gain, as in
    :func:`torch.nn.init.calculate_gain`.
    """

    gain: float = 1.0
    _required = ("fn", "grad", "grad2", "__call__")   # the contract the conformance kit checks

    def fn(self, z):  # pragma: no cover - interface
        """The activation f(z)."""
        raise NotImplementedError  # abstract

    def grad(self, z):  # pragma: no cover - interface
        """The first derivative f'(z), elementwise."""
        raise NotImplementedError  # abstract

    def grad2(self, z):  # pragma: no cover - interface
        """The second derivative f''(z), elementwise."""
        raise NotImplementedError  # abstract

    def __call__(self, z):
        return self.fn(z)


def __getattr__(name):
    if name in __all__:
        return getattr(importlib.import_module(f"{__name__}.elementwise"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
