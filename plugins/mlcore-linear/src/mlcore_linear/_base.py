"""Shared helpers of the linear family: centring and weighted means.

Input validation, ``score`` and ``classes_`` handling come from the core mixins
(:class:`mlcore.interfaces.RegressorMixin`, :class:`~mlcore.interfaces.ClassifierMixin`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["centring_shift", "is_sparse", "weighted_mean"]


def is_sparse(X) -> bool:
    """Whether ``X`` is a scipy.sparse matrix or array."""
    import sys

    sp = sys.modules.get("scipy.sparse")
    return sp is not None and sp.issparse(X)


def weighted_mean(A, sample_weight):
    """Column means of ``A`` ``(n, ...)`` weighted by ``sample_weight`` (or plain means)."""
    if sample_weight is None:
        return A.mean(axis=0)
    return (sample_weight @ A.reshape(len(A), -1)).reshape(A.shape[1:]) / sample_weight.sum()


def centring_shift(X, sw, fit_intercept):
    """Column means to subtract before fitting, or zeros.

    The intercept is not penalised, so fitting on ``X - shift`` and moving the intercept
    back (``b - W shift``) is the same model. Far from the origin (some column with
    ``mean^2 > 100 var``) the uncentred problem is so ill conditioned that L-BFGS stops
    far from the optimum (coefficients off by O(1) at an offset of 1e4); elsewhere the
    data are used as given, so ordinary fits follow scikit-learn's iterates.
    """
    if not fit_intercept or is_sparse(X):  # sparse input is never centred (it would densify)
        return np.zeros(X.shape[1])
    mean = weighted_mean(X, sw)
    var = weighted_mean((X - mean) ** 2, sw)
    return mean if np.any(mean * mean > 100 * var) else np.zeros(X.shape[1])


def sparse_least_squares(X, Y, sw, fit_intercept: bool, alpha=0.0):
    """Weighted (ridge) least squares for a scipy.sparse ``X`` without densifying it.

    Minimises ``sum_i w_i ||y_i - b - B^T x_i||^2 + alpha ||B||^2`` by LSQR (Paige and
    Saunders 1982) on the implicitly centred, row-weighted design: the operator
    ``v -> W^{1/2} (X - 1 x_bar^T) v`` is applied with sparse products only. ``alpha``
    is a scalar or one value per column of ``Y``.

    Returns
    -------
    B : ndarray (m, K)
    x_off : ndarray (m,)
    y_off : ndarray (K,)
    """
    import scipy.sparse as sp
    from scipy.sparse.linalg import LinearOperator, lsqr

    n, m = X.shape
    w = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    if fit_intercept:
        x_off = np.asarray(X.T @ w).ravel() / w.sum()
        y_off = w @ Y / w.sum()
    else:
        x_off, y_off = np.zeros(m), np.zeros(Y.shape[1])
    s = np.sqrt(w)
    Xs = sp.csr_matrix(sp.diags(s) @ X)
    A = LinearOperator((n, m), dtype=np.float64,
                       matvec=lambda v: Xs @ np.ravel(v) - s * (x_off @ np.ravel(v)),
                       rmatvec=lambda u: Xs.T @ np.ravel(u) - x_off * (s @ np.ravel(u)))
    alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (Y.shape[1],))
    cols = [lsqr(A, s * (Y[:, k] - y_off[k]), damp=float(np.sqrt(alphas[k])), atol=1e-12, btol=1e-12,
                 iter_lim=max(10 * m, 1000))[0] for k in range(Y.shape[1])]
    return np.column_stack(cols), x_off, y_off
