"""Level-wise CART growth on binned features (``splitter='hist'``).

Features are binned once into at most ``max_bins`` quantile bins (uint8 codes). A level's
statistics are ``bincount`` histograms indexed by (node, feature, bin); the larger child's
histogram is the parent's minus the smaller child's (LightGBM's subtraction trick), and one
``cumsum`` over the bins scores every cut of every feature of every node of the level.
"""

from __future__ import annotations

import numpy as np

from ._grow import (
    _IMPURITY_EPS,
    _LEAF,
    _UNDEFINED,
    _children,
    _Nodes,
    _select_features,
    gathered_channels,
    node_value_impurity,
    split_proxy,
)


def bin_features(X, max_bins):
    """Quantile bin edges per feature and uint8 codes.

    Returns ``codes`` (n, d) uint8 with ``code <= b  <=>  x <= edges[j, b]``, ``edges``
    (d, B - 1) float64 padded with +inf (B = the largest number of bins any feature needs,
    at most ``max_bins``), and ``values`` (d, B): the distinct value of every bin when every
    feature has at most ``max_bins`` distinct values (then binning loses nothing), else None.
    With few distinct values the edges are the midpoints between consecutive values;
    otherwise midpoints between quantiles.
    """
    n, d = X.shape
    uniq = []
    exact = True
    # Loop over features: binning is done once per fit, each iteration vectorised over samples.
    qidx = None
    for j in range(d):
        xs = np.sort(X[:, j])                 # one sort gives the distinct values and the quantiles
        new = np.empty(n, dtype=bool)
        new[:1] = True
        np.not_equal(xs[1:], xs[:-1], out=new[1:])
        u = xs[new]
        if len(u) > max_bins:
            exact = False
            if qidx is None:                  # np.quantile(method="nearest"): round((n - 1) q)
                qidx = np.around((n - 1) * np.linspace(0, 1, max_bins)).astype(np.intp)
            u = np.unique(xs[qidx])
        uniq.append(u)
    B = max(2, max(len(u) for u in uniq))
    edges = np.full((d, B - 1), np.inf)
    values = np.full((d, B), np.nan) if exact else None
    codes = np.empty((d, n), dtype=np.uint8).T     # (n, d) view of feature-major rows: codes_t is free
    for j, u in enumerate(uniq):
        e = u[:-1] / 2.0 + u[1:] / 2.0
        e = np.where(e == u[1:], u[:-1], e)
        edges[j, :len(e)] = e
        codes[:, j] = np.searchsorted(e, X[:, j], side="left")
        if exact:
            values[j, :len(u)] = u
    return codes, edges, values


def codes_t(codes):
    """(d, n) uint8: the codes feature-major, so that a feature's codes are contiguous."""
    return np.ascontiguousarray(codes.T)


