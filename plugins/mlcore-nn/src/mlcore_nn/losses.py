"""Losses (kind ``loss``): ``loss(y_true, y_pred)`` -> float, ``grad(y_true, y_pred)`` -> dL/dy_pred.

All take ``reduction`` in {"mean", "sum"} with PyTorch's meaning (``MSELoss``,
``BCELoss``: mean over every element; ``CrossEntropyLoss``: mean over the examples).
Class targets may be given as integer labels ``(n,)`` or as one-hot / probability rows
``(n, K)``.

Example
-------
>>> import numpy as np, mlcore
>>> loss = mlcore.build("softmax_cross_entropy")
>>> round(loss.loss(np.array([0, 1]), np.array([[2.0, 0.0], [0.0, 2.0]])), 6)
0.126928
"""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Loss
from mlcore.validation import check_choice

__all__ = [
    "BinaryCrossEntropy",
    "CrossEntropy",
    "SoftmaxCrossEntropy",
    "SquaredError",
    "log_softmax",
    "softmax",
]


def log_softmax(z, axis=-1):
    """Numerically stable log softmax along ``axis``."""
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def softmax(z, axis=-1):
    """Numerically stable softmax along ``axis``."""
    e = z - z.max(axis=axis, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _pred(y_pred):
    y_pred = np.asarray(y_pred)
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(np.float64)
    return y_pred


def _class_targets(y_true, y_pred):
    """Integer labels (n,) or target rows shaped like ``y_pred`` (validated)."""
    y_true = np.asarray(y_true)
    if y_pred.ndim != 2:
        raise ValueError(f"class scores must be 2-D (n_examples, n_classes), got shape {y_pred.shape}")
    if y_true.ndim == 1:
        if not np.issubdtype(y_true.dtype, np.integer):
            if not np.all(np.mod(y_true, 1) == 0):
                raise ValueError("1-D class targets must be integer labels")
            y_true = y_true.astype(np.intp)
        if len(y_true) != len(y_pred):
            raise ValueError(f"{len(y_true)} labels for {len(y_pred)} predictions")
        if y_true.size and (y_true.min() < 0 or y_true.max() >= y_pred.shape[1]):
            raise ValueError(f"labels must lie in [0, {y_pred.shape[1] - 1}], got range "
                             f"[{y_true.min()}, {y_true.max()}]")
        return y_true
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape}, expected labels ({len(y_pred)},) or {y_pred.shape}")
    return y_true.astype(y_pred.dtype, copy=False)


class _Reduced(Loss):
    def __init__(self, reduction: str = "mean"):
        self.reduction = check_choice(reduction, "reduction", ("mean", "sum"))

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        return {"y_true": rng.normal(size=(5, 3)), "y_pred": rng.normal(size=(5, 3))}


class SquaredError(_Reduced):
    """Squared error: mean (or sum) of (y_pred - y_true)^2 over every element.

    ``reduction="mean"`` is ``torch.nn.MSELoss()``; ``"sum"`` is ``MSELoss(reduction="sum")``
    (numpy-ml's SquaredError is half the sum).

    Notes
    -----
    dL/dy_pred = 2 (y_pred - y_true) / N, N the number of elements (1 for "sum").
    """

    def loss(self, y_true, y_pred):
        y_pred = _pred(y_pred)
        d = y_pred - np.asarray(y_true, dtype=y_pred.dtype).reshape(y_pred.shape)
        s = float(np.vdot(d, d))
        return s / d.size if self.reduction == "mean" else s

    def grad(self, y_true, y_pred):
        y_pred = _pred(y_pred)
        d = y_pred - np.asarray(y_true, dtype=y_pred.dtype).reshape(y_pred.shape)
        return d * (2.0 / d.size if self.reduction == "mean" else 2.0)


class SoftmaxCrossEntropy(_Reduced):
    """Cross-entropy of softmax(logits), fused and stable: ``torch.nn.CrossEntropyLoss``.

    ``loss(y_true, logits)`` with ``logits (n, K)`` and integer labels ``(n,)`` or target
    probability rows ``(n, K)``.

    Notes
    -----
    L = -sum_i sum_k y_ik log softmax(z_i)_k (divided by n for "mean");
    dL/dz = (softmax(z) - y) (divided by n), computed with the log-sum-exp shift.
    """

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        return {"y_true": rng.integers(0, 3, size=6), "y_pred": rng.normal(size=(6, 3))}

    def loss(self, y_true, y_pred):
        z = _pred(y_pred)
        y = _class_targets(y_true, z)
        logp = log_softmax(z)
        if y.ndim == 1:
            s = -float(logp[np.arange(len(y)), y].sum())
        else:
            s = -float(np.vdot(y, logp))
        return s / len(z) if self.reduction == "mean" else s

    def loss_and_grad(self, y_true, y_pred):
        """``(loss, grad)`` sharing one softmax (what a training step needs)."""
        z = _pred(y_pred)
        y = _class_targets(y_true, z)
        logp = log_softmax(z)
        g = np.exp(logp)
        if y.ndim == 1:
            rows = np.arange(len(y))
            s = -float(logp[rows, y].sum())
            g[rows, y] -= 1
        else:
            s = -float(np.vdot(y, logp))
            g *= y.sum(axis=1, keepdims=True)
            g -= y
        if self.reduction == "mean":
            s /= len(z)
            g /= len(z)
        return s, g

    def grad(self, y_true, y_pred):
        z = _pred(y_pred)
        y = _class_targets(y_true, z)
        g = softmax(z)
        if y.ndim == 1:
            g[np.arange(len(y)), y] -= 1
        else:
            # target rows need not sum to one: dL/dz_j = p_j * sum_k y_k - y_j
            g *= y.sum(axis=1, keepdims=True)
            g -= y
        if self.reduction == "mean":
            g /= len(z)
        return g


