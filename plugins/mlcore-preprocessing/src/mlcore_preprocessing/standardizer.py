"""Feature standardisation (zero mean, unit variance)."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Estimator, TransformerMixin
from mlcore.validation import check_array, check_is_fitted

__all__ = ["Standardizer"]


def _sparse(X) -> bool:
    import sys

    sp = sys.modules.get("scipy.sparse")
    return sp is not None and sp.issparse(X)


class Standardizer(TransformerMixin, Estimator):
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

    _parameter_constraints = {"with_mean": bool, "with_std": bool}  # noqa: RUF012 (read-only class data)

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean = with_mean
        self.with_std = with_std

    def mlcore_tags(self) -> dict:
        """Sparse CSR/CSC input is accepted (and kept sparse) with ``with_mean=False``."""
        tags = super().mlcore_tags()
        tags["sparse"] = self.with_mean is False
        return tags

    def fit(self, X, y=None):
        """Learn column means and standard deviations of ``X (n_samples, n_features)``."""
        if self.with_mean and _sparse(X):
            raise TypeError("standardizer(with_mean=True) does not accept sparse input: centring would make it "
                            "dense; use standardizer(with_mean=False) to scale sparse data")
        X = self._validate_data(X)
        if _sparse(X):  # moments from sparse products; X is never densified
            mean = np.asarray(X.mean(axis=0)).ravel()
            var = np.maximum(np.asarray(X.multiply(X).mean(axis=0)).ravel() - mean ** 2, 0.0)
        else:
            mean = X.mean(axis=0)
            var = X.var(axis=0)
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
        X = check_array(X, name=name, ndim=2, accept_sparse=not self.with_mean, estimator=self)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"{name} has {X.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input")
        return X

    def transform(self, X):
        """``(X - mean_) / scale_`` (sparse input stays sparse: only scaled)."""
        X = self._check(X, "X")
        if _sparse(X):
            import scipy.sparse as sp

            return (X @ sp.diags(1.0 / self.scale_)).asformat(X.format)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, Z):
        """``Z * scale_ + mean_``."""
        Z = self._check(Z, "Z")
        if _sparse(Z):
            import scipy.sparse as sp

            return (Z @ sp.diags(self.scale_)).asformat(Z.format)
        return Z * self.scale_ + self.mean_

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(3.0, 2.0, size=(20, 4))
        X[:, 2] = 7.0
        return {"fit": (X,)}
