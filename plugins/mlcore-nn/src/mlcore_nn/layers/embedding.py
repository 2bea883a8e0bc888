"""``embedding`` lookup layer with optional sum/mean pooling."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_choice

from ._base import NNLayer, as_component, check_int

__all__ = ["Embedding"]


class Embedding(NNLayer):
    """Look up rows of a weight matrix: Y[i, t] = W[X[i, t]].

    Parameters
    ----------
    n_out : int
        Embedding dimension.
    vocab_size : int
        Number of ids (valid ids are 0 .. vocab_size - 1).
    pool : {None, "sum", "mean"}
        Pool the embeddings of each example over its ids (``nn.EmbeddingBag``).
    init : initializer, optional
        ``std_normal`` when None (PyTorch's ``nn.Embedding`` default).
    optimizer : optimizer, optional
    random_state : int, Generator or None

    Shapes
    ------
    X int (n, T) -> (n, T, n_out), or (n, n_out) when pooled. ``W (vocab_size, n_out)``
    (= ``nn.Embedding.weight``).

    Notes
    -----
    dW[v] = sum of dY over every position holding id v (repeated ids accumulate,
    also within one example); the input has no gradient, so ``backward`` returns None.
    """

    default_init = "std_normal"

    def __init__(self, n_out: int, vocab_size: int, pool=None, init=None, optimizer=None, random_state=None):
        self.n_out = check_int(n_out, "n_out")
        self.vocab_size = check_int(vocab_size, "vocab_size")
        self.pool = check_choice(pool, "pool", (None, "sum", "mean"))
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "embedding(n_out=3, vocab_size=5, random_state=0)", "check_gradients": False,
                "input": np.random.default_rng(0).integers(0, 5, size=(4, 6))}   # ids have no gradient

    def _create_params(self, input_shape, dtype, rng):
        if not np.issubdtype(dtype, np.floating):
            dtype = np.dtype(np.float64)
        return {"W": self._new_param((self.vocab_size, self.n_out), dtype, rng)}

    def initialize(self, input_shape=(), dtype="float64", random_state=None):
        return super().initialize(input_shape, dtype, random_state)

    def output_shape(self, input_shape):
        return (self.n_out,) if self.pool else tuple(input_shape) + (self.n_out,)

    def lookup(self, ids):
        """Rows of W for an int array of ids (any shape)."""
        return self.params["W"][ids]

    def forward(self, X):
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.integer):
            raise TypeError(f"embedding takes integer ids, got dtype {X.dtype}")
        if X.ndim != 2:
            raise ValueError(f"embedding expects ids of shape (n, T), got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError(f"X is an empty batch (shape {X.shape}): a layer needs at least one example")
        if X.size and (X.min() < 0 or X.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in [0, {self.vocab_size - 1}], got range [{X.min()}, {X.max()}]")
        if not self.params:
            self.initialize(X.shape[1:])
        Y = self.params["W"][X]
        self._cache = X
        if self.pool == "sum":
            return Y.sum(axis=1)
        if self.pool == "mean":
            return Y.mean(axis=1)
        return Y

    def backward(self, dY):
        X = self.__dict__.get("_cache")
        if X is None:
            self._no_forward()
        W = self.params["W"]
        dY = np.asarray(dY, dtype=W.dtype)
        if self.pool is not None:
            scale = 1.0 / X.shape[1] if self.pool == "mean" else 1.0
            dY = np.broadcast_to((dY * scale)[:, None, :], X.shape + (self.n_out,))
        if self.trainable:
            dW = np.zeros_like(W)
            np.add.at(dW, X.ravel(), dY.reshape(-1, self.n_out))  # repeated ids accumulate
            self.grads = {"W": dW}
