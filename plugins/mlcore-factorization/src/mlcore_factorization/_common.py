"""Helpers shared by the factorisation estimators."""

from __future__ import annotations

import numpy as np

from mlcore.progress import progress_iter  # noqa: F401  (re-exported for als/nmf)


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
