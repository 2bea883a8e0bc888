"""Choose and run the right grower (exact all-features, exact sampled features, histogram)."""

from __future__ import annotations

import numpy as np

from ._grow import grow_exact, presort, restrict
from ._grow_hist import bin_features, codes_t, grow_hist
from ._grow_sampled import dense_ranks, grow_exact_sampled


def prepare(X, splitter, max_bins, max_features, max_depth=None):
    """Per-fit preprocessing shared by all trees of an ensemble.

    exact, all features: per-feature sort order; exact, ``max_features < d``: dense value
    ranks; hist: quantile bin codes and edges. Exact mode on data whose features all have
    at most 255 distinct values, with shallow trees (boosting), runs on histograms with
    exact node-local thresholds: the same trees, found faster.
    """
    n, d = X.shape
    if splitter == "hist":
        codes, edges, _ = bin_features(X, max_bins)
        return ("hist", None, edges, codes_t(codes), None)
    if max_features >= d and max_depth is not None and max_depth <= 16:
        codes, edges, values = bin_features(X, 255)
        if values is not None and 2 ** (max_depth - 1) * (edges.shape[1] + 1) <= n:
            return ("hist", None, edges, codes_t(codes), values)
    if max_features < d:
        return ("sampled", X, dense_ranks(X))
    order, X, tied = presort(X)
    return ("exact", order, X, tied)


def grow(data, rows, S, criterion, *, rng, consume=False, **kw):
    """Grow one tree on the training rows ``rows`` (sorted int array, or None for all rows).

    ``consume=True``: the caller will not grow another tree from ``data`` (a single
    decision tree), so exact mode partitions the presorted order in place (no copy).

    Returns ``(nodes, leaf_of)`` as :func:`mlcore_trees._grow.grow_exact`.
    """
    kind = data[0]
    n = S.shape[0]
    if kind == "exact":
        order = data[1]
        if rows is not None and len(rows) < n:
            mask = np.zeros(n, dtype=bool)
            mask[rows] = True
            order = restrict(order, mask)
            consume = True                      # a fresh restricted copy
        return grow_exact(order, data[2], data[3], S, criterion, rng=rng, overwrite=consume, **kw)
    rows = np.arange(n) if rows is None else rows
    if kind == "sampled":
        return grow_exact_sampled(rows, data[1], data[2], S, criterion, rng=rng, **kw)
    return grow_hist(data[1], data[2], rows, S, criterion, rng=rng, codesT=data[3], values=data[4], **kw)
