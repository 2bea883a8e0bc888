"""Fully connected layer ``dense`` (alias ``fully_connected``)."""

from __future__ import annotations

import numpy as np

from ._base import NNLayer, as_component, check_int, colsum, float_input

__all__ = ["Dense"]


class Dense(NNLayer):
    """Fully connected layer Y = f(X W + b), applied to the last axis.

    Parameters
    ----------
    n_out : int
        Output features.
    act_fn : activation, optional
        Activation f (identity when None), e.g. ``relu``.
    init : initializer, optional
        Weight initializer (``glorot_uniform`` with the activation's gain when None).
        The bias starts at zero.
    optimizer : optimizer, optional
        This layer's own optimizer in a network (else the network's, cloned).
    random_state : int, Generator or None
        Seed for the weights (a network attaches its own generator when None).

    Shapes
    ------
    X (n, ..., n_in) -> Y (n, ..., n_out). Parameters ``W (n_in, n_out)``, ``b (n_out,)``;
    PyTorch ``nn.Linear``: ``weight = W.T``, ``bias = b``.

    Notes
    -----
    Backward: dZ = dY * f'(Z), dW = X^T dZ, db = sum dZ, dX = dZ W^T (three GEMMs per step).

    Example
    -------
    >>> import numpy as np, mlcore
    >>> layer = mlcore.build("dense(n_out=2, act_fn=relu, random_state=0)")
    >>> layer.forward(np.ones((3, 4))).shape
    (3, 2)
    """

    def __init__(self, n_out: int, act_fn=None, init=None, optimizer=None, random_state=None):
        self.n_out = check_int(n_out, "n_out")
        self.act_fn = as_component(act_fn, "activation")
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "dense(n_out=3, act_fn=tanh, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(4, 5))}

    def _create_params(self, input_shape, dtype, rng):
        return {"W": self._new_param((input_shape[-1], self.n_out), dtype, rng),
                "b": np.zeros(self.n_out, dtype=dtype)}

    def output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.n_out,)

    def forward(self, X):
        X = float_input(X)
        if X.ndim < 2:
            raise ValueError(f"dense expects X of shape (n, ..., n_in), got shape {X.shape}")
        self._ensure_params(X)
        W = self.params["W"]
        if X.shape[-1] != W.shape[0]:
            raise ValueError(f"dense was built for {W.shape[0]} input features, got X of shape {X.shape}")
        Z = X @ W
        Z += self.params["b"]
        self._cache = (X, Z)
        return self._act_forward(Z)

    def backward(self, dY, input_grad: bool = True):
        """Fill ``grads``; return dX (None when ``input_grad`` is False, saving a GEMM for a
        network's first layer, whose input needs no gradient)."""
        X, Z = self.__dict__.get("_cache") or self._no_forward()
        dZ = self._act_backward(np.asarray(dY), Z)
        W = self.params["W"]
        if self.trainable:
            X2, dZ2 = X.reshape(-1, W.shape[0]), dZ.reshape(-1, W.shape[1])
            gW = np.matmul(X2.T, dZ2, out=self._grad_buffer("W", W.shape, np.result_type(X2, dZ2)))
            self.grads = {"W": gW, "b": colsum(dZ2)}
        return dZ @ W.T if input_grad else None
