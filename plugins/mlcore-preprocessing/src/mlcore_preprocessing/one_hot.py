"""One-hot encoding of categorical labels."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_choice, check_is_fitted

__all__ = ["OneHotEncoder"]


def _labels(y, name="y"):
    a = np.asarray(y)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence of labels, got shape {a.shape}")
    if a.dtype.hasobject:  # a pandas column: all strings or all numbers is fine, a mix is not
        if a.size and all(isinstance(v, str) for v in a):
            a = a.astype(str)
        elif a.size and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                            for v in a):
            a = a.astype(np.float64)
            if np.all(a == np.round(a)) and np.isfinite(a).all():
                a = a.astype(np.int64)
        else:
            raise TypeError(f"{name} mixes label types (object array); use all strings or all numbers")
    if a.dtype.kind not in "biufU":
        raise TypeError(f"{name} must hold numbers, booleans or strings, got dtype {a.dtype}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return a


class OneHotEncoder(Estimator):
    """Encode labels as one-hot rows: label ``c`` -> unit vector ``e_{index(c)}``.

    Parameters
    ----------
    categories : list or None
        The categories in column order; None learns them in ``fit`` as the sorted
        distinct labels (a stable order, independent of the order of appearance).
    handle_unknown : {"error", "ignore"}
        What :meth:`transform` does with a label outside the categories: raise
        ``ValueError``, or encode it as a row of zeros.

    Attributes
    ----------
    categories_ : ndarray, shape (n_categories,)
        Column ``j`` stands for ``categories_[j]``.

    Example
    -------
    >>> enc = OneHotEncoder().fit(["b", "a", "c", "a"])
    >>> enc.transform(["c", "a"]).tolist(), enc.inverse_transform([[0, 1, 0]]).tolist()
    ([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], ['b'])
    """

    _estimator_type = "transformer"
    #: input: category columns (strings or integers), not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True, "categorical": True}

    def __init__(self, categories: list | None = None, handle_unknown: str = "error"):
        self.categories = categories
        self.handle_unknown = handle_unknown

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        check_choice(self.handle_unknown, "handle_unknown", ("error", "ignore"))
        if self.categories is not None:
            from mlcore.errors import ComponentArgumentError

            try:
                cats = _labels(self.categories, "categories")
            except (TypeError, ValueError) as exc:
                raise ComponentArgumentError(str(exc)) from None
            if len(np.unique(cats)) != len(cats) or len(cats) == 0:
                raise ComponentArgumentError(f"categories must be distinct and non-empty, got {self.categories!r}")

    def fit(self, X, y=None):
        """Learn the categories of the labels ``X (n,)``; returns self."""
        y = _labels(X, "X")
        if len(y) == 0:
            raise ValueError("fit needs at least one label")
        if self.categories is None:
            self.categories_ = np.unique(y)
        else:
            self.categories_ = _labels(self.categories, "categories")
            if self.handle_unknown == "error":
                self._indices(y)
        return self

    def _indices(self, y):
        """Column of each label (-1 for unknown labels when ignored)."""
        cats = self.categories_
        if (cats.dtype.kind == "U") != (y.dtype.kind == "U"):
            raise TypeError(f"labels of dtype {y.dtype} cannot match categories of dtype {cats.dtype}")
        order = np.argsort(cats, kind="stable")
        pos = np.searchsorted(cats, y, sorter=order)
        pos = np.minimum(pos, len(cats) - 1)
        idx = order[pos]
        known = cats[idx] == y
        if not known.all():
            if self.handle_unknown == "error":
                bad = np.unique(y[~known])[:5].tolist()
                raise ValueError(f"unknown labels {bad}; known categories: {cats.tolist()[:20]} "
                                 "(use handle_unknown='ignore' to encode them as zero rows)")
            idx = np.where(known, idx, -1)
        return idx

    def transform(self, X):
        """One-hot matrix ``(n, n_categories)`` of float64."""
        check_is_fitted(self, "categories_")
        idx = self._indices(_labels(X, "X"))
        out = np.zeros((len(idx), len(self.categories_)))
        rows = np.flatnonzero(idx >= 0)
        out[rows, idx[rows]] = 1.0
        return out

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def inverse_transform(self, Y):
        """Labels from one-hot (or score) rows: the category of each row's largest entry."""
        check_is_fitted(self, "categories_")
        Y = np.asarray(Y, dtype=float)
        if Y.ndim != 2 or Y.shape[1] != len(self.categories_):
            raise ValueError(f"Y must have shape (n, {len(self.categories_)}), got {Y.shape}")
        if (Y.max(axis=1, initial=0) <= 0).any():
            raise ValueError("rows of zeros (unknown labels) cannot be decoded")
        return self.categories_[Y.argmax(axis=1)]

    @classmethod
    def conformance_example(cls):
        return {"spec": "one_hot_encoder(handle_unknown='ignore')",
                "fit": (np.array(["red", "green", "blue", "green", "red"]),)}
