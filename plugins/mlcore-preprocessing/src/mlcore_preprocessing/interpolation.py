"""Nearest-neighbour and bilinear interpolation, and batch image resampling.

Coordinates follow array indices: ``x`` is the column coordinate and ``y`` the row
coordinate of an image ``X[row, col, channel]``. Points outside the image are clamped to
the border.
"""

from __future__ import annotations

import numpy as np

from .spectral import _positive_int

__all__ = ["batch_resample", "bilinear_interpolate", "nn_interpolate_1d", "nn_interpolate_2d"]


def _image(X, ndim, name="X"):
    a = np.asarray(X)
    if a.dtype.hasobject or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if 0 in a.shape:
        raise ValueError(f"{name} is empty (shape {a.shape})")
    return a


def _coords(c, name):
    c = np.asarray(c, dtype=float)
    if not np.isfinite(c).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return c


def _nearest(c, n):
    return np.clip(np.floor(c + 0.5), 0, n - 1).astype(np.intp)  # round half up


def nn_interpolate_1d(X, t) -> np.ndarray:
    """Nearest-neighbour samples of a multichannel 1-D signal.

    Parameters
    ----------
    X : array_like, shape (L, ch)
    t : array_like, shape (k,)
        Fractional positions (rounded half up, clamped to ``[0, L - 1]``).

    Returns
    -------
    ndarray, shape (k, ch)
    """
    X = _image(X, 2)
    return X[_nearest(_coords(t, "t"), X.shape[0])]


def nn_interpolate_2d(X, x, y) -> np.ndarray:
    """Nearest-neighbour samples of an image at points ``(x_i, y_i)``.

    Parameters
    ----------
    X : array_like, shape (rows, cols, ch)
    x, y : array_like, shape (k,)
        Column and row coordinates.

    Returns
    -------
    ndarray, shape (k, ch)
    """
    X = _image(X, 3)
    return X[_nearest(_coords(y, "y"), X.shape[0]), _nearest(_coords(x, "x"), X.shape[1])]


def _split(c, n):
    """Lower neighbour index, upper index and fractional weight of each coordinate."""
    c = np.clip(c, 0, n - 1)
    i0 = np.minimum(np.floor(c).astype(np.intp), max(n - 2, 0))
    i1 = np.minimum(i0 + 1, n - 1)
    return i0, i1, c - i0


def bilinear_interpolate(X, x, y) -> np.ndarray:
    """Bilinear interpolation of an image at points ``(x_i, y_i)``.

    Parameters
    ----------
    X : array_like, shape (rows, cols, ch)
    x, y : array_like, shape (k,)
        Column and row coordinates (clamped to the image).

    Returns
    -------
    ndarray of float64, shape (k, ch)
        ``(1-a)(1-b) X[r, c] + (1-a) b X[r, c+1] + a (1-b) X[r+1, c] + a b X[r+1, c+1]`` with
        ``r = floor(y)``, ``a = y - r``, ``c = floor(x)``, ``b = x - c``; equal to
        ``scipy.ndimage.map_coordinates(X[..., j], [y, x], order=1)`` inside the image.
    """
    X = _image(X, 3)
    r0, r1, a = _split(_coords(y, "y"), X.shape[0])
    c0, c1, b = _split(_coords(x, "x"), X.shape[1])
    a, b = a[:, None], b[:, None]
    top = X[r0, c0] * (1 - b) + X[r0, c1] * b
    bottom = X[r1, c0] * (1 - b) + X[r1, c1] * b
    return top * (1 - a) + bottom * a


def batch_resample(X, new_dim, mode: str = "bilinear") -> np.ndarray:
    """Resize a batch of images.

    Parameters
    ----------
    X : array_like, shape (n, rows, cols, channels)
    new_dim : tuple of int
        ``(out_rows, out_cols)``.
    mode : {"bilinear", "neighbor"}

    Returns
    -------
    ndarray, shape (n, out_rows, out_cols, channels)
        float64 for ``"bilinear"``, ``X``'s dtype for ``"neighbor"``.

    Notes
    -----
    Output pixel ``(i, j)`` samples the input at ``(i (rows-1)/(out_rows-1),
    j (cols-1)/(out_cols-1))`` (corners aligned, as ``scipy.ndimage.zoom(order=1)``).
    Bilinear interpolation on a grid is separable: rows are interpolated first for every
    column, then columns, so the cost is a few whole-array operations.
    """
    X = _image(X, 4)
    if mode not in ("bilinear", "neighbor"):
        raise ValueError(f"mode must be 'bilinear' or 'neighbor', got {mode!r}")
    try:
        out_r, out_c = (_positive_int(int(v), "new_dim") for v in new_dim)
    except (TypeError, ValueError):
        raise ValueError(f"new_dim must be a pair of positive integers (out_rows, out_cols), got {new_dim!r}") \
            from None
    _, rows, cols, _ = X.shape
    yr = np.linspace(0, rows - 1, out_r)
    xc = np.linspace(0, cols - 1, out_c)
    if mode == "neighbor":
        return X[:, _nearest(yr, rows)][:, :, _nearest(xc, cols)]
    X = X.astype(np.float64, copy=False)
    r0, r1, a = _split(yr, rows)
    c0, c1, b = _split(xc, cols)
    A = X[:, r0]                 # (n, out_r, cols, ch): rows first
    D = X[:, r1]
    D -= A
    D *= a[:, None, None]
    A += D
    out = A[:, :, c0]            # (n, out_r, out_c, ch): then columns
    D = A[:, :, c1]
    D -= out
    D *= b[:, None]
    out += D
    return out
