"""Choose and run the right grower (exact all-features, exact sampled features, histogram)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _common as C
from ._grow import grow_exact, presort, restrict
from ._grow_hist import bin_features, codes_t, grow_hist
from ._grow_sampled import dense_ranks, grow_exact_sampled


class Exact(NamedTuple):
    """Exact splits on all features: each feature's sort order of the rows, the (possibly
    re-ordered) data and the tie flags of :func:`mlcore_trees._grow.presort`."""

    order: np.ndarray
    X: np.ndarray
    tied: np.ndarray


class Sampled(NamedTuple):
    """Exact splits on a random subset of features per node: the data and its dense value ranks."""

    X: np.ndarray
    ranks: np.ndarray


class Hist(NamedTuple):
    """Histogram splits: bin edges, feature-major bin codes and, for exact thresholds on
    few-valued features, the distinct values of each feature (else None)."""

    edges: np.ndarray
    codesT: np.ndarray
    values: np.ndarray | None = None


def training_targets(est, X, y, sample_weight):
    """A single tree's or a forest's checked inputs and per-row target statistics.

    Returns ``(X, yenc, classes, w, S, shift)``: the encoded targets, ``S`` holds the statistics the growers sum
    (class weights, or weighted centred targets and their squares), ``shift`` the centre
    to add back to the leaf values (see :func:`mlcore_trees._common.target_shift`).
    """
    X, yenc, classes, w = C.check_fit_input(X, y, est.task, sample_weight, est=est)
    shift = C.target_shift(est.task, yenc, w)
    S = C.sample_stats(est.task, yenc, w, None if classes is None else len(classes), shift)
    return X, yenc, classes, w, S, shift


def prepare(X, splitter, max_bins, max_features, max_depth=None):
    """Per-fit preprocessing shared by all trees of an ensemble: an :class:`Exact`,
    :class:`Sampled` or :class:`Hist` record, which :func:`grow` dispatches on.

    exact, all features: per-feature sort order; exact, ``max_features < d``: dense value
    ranks; hist: quantile bin codes and edges. Exact mode on data whose features all have
    at most 255 distinct values, with shallow trees (boosting), runs on histograms with
    exact node-local thresholds: the same trees, found faster.
    """
    n, d = X.shape
    if splitter == "hist":
        codes, edges, _ = bin_features(X, max_bins)
        return Hist(edges, codes_t(codes))
    if max_features >= d and max_depth is not None and max_depth <= 16:
        codes, edges, values = bin_features(X, 255)
        if values is not None and 2 ** (max_depth - 1) * (edges.shape[1] + 1) <= n:
            return Hist(edges, codes_t(codes), values)
    if max_features < d:
        return Sampled(X, dense_ranks(X))
    return Exact(*presort(X))


def grow(data, rows, S, criterion, *, rng, consume=False, **kw):
    """Grow one tree on the training rows ``rows`` (sorted int array, or None for all rows).

    ``consume=True``: the caller will not grow another tree from ``data`` (a single
    decision tree), so exact mode partitions the presorted order in place (no copy).

    Returns ``(nodes, leaf_of)`` as :func:`mlcore_trees._grow.grow_exact`.
    """
    n = S.shape[0]
    if isinstance(data, Exact):
        order = data.order
        if rows is not None and len(rows) < n:
            mask = np.zeros(n, dtype=bool)
            mask[rows] = True
            order = restrict(order, mask)
            consume = True                      # a fresh restricted copy
        return grow_exact(order, data.X, data.tied, S, criterion, rng=rng, overwrite=consume, **kw)
    rows = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64) if rows is None else rows
    if isinstance(data, Sampled):
        return grow_exact_sampled(rows, data.X, data.ranks, S, criterion, rng=rng, **kw)
    return grow_hist(None, data.edges, rows, S, criterion, rng=rng, codesT=data.codesT, values=data.values, **kw)
