"""Centred (weighted) Gram matrices without a centred copy of the data."""

from __future__ import annotations

import numpy as np

__all__ = ["centred_gram"]

_CHUNK = 4096   # rows per block: the centred block stays in cache (4096 x 50 doubles = 1.6 MB)


def centred_gram(X, Y, sample_weight=None, fit_intercept=True):
    """``Xc^T W Xc`` and ``Xc^T W Yc`` with ``Xc = X - x_bar_w`` (weighted column means).

    Parameters
    ----------
    X : ndarray (n, m)
    Y : ndarray (n, k)
    sample_weight : ndarray (n,) or None
    fit_intercept : bool
        Centre (True) or use the raw data (False).

    Returns
    -------
    G : ndarray (m, m)
    H : ndarray (m, k)
    x_off : ndarray (m,)
    y_off : ndarray (k,)

    Notes
    -----
    Centring is done block by block into a reused buffer, so no ``n x m`` temporary is
    allocated and the result is as accurate as centring the whole matrix first (unlike
    ``X^T X - n x_bar x_bar^T``, which cancels catastrophically for large offsets). The
    column means use a matrix-vector product (BLAS) rather than ``X.mean(axis=0)``.
    The loop runs over row blocks (about n / 4096 iterations), not over samples.
    """
    n, m = X.shape
    k = Y.shape[1]
    if fit_intercept:
        if sample_weight is None:
            total = float(n)
            x_off = (np.ones(n) @ X) / total
            y_off = (np.ones(n) @ Y) / total
        else:
            total = float(sample_weight.sum())
            x_off = (sample_weight @ X) / total
            y_off = (sample_weight @ Y) / total
    else:
        x_off, y_off = np.zeros(m), np.zeros(k)
    if not fit_intercept and sample_weight is None:
        return X.T @ X, X.T @ Y, x_off, y_off
    G = np.zeros((m, m))
    H = np.zeros((m, k))
    bx = np.empty((min(_CHUNK, n), m))
    for start in range(0, n, _CHUNK):
        xb = X[start:start + _CHUNK]
        yb = Y[start:start + _CHUNK] - y_off
        cb = bx[:len(xb)]
        np.subtract(xb, x_off, out=cb)
        if sample_weight is not None:
            s = np.sqrt(sample_weight[start:start + _CHUNK])[:, None]
            cb *= s
            yb *= s
        G += cb.T @ cb
        H += cb.T @ yb
    return G, H, x_off, y_off