class CrossEntropy(_Reduced):
    """Cross-entropy of probabilities: L = -sum y log(p) (``torch.nn.NLLLoss`` of log p).

    ``y_pred (n, K)`` holds probabilities (for example a softmax layer's output).
    Probabilities are clipped at the smallest positive float of their dtype inside
    the log so a zero probability gives a large finite loss.

    Notes
    -----
    dL/dp = -y / p (divided by n for "mean"); for logits use ``softmax_cross_entropy``.
    """

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        p = rng.uniform(0.1, 1, size=(6, 3))
        return {"y_true": rng.integers(0, 3, size=6), "y_pred": p / p.sum(1, keepdims=True)}

    def loss(self, y_true, y_pred):
        p = _pred(y_pred)
        y = _class_targets(y_true, p)
        tiny = np.finfo(p.dtype).tiny
        if y.ndim == 1:     # labels: only the true class's probability enters
            s = -float(np.log(np.maximum(p[np.arange(len(y)), y], tiny)).sum())
        else:
            s = -float(np.vdot(y, np.log(np.maximum(p, tiny))))
        return s / len(p) if self.reduction == "mean" else s

    def grad(self, y_true, y_pred):
        p = _pred(y_pred)
        y = _class_targets(y_true, p)
        tiny = np.finfo(p.dtype).tiny
        scale = 1.0 / len(p) if self.reduction == "mean" else 1.0
        if y.ndim == 1:
            g = np.zeros_like(p)
            rows = np.arange(len(y))
            g[rows, y] = -scale / np.maximum(p[rows, y], tiny)
            return g
        g = -y / np.maximum(p, tiny)
        if scale != 1.0:
            g *= scale
        return g


class BinaryCrossEntropy(_Reduced):
    """Binary cross-entropy of probabilities: ``torch.nn.BCELoss``.

    L = -[y log p + (1 - y) log(1 - p)], mean over every element (or sum); the logs are
    clamped at -100 as in PyTorch, so p = 0 or 1 gives a finite loss.

    Notes
    -----
    dL/dp = (p - y) / (p (1 - p)) (divided by the number of elements for "mean"), with
    the denominator kept away from zero (PyTorch clamps it at 1e-12).
    """

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        return {"y_true": rng.integers(0, 2, size=(6, 2)).astype(float), "y_pred": rng.uniform(0.1, 0.9, (6, 2))}

    def _check(self, y_true, y_pred):
        p = _pred(y_pred)
        y = np.asarray(y_true, dtype=p.dtype)
        if y.shape != p.shape:
            raise ValueError(f"y_true has shape {y.shape}, expected {p.shape}")
        # written so that NaN fails the test (NaN < 0 and NaN > 1 are both False), as torch raises
        if p.size and not (p.min() >= 0 and p.max() <= 1):
            bad = "NaN" if np.isnan(p).any() else f"values in [{p.min()}, {p.max()}]"
            raise ValueError(f"binary_cross_entropy needs probabilities in [0, 1], got {bad} in y_pred; "
                             "apply a sigmoid first")
        if y.size and not np.isfinite(y).all():
            raise ValueError("binary_cross_entropy needs finite targets, got NaN or infinity in y_true")
        return y, p

    def loss(self, y_true, y_pred):
        y, p = self._check(y_true, y_pred)
        with np.errstate(divide="ignore"):
            lp = np.maximum(np.log(p), -100)
            lq = np.maximum(np.log1p(-p), -100)
        s = -float(np.sum(y * lp + (1 - y) * lq))
        return s / p.size if self.reduction == "mean" else s

    def grad(self, y_true, y_pred):
        y, p = self._check(y_true, y_pred)
        g = (p - y) / np.maximum(p * (1 - p), 1e-12)
        return g / p.size if self.reduction == "mean" else g
