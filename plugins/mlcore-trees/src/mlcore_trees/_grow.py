"""Level-wise CART growth on flat NumPy arrays (exact and histogram split search).

Both growers build a whole depth level at once: every statistic is a NumPy reduction over
all samples of all nodes of the level, so the only Python loop is over depth levels
(``max_depth`` iterations at most). Nothing loops over candidate thresholds. The same
search node by node, as a textbook writes it: :func:`mlcore_trees._reference.grow_tree` (tested equal).

Exact mode
    Each feature is argsorted once (:func:`presort`). A level keeps, per feature, the
    active samples grouped by node and sorted by value within the node, so the statistics
    of every left child of every candidate threshold are one ``cumsum`` minus the
    running sum at the start of each node segment. Children are formed by a stable sort on
    the child id, which keeps each feature sorted inside each child.
Histogram mode
    See :mod:`mlcore_trees._grow_hist`.

Per-sample statistics ``S`` (n, C): for classification the class indicator times the
sample weight (C = n_classes); for regression ``[w, w*y, w*y**2]`` (the split search uses
the first two). The criterion's "proxy" is the part of the impurity decrease that depends
on the split (as in scikit-learn): ``sum_L**2/w_L + sum_R**2/w_R`` for squared error,
``sum_k L_k**2/w_L + ...`` for Gini and ``sum_k L_k log L_k - w_L log w_L + ...`` for entropy.
"""

from __future__ import annotations

import numpy as np

_LEAF = -1
_UNDEFINED = -2
_IMPURITY_EPS = 10 * np.finfo(np.float64).eps


#: elements per block of the split-search and partition temporaries (1 MiB of float64);
#: a block holds at least one feature row of the level, so temporaries stay below
#: ``max(_BLOCK, m)`` elements per channel whatever the number of features.
_BLOCK = 1 << 17


def presort(X):
    """Per-feature sort order of ``X`` (n, d), one feature at a time (temporaries O(n)).

    Returns ``order`` (d, n) int32, ``X`` itself (values are read as ``X[row, feature]``:
    no transposed copy) and ``tied`` (d,) bool: whether a feature has repeated values (only
    those need the distinct-value check).
    """
    n, d = X.shape
    order = np.empty((d, n), dtype=np.int32)
    tied = np.zeros(d, dtype=bool)
    for j in range(d):  # loop over features: each a stable O(n log n) argsort
        col = np.ascontiguousarray(X[:, j])
        o = np.argsort(col, kind="stable")
        xs = col[o]
        tied[j] = bool((xs[1:] == xs[:-1]).any())
        order[j] = o
    return order, X, tied


def restrict(order, mask):
    """Keep only the samples with ``mask[sample]`` true, preserving each feature's order."""
    return order[mask[order]].reshape(order.shape[0], -1)


def node_value_impurity(criterion, tot):
    """Node values (q, n_out) and impurities (q,) from summed statistics ``tot`` (q, C)."""
    if criterion == "squared_error":
        w = tot[:, 0]
        mean = tot[:, 1] / w
        imp = np.maximum(tot[:, 2] / w - mean * mean, 0.0)
        return mean[:, None], imp, w
    w = tot.sum(axis=1)
    p = tot / w[:, None]
    if criterion == "gini":
        imp = 1.0 - np.einsum("ij,ij->i", p, p)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            imp = -np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0).sum(axis=1)
    return p, np.maximum(imp, 0.0), w


def _xlogx(a):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)


def gathered_channels(criterion, S):
    """Channels of ``S`` the split search accumulates, and whether all weights are 1.

    With unit weights the left/right weights are the sample counts, so the weight channel
    (squared error) or the first class (classification) need not be accumulated.
    """
    if criterion == "squared_error":
        unit = bool(np.all(S[:, 0] == 1.0))
        return ([1] if unit else [0, 1]), unit
    unit = bool(np.all(S.sum(axis=1) == 1.0))
    K = S.shape[1]
    return (list(range(1, K)) if unit else list(range(K))), unit


