"""Helpers shared by the factorisation estimators."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import TransformerMixin
from mlcore.validation import check_array, check_is_fitted


def random_factors(X, k, rng):
    """``W (n, k)`` and ``H (k, m)`` uniform on ``[0, sqrt(mean|X| / k))``."""
    scale = np.sqrt(np.abs(X).mean() / k) or 1.0
    return rng.random((X.shape[0], k)) * scale, rng.random((k, X.shape[1])) * scale


def check_factor(value, name, shape):
    """Validate a user-given initial factor (copied)."""
    from mlcore.validation import check_array

    arr = check_array(value, name=name, ndim=2).astype(np.float64)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


class _Factorization(TransformerMixin):
    """What ALS and NMF share once fitted: ``X ~ W H`` with ``embedding_ = W``, ``components_ = H``."""

    def fit_transform(self, X, y=None, **kwargs):
        """``fit(X)`` and return the training factor ``W``."""
        return self.fit(X, **kwargs).embedding_

    def inverse_transform(self, W):
        """Reconstruction ``W H`` (n, m)."""
        check_is_fitted(self, "components_")
        return check_array(W, name="W", ndim=2) @ self.components_
