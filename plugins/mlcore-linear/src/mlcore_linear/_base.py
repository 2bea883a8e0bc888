"""Shared helpers of the linear family: input checks, centring, ``score`` mix-ins."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_array, check_is_fitted, check_X_y

__all__ = [
    "ClassifierMixin",
    "RegressorMixin",
    "check_classification_targets",
    "check_features",
    "check_sample_weight",
    "weighted_mean",
]


def check_sample_weight(sample_weight, n_samples: int, name: str = "sample_weight"):
    """``None`` or a validated float64 vector ``(n_samples,)`` of non-negative finite weights."""
    if sample_weight is None:
        return None
    sw = check_array(sample_weight, name=name, ndim=(0, 1), dtype=np.float64)
    if sw.ndim == 0:
        sw = np.full(n_samples, float(sw))
    if sw.shape[0] != n_samples:
        raise ValueError(f"{name} has {sw.shape[0]} entries but X has {n_samples} samples")
    if np.any(sw < 0):
        raise ValueError(f"{name} must be non-negative")
    if not sw.sum() > 0:
        raise ValueError(f"{name} must have a positive sum")
    return sw


def weighted_mean(A, sample_weight):
    """Column means of ``A`` ``(n, ...)`` weighted by ``sample_weight`` (or plain means)."""
    if sample_weight is None:
        return A.mean(axis=0)
    return (sample_weight @ A.reshape(len(A), -1)).reshape(A.shape[1:]) / sample_weight.sum()


def check_features(estimator, X, attribute: str = "coef_"):
    """Validate ``X`` for a fitted estimator: 2-D, finite, ``n_features_in_`` columns."""
    check_is_fitted(estimator, attribute)
    X = check_array(X, name="X", ndim=2)
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(estimator).__name__} was fitted "
                         f"with {estimator.n_features_in_}")
    return X


def check_classification_targets(X, y):
    """Validate ``(X, y)`` for a classifier; returns ``X, classes, y_index``."""
    X, y = check_X_y(X, y, y_ndim=1, y_dtype=None)
    if y.dtype.kind == "f" and np.any(y != np.round(y)):
        raise ValueError("y holds continuous values; a classifier needs class labels")
    if y.dtype.kind not in "biufUSO":
        raise TypeError(f"class labels must be integers, floats or strings, got dtype {y.dtype}")
    if y.dtype.kind == "O":
        y = y.astype(str)
    classes, y_idx = np.unique(y, return_inverse=True)
    return X, classes, y_idx


class RegressorMixin:
    """``score`` = coefficient of determination R^2 (scikit-learn ``r2_score`` semantics)."""

    _estimator_type = "regressor"

    def score(self, X, y, sample_weight=None) -> float:
        """R^2 of ``predict(X)`` against ``y``, averaged uniformly over outputs.

        ``1 - sum w (y - y_hat)^2 / sum w (y - mean_w(y))^2``; a constant target gives
        1.0 when predicted exactly and 0.0 otherwise.
        """
        y = check_array(y, name="y", ndim=(1, 2))
        pred = np.asarray(self.predict(X), dtype=np.float64)
        if pred.shape != y.shape:
            pred = pred.reshape(y.shape)
        sw = check_sample_weight(sample_weight, len(y))
        w = np.ones(len(y)) if sw is None else sw
        y2 = y.reshape(len(y), -1)
        r = pred.reshape(len(y), -1) - y2
        ss_res = w @ (r * r)
        ss_tot = w @ (y2 - weighted_mean(y2, sw)) ** 2
        ok = ss_tot != 0
        r2 = np.where(ok, 1.0 - ss_res / np.where(ok, ss_tot, 1.0), np.where(ss_res == 0, 1.0, 0.0))
        return float(r2.mean())


class ClassifierMixin:
    """``score`` = (weighted) accuracy of ``predict(X)``."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy of ``predict(X)`` against the labels ``y``."""
        y = np.asarray(y)
        correct = (np.asarray(self.predict(X)) == y).astype(np.float64)
        sw = check_sample_weight(sample_weight, len(y))
        return float(correct.mean() if sw is None else sw @ correct / sw.sum())


def centring_shift(X, sw, fit_intercept):
    """Column means to subtract before fitting, or zeros.

    The intercept is not penalised, so fitting on ``X - shift`` and moving the intercept
    back (``b - W shift``) is the same model. Far from the origin (some column with
    ``mean^2 > 100 var``) the uncentred problem is so ill conditioned that L-BFGS stops
    far from the optimum (coefficients off by O(1) at an offset of 1e4); elsewhere the
    data are used as given, so ordinary fits follow scikit-learn's iterates.
    """
    if not fit_intercept:
        return np.zeros(X.shape[1])
    mean = weighted_mean(X, sw)
    var = weighted_mean((X - mean) ** 2, sw)
    return mean if np.any(mean * mean > 100 * var) else np.zeros(X.shape[1])