def grow_hist(codes, edges, rows, S, criterion, *, max_depth, min_samples_split=2,
              min_samples_leaf=1, max_features=None, rng=None, codesT=None, values=None):
    """Grow one tree on binned features with level-wise ``bincount`` histograms.

    ``codes`` (n, d) uint8 may be None when ``codesT`` (its (d, n) transpose, see
    :func:`codes_t`) is given. ``rows`` (m,) are the training samples (indices into the
    codes and ``S``). The
    histogram of the larger child of each split is the parent's minus the smaller child's.
    With ``values`` (one distinct value per bin, from :func:`bin_features`) thresholds are
    the node-local midpoints of exact mode, so the tree equals the exact one.
    Returns the same as :func:`grow_exact`.

    Memory: besides the (d, m) uint8 codes of the rows still splitting, every temporary is
    O(m) (histograms are built one feature at a time) or O(nodes x d x bins).
    """
    if codesT is None:
        codesT = codes_t(codes)
    d, n_total = codesT.shape
    B = edges.shape[1] + 1
    mf = d if max_features is None else min(int(max_features), d)
    gc, unit = gathered_channels(criterion, S)
    Cs = len(gc)
    Cn = S.shape[1]
    nodes = _Nodes()
    leaf_of = np.full(n_total, _LEAF, dtype=np.int32)
    if len(rows) < n_total:
        codesT = codesT[:, rows]
    Srows = S[rows] if len(rows) < n_total else S
    node_of = np.zeros(len(rows), dtype=np.int32)
    ST = np.ascontiguousarray(Srows.T)              # (Cn, m) statistics, channel-major
    gsl = slice(gc[0], gc[-1] + 1) if gc == list(range(gc[0], gc[-1] + 1)) else gc
    SG = ST[gsl]                                    # (Cs, m) gathered channels (a view when contiguous)
    q = 1
    depth = 0
    parent_hist = None  # (q_parent, d, B, Cs + 1) of the nodes that split at the previous level
    small = None
    while True:
        if q == 1:
            sizes = np.array([len(node_of)])
            tot = Srows.sum(axis=0)[None, :]
        else:
            sizes = np.bincount(node_of, minlength=q)
            tot = np.stack([np.bincount(node_of, weights=ST[c], minlength=q) for c in range(Cn)], 1)
        value, imp, wsum = node_value_impurity(criterion, tot)
        level_ids = nodes.n + np.arange(q)
        can = (depth < max_depth) & (sizes >= min_samples_split) & (sizes >= 2 * min_samples_leaf) \
            & (imp > _IMPURITY_EPS)
        ok = np.zeros(q, dtype=bool)
        feat = np.full(q, _UNDEFINED, dtype=np.int64)
        thr = np.full(q, float(_UNDEFINED))
        if can.any():
            hist = _level_hist(codesT, node_of, SG, q, d, B, parent_hist, small)
            cum = np.cumsum(hist, axis=3)
            L, cntL = cum[:Cs], cum[Cs]
            R = tot[:, gc].T[:, :, None, None] - L
            cntR = sizes[:, None, None] - cntL
            gain = split_proxy(criterion, unit, L, R, cntL, cntR)
            valid = (cntL >= min_samples_leaf) & (cntR >= min_samples_leaf) & can[:, None, None]
            if mf < d:
                nonconst = (cntL[:, :, :-1] > 0).any(2) & (cntL[:, :, :-1] < sizes[:, None, None]).any(2)
                valid &= _select_features(rng, nonconst, mf)[:, :, None]
            flat = np.where(valid, gain, -np.inf).reshape(q, d * B)
            best = np.argmax(flat, axis=1)
            ok = np.isfinite(flat[np.arange(q), best]) & can
            feat = np.where(ok, best // B, _UNDEFINED)
            bbin = best % B
            fsafe = np.maximum(feat, 0)
            if values is None:
                thr = np.where(ok, edges[fsafe, np.minimum(bbin, B - 2)], float(_UNDEFINED))
            else:
                # node-local midpoint: next non-empty bin of the node right of the cut
                cnt = hist[Cs][np.arange(q), fsafe]
                nb = np.argmax((np.arange(B) > bbin[:, None]) & (cnt > 0), axis=1)
                xl, xr = values[fsafe, bbin], values[fsafe, nb]
                t = xl / 2.0 + xr / 2.0
                thr = np.where(ok, np.where(t == xr, xl, t), float(_UNDEFINED))
            parent_hist = hist[:, ok]
        rank, left, right = _children(ok, nodes.n + q)
        nodes.add(feature=feat, threshold=thr, left=left, right=right, value=value, impurity=imp,
                  n_node_samples=sizes, weighted_n_node_samples=wsum)
        isleaf = ~ok[node_of]
        leaf_of[rows[isleaf]] = level_ids[node_of[isleaf]]
        if not ok.any():
            break
        if isleaf.any():
            keep = ~isleaf
            rows, codesT, ST, node_of = rows[keep], codesT[:, keep], ST[:, keep], node_of[keep]
            SG = ST[gsl]
        gl = codesT[feat[node_of], np.arange(len(node_of))] <= bbin[node_of]
        node_of = (2 * rank).astype(np.int32)[node_of]   # int32 node ids: half the memory
        node_of[~gl] += 1
        del gl
        nl = np.bincount(node_of, minlength=2 * ok.sum()).reshape(-1, 2)
        small = nl[:, 1] < nl[:, 0]  # per split: which child (0 left, 1 right) gets a histogram
        q = 2 * int(ok.sum())
        depth += 1
    return nodes.finish(), leaf_of


def _level_hist(codesT, node_of, SG, q, d, B, parent_hist, small):
    """(Cs + 1, q, d, B) histograms of the statistics and of the sample count.

    One ``bincount`` per (feature, channel) over the (node, bin) index of the rows
    histogrammed: temporaries are O(rows), never O(rows x features).
    """
    Cs = SG.shape[0]
    if parent_hist is None:
        cT, w, base, qh = codesT, SG, (node_of * B if q > 1 else None), q
    else:
        # compute only the smaller child of each split; the sibling is parent - smaller
        sel = np.flatnonzero((node_of % 2) == small[node_of // 2])
        qh = q // 2
        cT, w = codesT[:, sel], SG[:, sel]
        base = (node_of[sel] // 2) * B if qh > 1 else None
    size = qh * B
    h = np.empty((Cs + 1, qh, d, B))
    idx = np.empty(cT.shape[1], dtype=np.intp)    # bincount's own index type: no conversion copies
    for j in range(d):  # loop over features: one O(rows) index per feature
        if base is None:
            np.copyto(idx, cT[j])
        else:
            np.add(base, cT[j], out=idx)
        for c in range(Cs):
            h[c, :, j] = np.bincount(idx, weights=w[c], minlength=size).reshape(qh, B)
        h[Cs, :, j] = np.bincount(idx, minlength=size).reshape(qh, B)
    if parent_hist is None:
        return h
    out = np.empty((Cs + 1, q, d, B))
    sm = small.astype(np.int64)
    out[:, 2 * np.arange(qh) + sm] = h
    out[:, 2 * np.arange(qh) + 1 - sm] = parent_hist - h
    return out