def split_proxy(criterion, unit, L, R, nL, nR):
    """Split-dependent part of the impurity decrease (larger is better).

    ``L``, ``R``: channel-major left/right sums of the gathered channels (c, ...);
    ``nL``, ``nR``: left/right sample counts (broadcastable), used as weights when ``unit``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if criterion == "squared_error":
            (s_l, w_l, s_r, w_r) = (L[0], nL, R[0], nR) if unit else (L[1], L[0], R[1], R[0])
            g = s_l * s_l
            g /= w_l
            r = s_r * s_r
            r /= w_r
            g += r
            return g
        if criterion == "gini" and len(L) == (1 if unit else 2):
            # two classes: sum_k L_k^2 / w_L = w_L - 2 L_1 + 2 L_1^2 / w_L, so the Gini proxy
            # ranks cuts exactly as L_1^2 / w_L + R_1^2 / w_R (variance of the class indicator)
            if unit:
                wL, wR, l1, r1 = nL, nR, L[0], R[0]
            else:
                wL, wR, l1, r1 = L[0] + L[1], R[0] + R[1], L[1], R[1]
            g = l1 * l1
            g /= wL
            r = r1 * r1
            r /= wR
            g += r
            return g
        Ls, Rs = list(L), list(R)
        if unit:
            wL, wR = nL, nR
            l0, r0 = nL - Ls[0], nR - Rs[0]
            for c in range(1, len(Ls)):
                l0 = l0 - Ls[c]
                r0 = r0 - Rs[c]
            Ls.insert(0, l0)
            Rs.insert(0, r0)
        else:
            wL, wR = Ls[0].copy(), Rs[0].copy()
            for c in range(1, len(Ls)):
                wL += Ls[c]
                wR += Rs[c]
        if criterion == "gini":
            sL, sR = Ls[0] * Ls[0], Rs[0] * Rs[0]
            for c in range(1, len(Ls)):
                sL += Ls[c] * Ls[c]
                sR += Rs[c] * Rs[c]
            return sL / wL + sR / wR
        out = _xlogx(Ls[0]) + _xlogx(Rs[0])
        for c in range(1, len(Ls)):
            out += _xlogx(Ls[c]) + _xlogx(Rs[c])
        return out - _xlogx(wL) - _xlogx(wR)


def _ranges(starts, lens):
    """Concatenation of ``arange(s, s + l)`` for each pair, vectorised."""
    total = int(lens.sum())
    offs = np.cumsum(lens) - lens
    return np.repeat(starts - offs, lens) + np.arange(total), offs


def _select_features(rng, nonconst, mf):
    """Per node, ``mf`` features drawn without replacement, non-constant ones first (q, d) bool."""
    q, d = nonconst.shape
    keys = rng.random((q, d)) + (~nonconst)
    pick = np.argpartition(keys, mf - 1, axis=1)[:, :mf]
    sel = np.zeros((q, d), dtype=bool)
    np.put_along_axis(sel, pick, True, axis=1)
    return sel


class _Nodes:
    """Accumulates the flat node arrays level by level (BFS numbering)."""

    def __init__(self):
        self.parts = {k: [] for k in ("feature", "threshold", "left", "right", "value", "impurity",
                                      "n_node_samples", "weighted_n_node_samples")}
        self.n = 0

    def add(self, **arrays):
        for k, v in arrays.items():
            self.parts[k].append(v)
        self.n += len(arrays["impurity"])

    def finish(self):
        out = {k: np.concatenate(v) for k, v in self.parts.items()}
        out["depth"] = len(self.parts["impurity"]) - 1
        out["feature"] = out["feature"].astype(np.int32)
        out["left"] = out["left"].astype(np.int32)
        out["right"] = out["right"].astype(np.int32)
        out["n_node_samples"] = out["n_node_samples"].astype(np.int64)
        return out


def _children(ok, base):
    """Child ids for the splitting nodes ``ok`` (q,) given the first free id ``base``."""
    rank = np.cumsum(ok) - 1
    left = np.where(ok, base + 2 * rank, _LEAF)
    right = np.where(ok, base + 2 * rank + 1, _LEAF)
    return rank, left, right


def grow_exact(order, X, tied, S, criterion, *, max_depth, min_samples_split=2, min_samples_leaf=1,
               max_features=None, rng=None, n_total=None, overwrite=False):
    """Grow one tree with exact (sorted prefix sum) split search.

    Parameters
    ----------
    order : ndarray (d, m) int32
        Per feature, the indices of the training samples sorted by value.
    X : ndarray (n_total, d)
        The design matrix (values are read through ``order`` as ``X[row, feature]``).
    tied : ndarray (d,) bool
        Features that may hold repeated values (see :func:`presort`).
    S : ndarray (n_total, C)
        Per-sample weighted statistics (see module docstring).
    criterion : {"gini", "entropy", "squared_error"}
    max_depth : int
    max_features : int or None
        Number of features drawn per node (None: all).
    rng : numpy.random.Generator
        Used only when ``max_features < d``.
    overwrite : bool
        Partition ``order`` in place (the caller does not need it again); otherwise a copy
        is partitioned.

    Returns
    -------
    nodes : dict of flat arrays (BFS order)
    leaf_of : ndarray (n_total,) int32
        Leaf id of every sample in ``order`` (-1 for the others).

    Notes
    -----
    Memory: the only (d, m) array is ``order`` itself. Each level partitions its rows in
    place (the first ``m_new`` columns keep, per feature, the samples of the splitting
    nodes grouped by child and sorted by value within each child); the split search and
    the partition work on blocks of features of at most ``max(_BLOCK, m)`` elements.
    """
    d, m = order.shape
    buf = np.ascontiguousarray(order, dtype=np.int32) if overwrite else np.array(order, dtype=np.int32)
    m0 = buf.shape[1]
    n_total = S.shape[0] if n_total is None else n_total
    mf = d if max_features is None else min(int(max_features), d)
    gc, unit = gathered_channels(criterion, S)
    nodes = _Nodes()
    leaf_of = np.full(n_total, _LEAF, dtype=np.int32)
    SG = np.ascontiguousarray(S[:, gc].T)
    starts = np.array([0, m], dtype=np.int64)
    depth = 0
    # Loop over depth levels only; each iteration is vectorised over nodes, features, samples.
    while True:
        order = buf[:, :m]
        q = len(starts) - 1
        sizes = np.diff(starts)
        level_ids = nodes.n + np.arange(q)
        pos_node = np.repeat(np.arange(q), sizes)
        s0 = order[0]
        tot = np.add.reduceat(S[s0], starts[:-1], axis=0)
        value, imp, wsum = node_value_impurity(criterion, tot)
        can = (depth < max_depth) & (sizes >= min_samples_split) & (sizes >= 2 * min_samples_leaf) \
            & (imp > _IMPURITY_EPS)
        feat = np.full(q, _UNDEFINED, dtype=np.int64)
        thr = np.full(q, float(_UNDEFINED))
        ok = np.zeros(q, dtype=bool)
        if can.any():
            ok, feat, thr, nleft = _best_splits_exact(
                order, X, tied, SG, unit, tot[:, gc].T, criterion, starts, sizes, pos_node, can, mf, rng,
                min_samples_leaf)
        rank, left, right = _children(ok, nodes.n + q)
        nodes.add(feature=np.where(ok, feat, _UNDEFINED), threshold=np.where(ok, thr, float(_UNDEFINED)),
                  left=left, right=right, value=value, impurity=imp, n_node_samples=sizes,
                  weighted_n_node_samples=wsum)
        leafpos = ~ok[pos_node]
        leaf_of[s0[leafpos]] = level_ids[pos_node[leafpos]]
        if not ok.any():
            break
        # Partition: goes-left flag of every sample from the chosen feature's sorted row.
        kk = np.flatnonzero(ok)
        idx, _ = _ranges(feat[kk] * m0 + starts[kk], nleft[kk])
        golr = np.zeros(n_total, dtype=bool)
        golr[buf.ravel()[idx]] = True
        del idx
        if depth + 1 >= max_depth:
            # the children are leaves: record them without re-sorting the features
            _, ch_l, ch_r = _children(ok, nodes.n)
            spl = ok[pos_node]
            s_in = s0[spl]
            leaf_of[s_in] = np.where(golr[s_in], ch_l[pos_node[spl]], ch_r[pos_node[spl]])
            lid = leaf_of[s_in] - nodes.n
            tot = np.stack([np.bincount(lid, weights=S[s_in, c], minlength=2 * len(kk))
                            for c in range(S.shape[1])], axis=1)
            sizes = np.stack([nleft[kk], sizes[kk] - nleft[kk]], axis=1).ravel()
            value, imp, wsum = node_value_impurity(criterion, tot)
            q = len(sizes)
            nodes.add(feature=np.full(q, _UNDEFINED), threshold=np.full(q, float(_UNDEFINED)),
                      left=np.full(q, _LEAF), right=np.full(q, _LEAF), value=value, impurity=imp,
                      n_node_samples=sizes, weighted_n_node_samples=wsum)
            break
        n_child = 2 * len(kk)
        big = n_child
        kdt = np.uint16 if big < 65535 else np.int64
        node_key = np.where(ok, 2 * rank, big)
        samp_key = np.full(n_total, big, dtype=kdt)
        samp_key[s0] = node_key[pos_node] + np.where(ok[pos_node], ~golr[s0], 0)
        del golr
        m_new = int(sizes[ok].sum())
        # stable partition of every feature row by child key, in place, a block of rows at a time
        fb = max(1, _BLOCK // max(m, 1))
        for j0 in range(0, d, fb):  # loop over feature blocks (one block when d * m <= _BLOCK)
            rows_ = order[j0:j0 + fb]
            perm = np.argsort(samp_key[rows_], axis=1, kind="stable")[:, :m_new]
            buf[j0:j0 + fb, :m_new] = np.take_along_axis(rows_, perm, axis=1)
            del perm
        child_sizes = np.stack([nleft[kk], sizes[kk] - nleft[kk]], axis=1).ravel()
        starts = np.concatenate([[0], np.cumsum(child_sizes)])
        m = m_new
        depth += 1
    return nodes.finish(), leaf_of


_TIE_RTOL = 1e-12


def _lowest_best(G):
    """Per column of gains ``G`` (d, q), the lowest feature whose gain ties the best.

    Each feature's gain comes from prefix sums in that feature's own sort order, so two
    features that cut a node into the same two sets get gains that differ in the last bits.
    Gains within ``_TIE_RTOL`` of the best count as a tie, which goes to the lowest feature
    index (the documented rule, and what the reference grower in ``_reference.py`` does).
    """
    best = G.max(axis=0)
    tol = _TIE_RTOL * np.abs(best)
    with np.errstate(invalid="ignore"):      # columns of -inf (no valid split) compare as ties
        return np.argmax(G >= best - tol, axis=0)


def _best_splits_exact(order, X, tied, SG, unit, tot, criterion, starts, sizes, pos_node, can, mf, rng,
                       msl):
    """Best split of every node of a level.

    ``order`` (d, m) holds the level's samples per feature, grouped by node and sorted
    within each node. ``SG`` (c, n) are the gathered statistic channels (channel-major),
    ``tot`` (c, q) their node totals. Returns ``ok`` (q,), feature, threshold and left size
    per node.
    """
    d, m = order.shape
    q = len(sizes)
    start_rep = np.repeat(starts[:-1], sizes)
    nL = np.arange(1, m + 1, dtype=np.float64) - start_rep     # rows left of a cut after p
    del start_rep
    nR = np.repeat(sizes, sizes) - nL
    pos_ok = (nL >= msl) & (nR >= msl) & np.repeat(can, sizes)
    if mf >= d:
        # Every feature of every node, a block of features at a time: (c, b, m) arrays, one
        # row per feature. Prefix sums restart at each node: the first entry of a node
        # segment has the previous node's total subtracted before the cumsum. Per block,
        # keep the best gain of every (feature, node) and its first position.
        pos_bad = ~pos_ok
        pos_bad[-1] = True
        totrep = np.repeat(tot, sizes, axis=1)[:, None, :]
        G = np.empty((d, q))
        P = np.zeros((d, q), dtype=np.int64)
        fb = max(1, _BLOCK // max(m * len(SG), 1))
        for j0 in range(0, d, fb):  # loop over feature blocks (one block when c * d * m <= _BLOCK)
            blk = order[j0:j0 + fb]
            b = len(blk)
            L = SG[:, blk]
            L[:, :, starts[1:-1]] -= tot[:, None, :-1]
            np.cumsum(L, axis=2, out=L)
            R = totrep - L
            gain = split_proxy(criterion, unit, L, R, nL, nR)
            del L, R
            tj = np.flatnonzero(tied[j0:j0 + b])
            if len(tj):
                # cuts between equal values are not thresholds
                bad = np.empty((b, m), dtype=bool)
                bad[:] = pos_bad
                for t in tj:  # loop over the tied features of the block
                    xs = X[blk[t], j0 + t]
                    bad[t, :-1] |= xs[:-1] == xs[1:]
                np.copyto(gain, -np.inf, where=bad)
                del bad
            else:
                np.copyto(gain, -np.inf, where=pos_bad)
            Gb = np.maximum.reduceat(gain, starts[:-1], axis=1)   # (b, q)
            G[j0:j0 + b] = Gb
            hit = np.flatnonzero(gain == np.repeat(Gb, sizes, axis=1))
            del gain
            hf, hp = np.divmod(hit, m)
            seg = hf * q + pos_node[hp]
            first = np.ones(len(seg), dtype=bool)
            first[1:] = seg[1:] != seg[:-1]
            P.ravel()[j0 * q + seg[first]] = hp[first]
        bestf = _lowest_best(G)
        bestg = G[bestf, np.arange(q)]
        ok = np.isfinite(bestg) & can
        k = np.flatnonzero(ok)
        f = bestf[k]
        p = P[f, k]
        xl, xr = X[order[f, p], f], X[order[f, p + 1], f]
        nl = nL[p]
    else:
        rows = np.arange(d)[:, None]
        nonconst = (X[order[:, starts[:-1]], rows] < X[order[:, starts[1:] - 1], rows]).T
        sel = _select_features(rng, nonconst, mf) & can[:, None]
        pair_feat, pair_node = np.nonzero(sel.T)             # feature-major pairs
        npairs = len(pair_feat)
        lens = sizes[pair_node]
        idx, seg = _ranges(starts[pair_node], lens)
        fr = np.repeat(pair_feat, lens)
        flat_s = order[fr, idx]
        flat_x = X[flat_s, fr]
        pos = idx                                             # position within the level (0..m-1)
        L = SG[:, flat_s]                                     # (c, P)
        np.cumsum(L, axis=1, out=L)
        base = np.zeros((len(SG), npairs))
        base[:, 1:] = L[:, seg[1:] - 1]
        L -= np.repeat(base, lens, axis=1)
        R = np.repeat(tot[:, pair_node], lens, axis=1) - L
        valid = pos_ok[pos]
        valid[:-1] &= flat_x[:-1] != flat_x[1:]
        valid[-1] = False
        gain = np.where(valid, split_proxy(criterion, unit, L, R, nL[pos], nR[pos]), -np.inf)
        pm = np.maximum.reduceat(gain, seg)
        G = np.full((d, q), -np.inf)
        G[pair_feat, pair_node] = pm
        PI = np.full((d, q), -1, dtype=np.int64)
        PI[pair_feat, pair_node] = np.arange(npairs)
        bestf = _lowest_best(G)
        bestg = G[bestf, np.arange(q)]
        ok = np.isfinite(bestg) & can
        win = np.zeros(npairs, dtype=bool)
        win[PI[bestf[ok], np.flatnonzero(ok)]] = True
        hit = np.flatnonzero((gain == np.repeat(pm, lens)) & np.repeat(win, lens))
        hp = np.searchsorted(seg, hit, side="right") - 1
        first = np.ones(len(hp), dtype=bool)
        first[1:] = hp[1:] != hp[:-1]
        pf, wp = hit[first], hp[first]
        k = pair_node[wp]
        f = pair_feat[wp]
        xl, xr = flat_x[pf], flat_x[pf + 1]
        nl = nL[pos[pf]]
    feat = np.full(q, _UNDEFINED, dtype=np.int64)
    thr = np.full(q, float(_UNDEFINED))
    nleft = np.zeros(q, dtype=np.int64)
    feat[k] = f
    t = xl / 2.0 + xr / 2.0
    thr[k] = np.where((t == xr) | ~np.isfinite(t), xl, t)
    nleft[k] = nl
    return ok, feat, thr, nleft
