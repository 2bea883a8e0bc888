"""``dot_product_attention``: scaled dot-product attention with masks, heads and dropout."""

from __future__ import annotations

import math

import numpy as np

from mlcore.validation import check_scalar

from ._base import NNLayer, check_int, float_input

__all__ = ["DotProductAttention"]


class DotProductAttention(NNLayer):
    """Y = dropout(softmax(Q K^T * s + mask)) V over the last two axes.

    Parameters
    ----------
    scale : bool, default True
        s = 1 / sqrt(d_k) (per head) when True, else 1.
    dropout_p : float in [0, 1), default 0
        Dropout on the attention *weights* (after the softmax), training mode only
        (numpy-ml dropped the scores instead).
    n_heads : int, default 1
        Split the feature axis into this many heads (Q, K: d_k = d / n_heads each).
    causal : bool, default False
        Query t attends to keys <= t only.
    random_state : int, Generator or None
        Seed of the dropout masks.

    Shapes
    ------
    ``forward(Q, K=None, V=None, mask=None)``: Q (..., T_q, d), K (..., T_k, d),
    V (..., T_k, d_v) -> (..., T_q, d_v); K and V default to Q (self-attention).
    ``mask``: bool array broadcastable to (..., T_q, T_k), True = may attend (PyTorch's
    boolean ``attn_mask``), or a float array added to the scores; the same for every
    head. ``backward(dY)`` -> (dQ, dK, dV), or dQ + dK + dV for self-attention.
    No parameters. Matches ``F.scaled_dot_product_attention`` on
    ``Q.reshape(..., T, n_heads, d // n_heads).swapaxes(-2, -3)``.

    Notes
    -----
    With S = s Q K^T, A = softmax(S), A~ = A * m / (1 - p): dV = A~^T dY,
    dA = (dY V^T) * m / (1 - p), dS = A * (dA - rowsum(dA * A)), dQ = s dS K, dK = s dS^T Q.
    A fully masked query row (every key masked, by booleans or ``-inf`` scores) gets zero
    attention weights, hence a zero output and zero gradients, as
    ``torch.nn.functional.scaled_dot_product_attention`` (torch 2.5 and later; older
    versions gave NaN).

    References
    ----------
    Vaswani et al. (2017). Attention is all you need. NeurIPS.
    """

    _has_params = False

    def __init__(self, scale: bool = True, dropout_p: float = 0.0, n_heads: int = 1, causal: bool = False,
                 random_state=None):
        from mlcore.errors import ComponentArgumentError

        for name, v in (("scale", scale), ("causal", causal)):
            if not isinstance(v, bool):
                raise ComponentArgumentError(f"{name} must be True or False, got {v!r}")
        self.scale = scale
        self.dropout_p = check_scalar(dropout_p, "dropout_p", low=0, high=1, high_inclusive=False)
        self.n_heads = check_int(n_heads, "n_heads")
        self.causal = causal
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "dot_product_attention(n_heads=2, causal=True)",
                "input": np.random.default_rng(0).normal(size=(2, 4, 6))}

    def _split(self, X):
        if self.n_heads == 1:
            return X
        d = X.shape[-1]
        if d % self.n_heads:
            raise ValueError(f"feature size {d} is not divisible by n_heads={self.n_heads}")
        return np.swapaxes(X.reshape(X.shape[:-1] + (self.n_heads, d // self.n_heads)), -2, -3)

    def _merge(self, X):
        if self.n_heads == 1:
            return X
        X = np.swapaxes(X, -2, -3)
        return X.reshape(X.shape[:-2] + (-1,))

    def forward(self, Q, K=None, V=None, mask=None):
        self_attn = K is None and V is None
        Q = float_input(Q, "Q")
        K = Q if K is None else float_input(K, "K")
        V = K if V is None else float_input(V, "V")
        if Q.ndim < 2 or Q.shape[-1] != K.shape[-1] or K.shape[:-1] != V.shape[:-1]:
            raise ValueError(f"incompatible shapes Q {Q.shape}, K {K.shape}, V {V.shape}: need "
                             "Q (..., T_q, d), K (..., T_k, d), V (..., T_k, d_v)")
        q, k, v = self._split(Q), self._split(K), self._split(V)
        s = 1.0 / math.sqrt(q.shape[-1]) if self.scale else 1.0
        qs = q * s if s != 1.0 else q                      # scale the small factor, not S
        S = qs @ np.swapaxes(k, -1, -2)
        Tq, Tk = S.shape[-2:]
        keep = None
        if self.causal:
            keep = np.tril(np.ones((Tq, Tk), dtype=bool))
        if mask is not None:
            mask = np.asarray(mask)
            target = Q.shape[:-2] + (Tq, Tk)
            try:
                ok = np.broadcast_shapes(mask.shape, target) == target
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"mask must be broadcastable to (..., T_q, T_k) = {target}, got shape {mask.shape}")
            if self.n_heads > 1 and mask.ndim >= 3:
                mask = mask[..., None, :, :]
            if mask.dtype == bool:
                keep = mask if keep is None else keep & mask
            else:
                S = S + mask.astype(S.dtype, copy=False)
        if keep is not None:
            S = np.where(keep, S, -np.inf)
        m = S.max(axis=-1, keepdims=True)               # S is ours: softmax in place
        dead = np.isneginf(m)                           # fully masked rows: zero weights, as torch's SDPA
        if dead.any():
            m[dead] = 0.0
        S -= m
        A = np.exp(S, out=S)
        den = A.sum(axis=-1, keepdims=True)
        if dead.any():
            den[dead] = 1.0
        A /= den
        drop = None
        if self.training and self.dropout_p > 0:
            drop = (self._generator().random(A.shape, dtype=A.dtype) >= self.dropout_p).astype(A.dtype)
            drop *= 1.0 / (1.0 - self.dropout_p)
            Ad = A * drop
        else:
            Ad = A
        Y = Ad @ v
        self._cache = (qs, k, v, A, Ad, drop, s, self_attn)
        return self._merge(Y)

    def backward(self, dY):
        cache = self.__dict__.get("_cache") or self._no_forward()
        qs, k, v, A, Ad, drop, s, self_attn = cache
        dY = self._split(np.asarray(dY))
        dV = np.swapaxes(Ad, -1, -2) @ dY
        dS = dY @ np.swapaxes(v, -1, -2)                    # dA, turned into dS in place
        if drop is not None:
            dS *= drop
        prod = np.multiply(dS, A, out=self._scratch("prod", A.shape, A.dtype))
        dS -= prod.sum(axis=-1, keepdims=True)
        dS *= A
        dQ = dS @ k
        if s != 1.0:
            dQ *= s
        dQ = self._merge(dQ)
        dK = self._merge(np.swapaxes(dS, -1, -2) @ qs)
        dV = self._merge(dV)
        if self_attn:
            return dQ + dK + dV
        return dQ, dK, dV
