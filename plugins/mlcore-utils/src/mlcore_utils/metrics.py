"""Distance metrics (kind ``metric``): euclidean, manhattan, chebyshev, minkowski, hamming.

A metric is called on two vectors, ``metric(x, y) -> float``, and has a vectorised
``metric.pairwise(X, Y=None) -> (n, m)`` form. Both equal the corresponding
``scipy.spatial.distance`` function (``cityblock`` for manhattan) and compute exact
differences (no ``||x||^2 + ||y||^2 - 2 x.y`` cancellation).

Neighbour searches (:class:`mlcore_utils.BallTree`, :func:`mlcore_utils.knn_brute`) use
the *reduced distance* of a metric, a cheaper monotone transform of it (the squared
distance for euclidean, ``sum |x - y|^p`` for minkowski), through the private methods
``_rdist_block``, ``_rdist_to_dist`` and ``_dist_to_rdist``.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod

import numpy as np

from mlcore.interfaces import Component
from mlcore.validation import check_array, check_scalar

__all__ = ["Chebyshev", "Euclidean", "Hamming", "Manhattan", "Metric", "Minkowski", "get_metric"]

_BLOCK = 1 << 21  # elements of the (rows, m, d) difference tensor computed at once

_EXAMPLE = np.random.default_rng(0).normal(size=(2, 4))


def get_metric(metric):
    """A metric object from a metric, a spec string (``"minkowski(p=3)"``) or None (euclidean)."""
    if metric is None:
        return Euclidean()
    if isinstance(metric, Metric):
        return metric
    if isinstance(metric, str):
        import mlcore

        return mlcore.build(metric, kind="metric")
    raise TypeError(f"metric must be a metric component or a spec string, got {type(metric).__name__}")


class Metric(Component, ABC):
    """Interface of the ``metric`` kind: a distance between vectors.

    Subclasses implement ``_reduce(diff)`` (distance from the last axis of a difference
    array) and may override the reduced-distance hooks used by neighbour searches.
    """

    #: True when ``_rdist_block`` uses the ``||x||^2 + ||y||^2 - 2 x.y`` expansion (approximate
    #: near 0); searches then recompute the distances of the selected neighbours exactly.
    _gemm = False
    #: whether the metric is computed on numeric arrays (hamming also accepts labels)
    _numeric = True
    _required = ("__call__", "pairwise")   # the contract the conformance kit checks

    @classmethod
    def conformance_example(cls):
        return {"input": (_EXAMPLE[0], _EXAMPLE[1])}

    def __call__(self, x, y):
        """Distance between two vectors ``x`` and ``y`` of the same length (float)."""
        x = self._check(x, "x", 1)
        y = self._check(y, "y", 1)
        if x.shape != y.shape:
            raise ValueError(f"x and y must have the same length, got {x.shape[0]} and {y.shape[0]}")
        return float(self._reduce((x - y) if self._numeric else (x != y)))

    def pairwise(self, X, Y=None):
        """Distances between every row of ``X`` (n, d) and every row of ``Y`` (m, d): (n, m).

        ``Y = None`` means ``Y = X``.
        """
        X = self._check(X, "X", 2)
        Y = X if Y is None else self._check(Y, "Y", 2)
        if X.shape[1] != Y.shape[1]:
            raise ValueError(f"X and Y must have the same number of columns, got {X.shape[1]} and {Y.shape[1]}")
        return self._rdist_to_dist(self._exact_rdist(X, Y))

    # ------------------------------------------------------------------ internals
    def _check(self, X, name, ndim):
        return check_array(X, name=name, ndim=ndim, dtype="numeric" if self._numeric else None)

    @abstractmethod
    def _reduce(self, diff):
        """Distance along the last axis of ``x - y`` (or of ``x != y`` for hamming)."""

    def _reduce_r(self, diff):
        """Reduced distance along the last axis (default: the distance itself)."""
        return self._reduce(diff)

    def _exact_rdist(self, X, Y):
        out = np.empty((X.shape[0], Y.shape[0]))
        step = max(1, _BLOCK // max(1, Y.shape[0] * X.shape[1]))
        # blocks of rows bound the memory of the (rows, m, d) difference tensor
        for s in range(0, X.shape[0], step):
            Xb = X[s:s + step, None, :]
            out[s:s + step] = self._reduce_r(Xb - Y[None] if self._numeric else Xb != Y[None])
        return out

    def _rowwise(self, X, Y):
        """Distances between matching rows of ``X`` and ``Y`` (both (n, d)) -> (n,)."""
        return self._reduce((X - Y) if self._numeric else (X != Y))

    def _rdist_block(self, Q, P, Q_sq=None, P_sq=None):
        """Reduced distances (nq, m) between query rows and points; may be approximate if ``_gemm``."""
        return self._exact_rdist(Q, P)

    def _rdist_to_dist(self, r):
        return r

    def _dist_to_rdist(self, d):
        return d

    def _box_accumulate(self, acc, gap):
        """Add one coordinate's non-negative gaps (modified in place) to a reduced-distance sum."""
        acc += gap
        return acc

    def _box_to_dist(self, acc, n_features):
        """Distance from the accumulated gaps of :meth:`_box_accumulate`."""
        return self._rdist_to_dist(acc)


