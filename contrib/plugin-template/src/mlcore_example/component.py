"""The `example` layer: an elementwise affine map."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Layer
from mlcore.validation import check_array, check_random_state, check_scalar


class ExampleLayer(Layer):
    """Elementwise affine layer ``Y = X * w + b`` (one weight and bias per feature).

    Parameters
    ----------
    init_scale : float
        Standard deviation of the normal initialisation of ``w`` around 1.
    random_state : int, Generator or None
        Seed of the initialisation.

    Notes
    -----
    Input ``X`` has shape ``(n, ..., n_features)``; ``params`` are ``w`` and ``b`` of
    shape ``(n_features,)``. Gradients: ``dw = sum(dY * X)``, ``db = sum(dY)`` over every
    axis but the last, ``dX = dY * w``.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> layer = mlcore.build("example(random_state=0)")
    >>> layer.forward(np.ones((2, 3))).shape
    (2, 3)
    """

    def __init__(self, init_scale: float = 0.1, random_state=None):
        self.init_scale = check_scalar(init_scale, "init_scale", low=0)
        self.random_state = random_state

    def initialize(self, input_shape, dtype="float64", random_state=None):
        """Create the parameters for examples of ``input_shape`` (no batch axis); returns self."""
        rng = check_random_state(self.random_state if random_state is None else random_state)
        n_features = int(input_shape[-1])
        self.params = {"w": (1 + self.init_scale * rng.standard_normal(n_features)).astype(dtype),
                       "b": np.zeros(n_features, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        return self

    def output_shape(self, input_shape):
        """Shape of one output example (networks use it to size the next layer)."""
        return tuple(input_shape)

    def forward(self, X):
        X = check_array(X, name="X", ndim=(2, 3, 4))
        if not self.params:
            self.initialize(X.shape[1:], X.dtype)
        self._X = X
        return X * self.params["w"] + self.params["b"]

    def backward(self, dY):
        axes = tuple(range(dY.ndim - 1))
        self.grads["w"] = np.sum(dY * self._X, axis=axes)
        self.grads["b"] = np.sum(dY, axis=axes)
        return dY * self.params["w"]

    @classmethod
    def conformance_example(cls):
        X = np.random.default_rng(0).standard_normal((5, 3))
        return {"spec": "example(random_state=0)", "input": X}
