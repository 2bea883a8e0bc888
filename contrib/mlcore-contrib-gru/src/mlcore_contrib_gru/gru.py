"""The GRU layer: forward over a sequence and backpropagation through time."""

from __future__ import annotations

import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Layer, Optimizer
from mlcore.validation import check_random_state


def _sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # stable for large |x|


class GRU(Layer):
    """Gated recurrent unit over sequences ``(n, time, n_in)`` (PyTorch's equations and layout).

    Parameters
    ----------
    n_out : int
        Hidden size ``H``.
    return_sequences : bool
        Return every hidden state ``(n, time, H)`` instead of the last ``(n, H)``.
    optimizer : Optimizer, optional
        This layer's own optimizer inside a network (else the network's).
    random_state : int, Generator or None
        Initialisation: every parameter ``U(-1/sqrt(H), 1/sqrt(H))``, as PyTorch.

    Attributes
    ----------
    params : dict
        ``W_ih (n_in, 3H)``, ``W_hh (H, 3H)``, ``b_ih (3H,)``, ``b_hh (3H,)``, gates r, z, n.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> gru = mlcore.build("gru(n_out=4, random_state=0)")
    >>> gru.forward(np.zeros((2, 5, 3))).shape
    (2, 4)
    """

    def __init__(self, n_out: int, return_sequences: bool = False, optimizer: Optimizer | None = None,
                 random_state=None):
        if isinstance(n_out, bool) or not isinstance(n_out, int) or n_out < 1:
            raise ComponentArgumentError(f"n_out must be a positive int, got {n_out!r}")
        self.n_out = n_out
        self.return_sequences = bool(return_sequences)
        self.optimizer = optimizer
        self.random_state = random_state

    # ------------------------------------------------------------------ shapes and parameters
    def initialize(self, input_shape, dtype="float64", random_state=None):
        """Create parameters for examples of shape ``(time, n_in)``; returns self.

        Inside a network ``random_state`` is the network's generator and the only source
        of randomness used (the layer contract); alone, the layer's own ``random_state``.
        """
        if len(input_shape) != 2:
            raise ValueError(f"gru expects input of 3 dimensions (n, time, features), got examples of shape "
                             f"{tuple(input_shape)} (input of {len(input_shape) + 1} dimensions)")
        n_in, H = int(input_shape[-1]), self.n_out
        rng = check_random_state(self.random_state if random_state is None else random_state)
        k = 1.0 / np.sqrt(H)
        shapes = {"W_ih": (n_in, 3 * H), "W_hh": (H, 3 * H), "b_ih": (3 * H,), "b_hh": (3 * H,)}
        self.params = {name: rng.uniform(-k, k, shape).astype(dtype) for name, shape in shapes.items()}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        return self

    def output_shape(self, input_shape):
        return (input_shape[0], self.n_out) if self.return_sequences else (self.n_out,)

    # ------------------------------------------------------------------ forward
    def forward(self, X, h0=None):
        """Run the sequence ``X (n, time, n_in)`` from ``h0`` (zeros by default)."""
        X = np.asarray(X)
        if X.ndim != 3:
            raise ValueError(f"gru expects X of shape (n, time, features), got shape {X.shape}")
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"gru needs at least one example and one time step, got X of shape {X.shape}")
        if not np.issubdtype(X.dtype, np.floating):
            X = X.astype(np.float64)
        if not self.params:
            self.initialize(X.shape[1:], X.dtype)
        p, H = self.params, self.n_out
        n, T, F = X.shape
        if F != p["W_ih"].shape[0]:
            raise ValueError(f"gru was built for {p['W_ih'].shape[0]} features, got X of shape {X.shape} "
                             f"({F} features)")
        if h0 is not None:
            h0 = np.asarray(h0)
            if h0.shape != (n, H):
                raise ValueError(f"h0 must have shape (n, n_out) = {(n, H)}, got {h0.shape}")
        XW = X @ p["W_ih"] + p["b_ih"]              # all input projections in one product
        hs = np.empty((n, T + 1, H), dtype=X.dtype)
        hs[:, 0] = 0.0 if h0 is None else h0
        gates = np.empty((n, T, 3 * H), dtype=X.dtype)   # r, z, n after their nonlinearity
        hWn = np.empty((n, T, H), dtype=X.dtype)
        for t in range(T):  # the recurrence is sequential in time; each step is batched
            hW = hs[:, t] @ p["W_hh"] + p["b_hh"]
            rz = _sigmoid(XW[:, t, : 2 * H] + hW[:, : 2 * H])
            r, z = rz[:, :H], rz[:, H:]
            cand = np.tanh(XW[:, t, 2 * H:] + r * hW[:, 2 * H:])
            hs[:, t + 1] = (1.0 - z) * cand + z * hs[:, t]
            gates[:, t, : 2 * H], gates[:, t, 2 * H:] = rz, cand
            hWn[:, t] = hW[:, 2 * H:]
        self._cache = (X, hs, gates, hWn)
        return hs[:, 1:].copy() if self.return_sequences else hs[:, -1].copy()

    # ------------------------------------------------------------------ backward
    def backward(self, dY, input_grad: bool = True):
        """Backpropagation through time; fills ``grads`` and returns dX (None if not ``input_grad``)."""
        X, hs, gates, hWn = self._cache
        p, H = self.params, self.n_out
        n, T, _ = X.shape
        dY = np.asarray(dY)
        dXW = np.empty((n, T, 3 * H), dtype=X.dtype)
        dHW = np.empty((n, T, 3 * H), dtype=X.dtype)
        dh = np.zeros((n, H), dtype=X.dtype)
        for t in range(T - 1, -1, -1):  # reverse time: each step needs the next step's gradient
            if self.return_sequences:
                dh = dh + dY[:, t]
            elif t == T - 1:
                dh = dh + dY
            r, z, cand = gates[:, t, :H], gates[:, t, H: 2 * H], gates[:, t, 2 * H:]
            h_prev = hs[:, t]
            d_an = dh * (1.0 - z) * (1.0 - cand * cand)        # through tanh
            d_az = dh * (h_prev - cand) * z * (1.0 - z)        # through sigmoid
            d_ar = d_an * hWn[:, t] * r * (1.0 - r)
            dXW[:, t, :H], dXW[:, t, H: 2 * H], dXW[:, t, 2 * H:] = d_ar, d_az, d_an
            dHW[:, t, :H], dHW[:, t, H: 2 * H], dHW[:, t, 2 * H:] = d_ar, d_az, d_an * r
            dh = dh * z + dHW[:, t] @ p["W_hh"].T
        F = X.shape[2]
        self.grads = {
            "W_ih": X.reshape(-1, F).T @ dXW.reshape(-1, 3 * H),
            "W_hh": hs[:, :-1].reshape(-1, H).T @ dHW.reshape(-1, 3 * H),
            "b_ih": dXW.sum(axis=(0, 1)),
            "b_hh": dHW.sum(axis=(0, 1)),
        }
        self.dh0_ = dh
        return dXW @ p["W_ih"].T if input_grad else None

    @classmethod
    def conformance_example(cls):
        X = np.random.default_rng(0).standard_normal((3, 4, 2))
        return {"spec": "gru(n_out=3, return_sequences=True, random_state=0)", "input": X}
