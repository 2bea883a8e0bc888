"""Brute-force k-nearest-neighbour search and the top-k helpers shared with the ball tree."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.validation import check_scalar

from .metrics import get_metric

__all__ = ["knn_brute"]

_CHUNK_ELEMENTS = 1 << 20  # distances held at once by the brute-force search (8 MB)


def merge_topk(best_r, best_i, cand_r, cand_i, k):
    """Keep the ``k`` smallest of ``best`` and ``cand`` row-wise (unsorted)."""
    R = np.concatenate([best_r, cand_r], axis=1)
    I = np.concatenate([best_i, np.broadcast_to(cand_i, cand_r.shape)], axis=1)
    part = np.argpartition(R, k - 1, axis=1)[:, :k]
    return np.take_along_axis(R, part, 1), np.take_along_axis(I, part, 1)


def exact_sorted(metric, Q, data, cand_i, k, labels=None):
    """Exact distances of candidate neighbours, the ``k`` best sorted by (distance, index).

    Parameters
    ----------
    metric : Metric
    Q : ndarray (nq, d)
    data : ndarray (n, d)
        Points that ``cand_i`` indexes.
    cand_i : ndarray of int (nq, c), c >= k
    labels : ndarray of int (n,), optional
        Index reported for each row of ``data`` (default: the row number).

    Returns
    -------
    dist : ndarray (nq, k)
    ind : ndarray (nq, k)
    """
    labels = np.arange(len(data)) if labels is None else labels
    ind = labels[cand_i]
    pts = data[cand_i]                                    # (nq, c, d)
    diff = pts - Q[:, None, :] if metric._numeric else pts != Q[:, None, :]
    dist = metric._reduce(diff)
    order = np.argsort(ind, axis=1)                       # ties resolved by the smaller index
    ind = np.take_along_axis(ind, order, 1)
    dist = np.take_along_axis(dist, order, 1)
    order = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(dist, order, 1), np.take_along_axis(ind, order, 1)


def _smallest_k(R, k):
    """Column indices of the ``k`` smallest entries of every row of ``R`` (unsorted).

    The k-th smallest value among the first ``m`` columns bounds each row's k-th smallest
    from above, so only the entries below it (about ``k n / m`` per row) are candidates:
    a comparison and ``nonzero`` over ``R`` replace a full ``argpartition``.
    """
    n_rows, n = R.shape
    m = max(64 * k, 512)
    if n < 4 * m:
        return np.argpartition(R, k - 1, axis=1)[:, :k] if k < n else np.broadcast_to(np.arange(n), R.shape)
    thr = np.partition(R[:, :m], k - 1, axis=1)[:, k - 1]
    rows, cols = np.nonzero(R <= thr[:, None])
    counts = np.bincount(rows, minlength=n_rows)
    pos = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    cand_r = np.full((n_rows, counts.max()), np.inf)
    cand_i = np.zeros((n_rows, counts.max()), dtype=np.intp)
    cand_r[rows, pos] = R[rows, cols]
    cand_i[rows, pos] = cols
    part = np.argpartition(cand_r, k - 1, axis=1)[:, :k] if k < cand_r.shape[1] else \
        np.broadcast_to(np.arange(cand_r.shape[1]), cand_r.shape)[:, :k]
    return np.take_along_axis(cand_i, part, 1)


def knn_brute(X, Q, k=1, metric=None, return_distance=True):
    """The ``k`` nearest rows of ``X`` for every row of ``Q`` by exhaustive search.

    Parameters
    ----------
    X : array-like (n, d)
        Points searched.
    Q : array-like (nq, d)
        Query points.
    k : int
        Neighbours per query, ``1 <= k <= n``.
    metric : Metric, spec string or None
        Distance (default euclidean).
    return_distance : bool

    Returns
    -------
    dist : ndarray (nq, k)
        Sorted ascending (only if ``return_distance``).
    ind : ndarray of int (nq, k)
        Row indices into ``X``; equal distances are ordered by index.

    Notes
    -----
    Queries are processed in blocks; each block's distances come from one matrix
    product for the Euclidean metric (``||q||^2 + ||x||^2 - 2 q.x``, on data centred on the
    mean of ``X`` so that far from the origin no digits cancel); candidates below
    an upper bound of the k-th distance are selected with ``nonzero`` and
    ``argpartition``; the selected neighbours' distances are then recomputed exactly, so
    an exact match has distance 0.

    Example
    -------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> dist, ind = knn_brute(X, np.array([[0.9, 0.1]]), k=2)
    >>> ind.tolist(), np.round(dist, 3).tolist()
    ([[1, 0]], [[0.141, 0.906]])
    """
    metric = get_metric(metric)
    X = metric._check(X, "X", 2)
    Q = metric._check(Q, "Q", 2)
    if Q.shape[1] != X.shape[1]:
        raise ValueError(f"queries have {Q.shape[1]} features but the points have {X.shape[1]}")
    k = check_scalar(k, "k", numbers.Integral, low=1, high=len(X))
    if metric._gemm:  # rank by ||x||^2 - 2 q.x (the row constant ||q||^2 changes no ranking)
        shift = X.mean(axis=0)     # on centred data: the expansion's error scales with ||x||^2
        Xc = X - shift
        X_sq, X_m2 = np.einsum("ij,ij->i", Xc, Xc), -2.0 * Xc
    dist = np.empty((len(Q), k))
    ind = np.empty((len(Q), k), dtype=np.intp)
    step = max(1, _CHUNK_ELEMENTS // len(X))
    for s in range(0, len(Q), step):  # blocks of queries bound the memory of the distance matrix
        Qb = Q[s:s + step]
        if metric._gemm:
            R = (Qb - shift) @ X_m2.T
            R += X_sq[None, :]
        else:
            R = metric._rdist_block(Qb, X)
        dist[s:s + step], ind[s:s + step] = exact_sorted(metric, Qb, X, _smallest_k(R, k), k)
    return (dist, ind) if return_distance else ind


def _as_query(metric, Q, n_features):
    Q = metric._check(Q, "X", (1, 2))
    Q = Q[None, :] if Q.ndim == 1 else Q
    if Q.shape[1] != n_features:
        raise ValueError(f"queries have {Q.shape[1]} features but the tree was built on {n_features}")
    return Q

