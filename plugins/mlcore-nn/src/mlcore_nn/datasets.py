"""The bundled 8x8 handwritten digits (UCI optdigits test set, as shipped by scikit-learn).

``data/digits.npz`` holds the 1,797 images of ``sklearn.datasets.load_digits`` (BSD-3
licensed, from the UCI ML repository's "Optical Recognition of Handwritten Digits"
data, Alpaydin and Kaynak 1998) as uint8 values 0..16, written once with
``np.savez_compressed`` (45 KB).
"""

from __future__ import annotations

import os

import numpy as np

__all__ = ["load_digits"]


def load_digits(test_size: float = 0.2, random_state=0, flat: bool = False):
    """The digits, scaled to [0, 1] and split into train and test sets.

    Parameters
    ----------
    test_size : float
        Fraction of examples in the test set.
    random_state : int
        Seed of the shuffle before the split.
    flat : bool
        Images as 64-vectors (for an MLP) instead of ``(8, 8, 1)`` (for a CNN).

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        X of shape (n, 8, 8, 1) or (n, 64), float64; y int labels 0..9.
    """
    path = os.path.join(os.path.dirname(__file__), "data", "digits.npz")
    with np.load(path, allow_pickle=False) as f:
        X = f["images"].astype(np.float64) / 16.0
        y = f["target"].astype(np.intp)
    X = X.reshape(len(X), -1) if flat else X[..., None]
    order = np.random.default_rng(random_state).permutation(len(X))
    n_test = round(test_size * len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]