class Euclidean(Metric):
    """Euclidean distance ``sqrt(sum_j (x_j - y_j)^2)`` (= ``scipy.spatial.distance.euclidean``).

    Example
    -------
    >>> import mlcore
    >>> mlcore.build("euclidean", kind="metric")([0.0, 0.0], [3.0, 4.0])
    5.0
    """

    _gemm = True

    def _reduce(self, diff):
        return np.sqrt(np.einsum("...j,...j->...", diff, diff))

    def _reduce_r(self, diff):
        return np.einsum("...j,...j->...", diff, diff)

    def _rdist_block(self, Q, P, Q_sq=None, P_sq=None):
        # the expansion's error is eps (||q||^2 + ||p||^2): centre on the points' mean unless
        # the caller passes norms (of data it has centred itself)
        if Q_sq is None and P_sq is None and len(P):
            shift = P.mean(axis=0)
            Q, P = Q - shift, P - shift
        Q_sq = np.einsum("ij,ij->i", Q, Q) if Q_sq is None else Q_sq
        P_sq = np.einsum("ij,ij->i", P, P) if P_sq is None else P_sq
        D = Q @ P.T
        D *= -2.0
        D += Q_sq[:, None]
        D += P_sq[None, :]
        return np.maximum(D, 0.0, out=D)

    def _rdist_to_dist(self, r):
        return np.sqrt(r)

    def _dist_to_rdist(self, d):
        return np.square(d)

    def _box_accumulate(self, acc, gap):
        gap *= gap
        acc += gap
        return acc


class Manhattan(Metric):
    """Manhattan (city-block, L1) distance ``sum_j |x_j - y_j|`` (= ``scipy ... cityblock``).

    Example
    -------
    >>> import mlcore
    >>> mlcore.build("manhattan", kind="metric")([0.0, 0.0], [3.0, -4.0])
    7.0
    """

    def _reduce(self, diff):
        return np.abs(diff).sum(axis=-1)


class Chebyshev(Metric):
    """Chebyshev (L-infinity) distance ``max_j |x_j - y_j|`` (= ``scipy.spatial.distance.chebyshev``).

    Example
    -------
    >>> import mlcore
    >>> mlcore.build("chebyshev", kind="metric")([0.0, 0.0], [3.0, -4.0])
    4.0
    """

    def _reduce(self, diff):
        return np.abs(diff).max(axis=-1)

    def _box_accumulate(self, acc, gap):
        return np.maximum(acc, gap, out=acc)


class Minkowski(Metric):
    """Minkowski distance ``(sum_j |x_j - y_j|^p)^(1/p)`` (= ``scipy.spatial.distance.minkowski``).

    Parameters
    ----------
    p : float, default 2
        Order, ``p >= 1`` (a metric only then); ``p = inf`` gives the Chebyshev distance.
        ``p = 2`` uses the Euclidean fast path in neighbour searches.

    Example
    -------
    >>> import mlcore
    >>> mlcore.build("minkowski(p=1)", kind="metric")([0.0, 0.0], [3.0, -4.0])
    7.0
    """

    def __init__(self, p: float = 2):
        self.p = check_scalar(p, "p", numbers.Real, low=1, allow_inf=True)

    @property
    def _gemm(self):
        return self.p == 2

    def _reduce(self, diff):
        return self._rdist_to_dist(self._reduce_r(diff))

    def _reduce_r(self, diff):
        a = np.abs(diff)
        if np.isinf(self.p):
            return a.max(axis=-1)
        if self.p == 1:
            return a.sum(axis=-1)
        if self.p == 2:
            return np.einsum("...j,...j->...", a, a)
        return (a ** self.p).sum(axis=-1)

    def _rdist_block(self, Q, P, Q_sq=None, P_sq=None):
        if self.p == 2:
            return Euclidean._rdist_block(self, Q, P, Q_sq, P_sq)
        return self._exact_rdist(Q, P)

    def _box_accumulate(self, acc, gap):
        if np.isinf(self.p):
            return np.maximum(acc, gap, out=acc)
        if self.p == 2:
            gap *= gap
        elif self.p != 1:
            gap **= self.p
        acc += gap
        return acc

    def _rdist_to_dist(self, r):
        if np.isinf(self.p) or self.p == 1:
            return r
        return np.sqrt(r) if self.p == 2 else r ** (1.0 / self.p)

    def _dist_to_rdist(self, d):
        if np.isinf(self.p) or self.p == 1:
            return d
        return np.asarray(d, dtype=float) ** self.p


class Hamming(Metric):
    """Hamming distance: the fraction of differing entries (= ``scipy.spatial.distance.hamming``).

    Accepts numeric arrays and arrays of labels (strings, integers).

    Example
    -------
    >>> import mlcore
    >>> mlcore.build("hamming", kind="metric")([1, 0, 1, 1], [1, 1, 1, 0])
    0.5
    """

    _numeric = False

    def _reduce(self, diff):
        return diff.mean(axis=-1)

    def _box_accumulate(self, acc, gap):
        acc += gap > 0
        return acc

    def _box_to_dist(self, acc, n_features):
        return acc / n_features
