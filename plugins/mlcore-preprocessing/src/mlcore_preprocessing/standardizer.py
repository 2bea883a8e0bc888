"""Feature standardisation (zero mean, unit variance)."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_array, check_is_fitted, check_scalar

__all__ = ["Standardizer"]


class Standardizer(Estimator):
    """Standardise features: ``Z = (X - mean) / std`` column by column.

    Parameters
    ----------
    with_mean : bool
        Subtract the column means.
    with_std : bool
        Divide by the column (population, ``ddof=0``) standard deviations. Constant
        columns get a scale of 1, so they map to 0 instead of dividing by zero.

    Attributes
    ----------
    mean_ : ndarray, shape (n_features,)
        Column means (zeros if not ``with_mean``).
    var_ : ndarray, shape (n_features,)
        Column variances.
    scale_ : ndarray, shape (n_features,)
        ``sqrt(var_)`` with zeros replaced by 1 (ones if not ``with_std``).
    n_features_in_ : int

    Notes
    -----
    Same as ``sklearn.preprocessing.StandardScaler``; ``inverse_transform(Z) = Z * scale_ +
    mean_`` recovers ``X``.

    Example
    -------
    >>> s = Standardizer().fit([[1.0, 5.0], [3.0, 5.0]])
    >>> s.transform([[2.0, 5.0]]).tolist(), s.inverse_transform([[1.0, 0.0]]).tolist()
    ([[0.0, 0.0]], [[3.0, 5.0]])
    """

    _estimator_type = "transformer"

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean = with_mean
        self.with_std = with_std
        check_scalar(with_mean, "with_mean", bool)
        check_scalar(with_std, "with_std", bool)

    def fit(self, X, y=None):
        """Learn column means and standard deviations of ``X (n_samples, n_features)``."""
        X = check_array(X, ndim=2)
        mean = X.mean(axis=0)
        var = X.var(axis=0)
        self.n_features_in_ = X.shape[1]
        self.var_ = var
        self.mean_ = mean if self.with_mean else np.zeros_like(mean)
        if self.with_std:
            scale = np.sqrt(var)
            # constant columns (up to rounding of the mean) keep a unit scale
            scale[scale <= 10 * np.finfo(scale.dtype).eps * np.maximum(np.abs(mean), 1.0)] = 1.0
        else:
            scale = np.ones_like(var)
        self.scale_ = scale
        return self

    def _check(self, X, name):
        check_is_fitted(self, "scale_")
        X = check_array(X, name=name, ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"{name} has {X.shape[1]} features; the standardizer was fitted with "
                             f"{self.n_features_in_}")
        return X

    def transform(self, X):
        """``(X - mean_) / scale_``."""
        return (self._check(X, "X") - self.mean_) / self.scale_

    def inverse_transform(self, Z):
        """``Z * scale_ + mean_``."""
        return self._check(Z, "Z") * self.scale_ + self.mean_

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(3.0, 2.0, size=(20, 4))
        X[:, 2] = 7.0
        return {"fit": (X,)}
