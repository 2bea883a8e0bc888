"""``sparse_evolution``: sparse fully connected layer with SET rewiring (Mocanu et al. 2018)."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_random_state, check_scalar

from .layers._base import NNLayer, as_component, check_int, colsum, float_input

__all__ = ["SparseEvolution"]


class SparseEvolution(NNLayer):
    """Erdos-Renyi sparse dense layer Y = f(X (W * M) + b) whose connectivity M evolves (SET).

    Parameters
    ----------
    n_out : int
    epsilon : float, default 20
        Sparsity level: each connection exists with probability
        p = min(1, epsilon (n_in + n_out) / (n_in n_out)).
    zeta : float in [0, 1), default 0.3
        Fraction of the positive and of the negative connections removed by :meth:`evolve`.
    act_fn : activation, optional
    init : initializer, optional
        For the weights (glorot_uniform with the activation's gain when None); regrown
        connections get fresh draws from the same initializer.
    optimizer : optimizer, optional
    random_state : int, Generator or None
        Seeds the weights, the mask and the rewiring.

    Shapes
    ------
    X (n, n_in) -> (n, n_out). Parameters ``W (n_in, n_out)`` (zero off the mask) and
    ``b (n_out,)``; the boolean mask is the learned state ``mask_``.

    Notes
    -----
    Gradients are masked (dW = X^T dZ * M) and ``forward`` re-applies the mask to W (an
    optimizer's momentum may otherwise move pruned weights), so connections only change
    through :meth:`evolve`.
    :meth:`evolve` (call it after each training epoch, e.g. from a ``sequential`` callback)
    removes the zeta fraction of the smallest positive weights and of the largest
    (closest to zero) negative weights and regrows as many connections at random empty
    positions, keeping the number of connections constant. numpy-ml's version crashed
    on its first forward.

    References
    ----------
    Mocanu, Mocanu, Stone, Nguyen, Gibescu, Liotta (2018). Scalable training of artificial
    neural networks with adaptive sparse connectivity inspired by network science.
    Nature Communications 9, 2383.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> layer = mlcore.build("sparse_evolution(n_out=20, epsilon=2, random_state=0)")
    >>> Y = layer.forward(np.ones((3, 30))); n_conn = layer.mask_.sum()
    >>> _ = layer.evolve(); bool(layer.mask_.sum() == n_conn)
    True
    """

    def __init__(self, n_out: int, epsilon: float = 20.0, zeta: float = 0.3, act_fn=None, init=None,
                 optimizer=None, random_state=None):
        # hyperparameters stored one per line as in dense: a constructor lists what it stores
        self.n_out = check_int(n_out, "n_out")
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, low_inclusive=False)
        self.zeta = check_scalar(zeta, "zeta", low=0, high=1, high_inclusive=False)
        self.act_fn = as_component(act_fn, "activation")
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "sparse_evolution(n_out=4, epsilon=1.5, act_fn=tanh, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(3, 6))}

    def density(self, n_in):
        return min(1.0, self.epsilon * (n_in + self.n_out) / (n_in * self.n_out))

    def _create_params(self, input_shape, dtype, rng):
        n_in = input_shape[-1]
        self.mask_ = rng.random((n_in, self.n_out)) < self.density(n_in)
        W = self._new_param((n_in, self.n_out), dtype, rng)
        W *= self.mask_
        return {"W": W, "b": np.zeros(self.n_out, dtype=dtype)}

    def output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.n_out,)

    def forward(self, X):
        X = float_input(X, ndim=2)
        self._ensure_params(X)
        W = self.params["W"]
        if X.shape[1] != W.shape[0]:
            raise ValueError(f"sparse_evolution was built for {W.shape[0]} input features, got X {X.shape}")
        W *= self.mask_     # keeps W zero off the mask even if an optimizer's momentum moved it
        Wm = W
        Z = X @ Wm
        Z += self.params["b"]
        self._cache = (X, Z, Wm)
        return self._act_forward(Z)

    def backward(self, dY):
        X, Z, Wm = self.__dict__.get("_cache") or self._no_forward()
        dZ = self._act_backward(np.asarray(dY), Z)
        if self.trainable:
            gW = X.T @ dZ
            gW *= self.mask_
            self.grads = {"W": gW, "b": colsum(dZ)}
        return dZ @ Wm.T

    def evolve(self, random_state=None):
        """One SET step: prune the weakest connections and regrow as many at random; returns
        the number of connections rewired."""
        if not self.params:
            raise RuntimeError("sparse_evolution.evolve called before the layer was initialised")
        rng = check_random_state(random_state) if random_state is not None else self._generator()
        W, M = self.params["W"], self.mask_
        idx = np.flatnonzero(M)
        w = W.ravel()[idx]
        pos, neg = idx[w > 0], idx[w < 0]
        n_pos, n_neg = int(self.zeta * len(pos)), int(self.zeta * len(neg))
        drop = np.concatenate([pos[np.argsort(W.ravel()[pos], kind="stable")[:n_pos]],
                               neg[np.argsort(-W.ravel()[neg], kind="stable")[:n_neg]]])
        empty = np.flatnonzero(~M)              # positions free before pruning (no immediate regrowth)
        n_new = min(len(drop), len(empty))
        grow = rng.choice(empty, size=n_new, replace=False) if n_new else np.empty(0, dtype=np.intp)
        Mf, Wf = M.ravel(), W.reshape(-1)
        Mf[drop] = False
        Wf[drop] = 0.0
        Mf[grow] = True
        fresh = self._new_param(W.shape, W.dtype, rng).ravel()
        Wf[grow] = fresh[grow]
        return len(drop)
