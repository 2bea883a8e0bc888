"""``multi_head_attention``: PyTorch-compatible multi-head attention for any sequence lengths."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from mlcore.validation import check_scalar

from ..layers._base import NNLayer, as_component, check_int, colsum, float_input

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(NNLayer):
    """Multi-head attention Y = concat_h(softmax(q_h k_h^T / sqrt(d_h) + mask) v_h) W_o + b_o.

    Parameters
    ----------
    n_heads : int, default 8
        Number of heads h; the model width d (last axis of Q) must be divisible by h.
    dropout_p : float in [0, 1), default 0
        Dropout on the attention weights (training mode only), as PyTorch.
    bias : bool, default True
        Biases on the four projections.
    init : initializer, optional
        Initializer of each projection weight; None gives PyTorch's defaults (Glorot
        uniform over the stacked (3d, d) input projection, U(-1/sqrt(d), 1/sqrt(d)) for
        the output projection), biases zero.
    optimizer : optimizer, optional
    random_state : int, Generator or None
        Seeds the weights and the dropout masks.

    Shapes
    ------
    ``forward(Q, K=None, V=None, attn_mask=None, key_padding_mask=None)``:
    Q (n, T_q, d), K (n, T_k, d_k), V (n, T_k, d_v) -> Y (n, T_q, d). K defaults to Q
    (self-attention), V to K; ``forward([Q, K, V])`` also works. Masks follow ``torch.nn.MultiheadAttention``: ``attn_mask``
    (T_q, T_k) or (n, T_q, T_k), boolean True = NOT allowed to attend, or float added to
    the scores; ``key_padding_mask`` (n, T_k), boolean True = padding (ignored), or float.
    ``backward(dY)`` -> dQ for self-attention, (dQ, dK) when only K was given, else
    (dQ, dK, dV). ``attention_weights`` holds the last (n, h, T_q, T_k) weights.

    Parameters ``W_q (d, d)``, ``W_k (d_k, d)``, ``W_v (d_v, d)``, ``W_o (d, d)``,
    ``b_q, b_k, b_v, b_o (d,)``. PyTorch (``batch_first=True``): ``in_proj_weight =
    concat([W_q.T, W_k.T, W_v.T])`` (or ``q_proj_weight = W_q.T``, ... when
    d_k, d_v != d), ``in_proj_bias = concat([b_q, b_k, b_v])``, ``out_proj.weight =
    W_o.T``, ``out_proj.bias = b_o``.

    Notes
    -----
    q = Q W_q + b_q, k = K W_k + b_k, v = V W_v + b_v, split into h heads of d / h
    features; attention and its backward are :class:`mlcore_nn.layers.attention.
    DotProductAttention`'s (dS = A * (dA - rowsum(dA * A))). Works for any T_q, T_k >= 1
    (numpy-ml's module only handled sequence length 1). A query whose keys are all
    masked gets zero attention weights (its output is ``b_o``), as torch's
    ``scaled_dot_product_attention``.

    References
    ----------
    Vaswani et al. (2017). Attention is all you need. NeurIPS.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> mha = mlcore.build("multi_head_attention(n_heads=2, random_state=0)")
    >>> mha.forward(np.zeros((3, 5, 8))).shape
    (3, 5, 8)
    """

    input_ndim = 3
    input_layout = "(n, time, features)"

    spec_kinds: ClassVar[dict] = {"init": "initializer", "optimizer": "optimizer"}

    def __init__(self, n_heads: int = 8, dropout_p: float = 0.0, bias: bool = True, init=None, optimizer=None,
                 random_state=None):
        from mlcore.errors import ComponentArgumentError

        self.n_heads = check_int(n_heads, "n_heads")
        self.dropout_p = check_scalar(dropout_p, "dropout_p", low=0, high=1, high_inclusive=False)
        if not isinstance(bias, bool):
            raise ComponentArgumentError(f"bias must be True or False, got {bias!r}")
        self.bias = bias
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "multi_head_attention(n_heads=2, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(2, 3, 4))}

    # ------------------------------------------------------------------ parameters
    def initialize(self, input_shape, dtype="float64", random_state=None, kdim=None, vdim=None):
        """Create the parameters for queries of ``input_shape`` (T, d); K/V widths default to d."""
        from mlcore.validation import check_random_state

        self._check_example_shape(input_shape)
        rng = check_random_state(random_state) if random_state is not None else self._generator()
        d = int(input_shape[-1])
        if d % self.n_heads:
            raise ValueError(f"model width {d} is not divisible by n_heads={self.n_heads}")
        kdim, vdim = kdim or d, vdim or d
        dtype = np.dtype(dtype)
        if self.init is None:
            if kdim == vdim == d:      # torch: xavier_uniform_ on the stacked (3d, d) in_proj_weight
                a = math.sqrt(6.0 / (d + 3 * d))
                W = rng.uniform(-a, a, size=(3 * d, d)).astype(dtype)
                Wq, Wk, Wv = (np.ascontiguousarray(W[i * d:(i + 1) * d].T) for i in range(3))
            else:                      # torch: xavier_uniform_ on each (d, d_in) weight
                Wq, Wk, Wv = (rng.uniform(-math.sqrt(6.0 / (d + m)), math.sqrt(6.0 / (d + m)), size=(m, d))
                              .astype(dtype) for m in (d, kdim, vdim))
            k = 1.0 / math.sqrt(d)
            Wo = rng.uniform(-k, k, size=(d, d)).astype(dtype)
        else:
            Wq, Wk, Wv, Wo = (self.init.init((m, d), rng, dtype=dtype) for m in (d, kdim, vdim, d))
        p = {"W_q": Wq, "W_k": Wk, "W_v": Wv, "W_o": Wo}
        if self.bias:
            p.update({k: np.zeros(d, dtype=dtype) for k in ("b_q", "b_k", "b_v", "b_o")})
        self.params = p
        self.grads = {k: np.zeros_like(v) for k, v in p.items()}
        return self

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def _attention(self):
        att = self.__dict__.get("_att")
        if att is None:
            from ..layers.attention import DotProductAttention

            att = self.__dict__["_att"] = DotProductAttention(dropout_p=self.dropout_p, n_heads=self.n_heads)
            att.attach_rng(self._generator())
        att.training = self.training
        return att

    # ------------------------------------------------------------------ masks
    @staticmethod
    def _mask(attn_mask, key_padding_mask, n, Tq, Tk, dtype):
        """One additive float mask broadcastable to (n, T_q, T_k), or None."""
        out = None
        for m, shape in ((attn_mask, None), (key_padding_mask, "kpm")):
            if m is None:
                continue
            m = np.asarray(m)
            if shape == "kpm":
                if m.shape != (n, Tk):
                    raise ValueError(f"key_padding_mask must have shape {(n, Tk)}, got {m.shape}")
                m = m[:, None, :]
            elif m.shape not in ((Tq, Tk), (n, Tq, Tk)):
                raise ValueError(f"attn_mask must have shape {(Tq, Tk)} or {(n, Tq, Tk)}, got {m.shape}")
            f = np.where(m, -np.inf, 0.0).astype(dtype) if m.dtype == bool else m.astype(dtype)
            out = f if out is None else out + f
        return out

    # ------------------------------------------------------------------ forward / backward
    def forward(self, Q, K=None, V=None, attn_mask=None, key_padding_mask=None):
        if isinstance(Q, (list, tuple)):       # forward([Q, K, V]) as well as forward(Q, K, V)
            Q, K, V = (list(Q) + [None, None])[:3]
        mode = 0 if K is None else (1 if V is None else 2)
        Q = float_input(Q, "Q", ndim=3)
        K = Q if K is None else float_input(K, "K", ndim=3)
        V = K if V is None else float_input(V, "V", ndim=3)
        if K.shape[:2] != V.shape[:2] or Q.shape[0] != K.shape[0]:
            raise ValueError(f"need Q (n, T_q, d), K (n, T_k, d_k), V (n, T_k, d_v); got {Q.shape}, {K.shape}, "
                             f"{V.shape}")
        if not self.params:
            self.initialize(Q.shape[1:], Q.dtype, kdim=K.shape[-1], vdim=V.shape[-1])
        p = self.params
        for X, W, name in ((Q, "W_q", "Q"), (K, "W_k", "K"), (V, "W_v", "V")):
            if X.shape[-1] != p[W].shape[0]:
                raise ValueError(f"{name} has {X.shape[-1]} features, the module was built for {p[W].shape[0]}")
        q = Q @ p["W_q"]
        k = K @ p["W_k"]
        v = V @ p["W_v"]
        if self.bias:
            q += p["b_q"]
            k += p["b_k"]
            v += p["b_v"]
        mask = self._mask(attn_mask, key_padding_mask, Q.shape[0], Q.shape[1], K.shape[1], q.dtype)
        att = self._attention()
        O = att.forward(q, k, v, mask=mask)
        Y = O @ p["W_o"]
        if self.bias:
            Y += p["b_o"]
        self._cache = (Q, K, V, O, mode)
        return Y

    @property
    def attention_weights(self):
        """Attention weights (n, h, T_q, T_k) of the last forward (before dropout)."""
        att = self.__dict__.get("_att")
        cache = None if att is None else att.__dict__.get("_cache")
        return None if cache is None else cache[3]

    def backward(self, dY):
        cache = self.__dict__.get("_cache") or self._no_forward()
        Q, K, V, O, mode = cache
        p = self.params
        dY = np.asarray(dY)
        d = p["W_o"].shape[1]
        dY2 = dY.reshape(-1, d)
        grads = {"W_o": O.reshape(-1, d).T @ dY2}
        dO = dY @ p["W_o"].T
        dq, dk, dv = self._attention().backward(dO)
        dX = []
        for X, g, w in ((Q, dq, "q"), (K, dk, "k"), (V, dv, "v")):
            g2 = g.reshape(-1, d)
            grads["W_" + w] = X.reshape(-1, X.shape[-1]).T @ g2
            if self.bias:
                grads["b_" + w] = colsum(g2)
            dX.append(g @ p["W_" + w].T)
        if self.bias:
            grads["b_o"] = colsum(dY2)
        if self.trainable:
            self.grads = grads
        if mode == 0:
            return dX[0] + dX[1] + dX[2]
        if mode == 1:
            return dX[0], dX[1] + dX[2]
        return tuple(dX)
