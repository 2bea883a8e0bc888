"""Level-wise exact growth when only ``max_features < d`` features are drawn per node.

Random forests look at a few features per node (sqrt(d) by default), so keeping every
feature sorted inside every node (as :func:`mlcore_trees._grow.grow_exact` does) costs
O(d) per sample and level although only O(max_features) is used. Here a level keeps
only the list of its samples grouped by node; for the drawn (node, feature) pairs the
node's samples are sorted on the fly by one ``argsort`` of the key
``(pair index, dense rank of the value)``, which costs O(max_features * m log m) per level.

Feature draws follow scikit-learn's semantics: a node keeps drawing (without
replacement) until it has looked at ``max_features`` features that are not constant in
the node, or has none left; features found constant in a node are never drawn again in
its subtree. Each extra round is vectorised over the nodes that need it.
"""

from __future__ import annotations

import numpy as np

from ._grow import (
    _IMPURITY_EPS,
    _LEAF,
    _UNDEFINED,
    _children,
    _Nodes,
    _ranges,
    gathered_channels,
    node_value_impurity,
    split_proxy,
)


def dense_ranks(X):
    """(d, n) int32: rank of every value among the distinct values of its feature.

    One feature at a time, so the temporaries are O(n) whatever ``d``.
    """
    n, d = X.shape
    dr = np.empty((d, n), dtype=np.int32)
    new = np.empty(n, dtype=np.int32)
    for j in range(d):  # loop over features: one stable argsort each
        col = np.ascontiguousarray(X[:, j])
        o = np.argsort(col, kind="stable")
        xs = col[o]
        new[0] = 0
        np.not_equal(xs[1:], xs[:-1], out=new[1:])
        dr[j, o] = np.cumsum(new, dtype=np.int32)
    return dr


#: samples per chunk of (node, feature) pairs evaluated together: bounds the temporaries
#: of a level to about ``max(_BLOCK, largest node)`` elements per array
_BLOCK = 1 << 17


def _eval_pairs(sel, vs, vrow, starts, sizes, X, drank, n_rank, SG, unit, tot, criterion, msl):
    """Best cut of every selected (node, feature) pair.

    ``vs`` (m,) virtual samples grouped by node, ``vrow`` their data rows. Returns per pair:
    feature, node, max gain (-inf if none), non-constant flag, threshold, and the dense rank
    of the value left of the cut (a sample of the node goes left iff its rank is <= it).
    The pairs are evaluated in chunks of about ``_BLOCK`` samples (pairs are independent).
    """
    pair_feat, pair_node = np.nonzero(sel.T)                 # feature-major pairs
    ends = np.cumsum(sizes[pair_node])
    if len(ends) == 0 or ends[-1] <= _BLOCK:
        return _eval_chunk(pair_feat, pair_node, vs, vrow, starts, sizes, X, drank, n_rank, SG, unit, tot,
                           criterion, msl)
    cuts = [0]
    while cuts[-1] < len(ends):  # loop over chunks: each ends where the next would pass _BLOCK
        base = ends[cuts[-1] - 1] if cuts[-1] else 0
        cuts.append(max(cuts[-1] + 1, int(np.searchsorted(ends, base + _BLOCK, side="right"))))
    parts = [_eval_chunk(pair_feat[a:b], pair_node[a:b], vs, vrow, starts, sizes, X, drank, n_rank, SG, unit,
                         tot, criterion, msl) for a, b in zip(cuts[:-1], cuts[1:])]
    return tuple(np.concatenate(col) for col in zip(*parts))


def _eval_chunk(pair_feat, pair_node, vs, vrow, starts, sizes, X, drank, n_rank, SG, unit, tot, criterion,
                msl):
    """:func:`_eval_pairs` on the given pairs."""
    npairs = len(pair_feat)
    lens = sizes[pair_node]
    idx, seg = _ranges(starts[pair_node], lens)
    P = len(idx)
    flat_v = vs[idx]
    flat_r = vrow[flat_v]
    # sort by the key (pair, dense rank). When key and position fit in 63 bits, sort the
    # packed integers (value sort, SIMD-accelerated) instead of an argsort plus gathers.
    key = np.repeat(np.arange(npairs, dtype=np.int64) * n_rank, lens)
    key += drank.ravel()[np.repeat(pair_feat * drank.shape[1], lens) + flat_r]
    del idx, flat_r                                           # free what is not needed (peak memory)
    pbits = max(1, int(P).bit_length())
    if (npairs * n_rank).bit_length() + pbits <= 62:
        key <<= pbits
        key |= np.arange(P)
        key.sort()
        flat_v = flat_v[key & ((1 << pbits) - 1)]
        key >>= pbits
        kr = key
    else:
        perm = np.argsort(key)
        flat_v, kr = flat_v[perm], key[perm]
    if SG.ndim == 1:
        # two channels packed as one complex array: one gather / cumsum / subtraction
        Lc = SG[flat_v]
        Lc[seg[1:]] -= tot[pair_node[:-1]]                    # restart the prefix sums per pair
        np.cumsum(Lc, out=Lc)
        Rc = np.repeat(tot[pair_node], lens)
        Rc -= Lc
        L, R = (Lc.real, Lc.imag), (Rc.real, Rc.imag)
    else:
        L = SG[:, flat_v]                                    # (c, P)
        L[:, seg[1:]] -= tot[:, pair_node[:-1]]              # restart the prefix sums per pair
        np.cumsum(L, axis=1, out=L)
        R = np.repeat(tot[:, pair_node], lens, axis=1) - L
    nL = np.arange(1, P + 1, dtype=np.float64)
    nL -= np.repeat(seg.astype(np.float64), lens)
    nR = np.repeat(lens.astype(np.float64), lens)
    nR -= nL
    gain = split_proxy(criterion, unit, L, R, nL, nR)
    del L, R
    if SG.ndim == 1:
        del Lc, Rc
    invalid = np.empty(P, dtype=bool)
    np.equal(kr[:-1], kr[1:], out=invalid[:-1])               # cut between equal values
    seg_end = seg + lens - 1
    invalid[seg_end] = True                                   # nothing on the right
    if msl > 1:
        invalid |= (nL < msl) | (nR < msl)
    np.copyto(gain, -np.inf, where=invalid)
    pm = np.maximum.reduceat(gain, seg)
    nonconst = kr[seg] != kr[seg_end]
    fin = np.isfinite(pm)
    hit = np.flatnonzero(gain == np.repeat(np.where(fin, pm, np.nan), lens))
    hp = np.searchsorted(seg, hit, side="right") - 1
    first = np.ones(len(hp), dtype=bool)
    first[1:] = hp[1:] != hp[:-1]
    p, wp = hit[first], hp[first]
    thr = np.full(npairs, float(_UNDEFINED))
    rleft = np.full(npairs, -1, dtype=np.int64)
    f = pair_feat[wp]
    xl, xr = X[vrow[flat_v[p]], f], X[vrow[flat_v[p + 1]], f]
    t = xl / 2.0 + xr / 2.0
    thr[wp] = np.where((t == xr) | ~np.isfinite(t), xl, t)
    rleft[wp] = kr[p] - wp * n_rank                          # dense rank of the left value
    return pair_feat, pair_node, pm, nonconst, thr, rleft


def _mark_constant(known_const, act, vs, vrow, starts, sizes, drank):
    """Mark in ``known_const`` (q, d) every feature constant within each active node."""
    nodes = np.flatnonzero(act)
    idx, seg = _ranges(starts[nodes], sizes[nodes])
    r = drank[:, vrow[vs[idx]]]                               # (d, m_active)
    lo = np.minimum.reduceat(r, seg, axis=1)
    hi = np.maximum.reduceat(r, seg, axis=1)
    known_const[nodes] |= (lo == hi).T


def _draw_keys(rngs, node_tree, act, d):
    """Random keys (q, d): tree ``t`` draws ``rngs[t].random((q_t, d))`` for all its nodes of
    the level when any of them is active, so a tree's draws do not depend on the others."""
    keys = np.ones((len(node_tree), d))
    counts = np.bincount(node_tree, minlength=len(rngs))
    offs = np.concatenate([[0], np.cumsum(counts)])
    busy = np.bincount(node_tree[act], minlength=len(rngs)) > 0
    # Loop over the trees of the batch (a few): one random draw per tree and round.
    for t in np.flatnonzero(busy):
        keys[offs[t]:offs[t + 1]] = rngs[t].random((counts[t], d))
    return keys


def grow_forest_sampled(vrow, vtree, SV, X, drank, criterion, rngs, *, max_depth, max_features,
                        min_samples_split=2, min_samples_leaf=1):
    """Grow a batch of trees together, drawing ``max_features`` features per node.

    All nodes of one depth, across all trees of the batch, are split in one vectorised step.

    Parameters
    ----------
    vrow : ndarray (V,) int
        Data row of every virtual sample (a tree's in-bag rows, concatenated over trees).
    vtree : ndarray (V,) int
        Tree of every virtual sample, non-decreasing.
    SV : ndarray (V, C)
        Statistics of every virtual sample (bootstrap counts already applied).
    X : ndarray (n, d)
        The data (thresholds and the goes-left test read ``X[row, feature]``).
    drank : ndarray (d, n)
        Dense ranks (:func:`dense_ranks`).
    rngs : list of numpy.random.Generator
        One per tree (feature draws).

    Returns
    -------
    nodes : dict of flat arrays, trees concatenated (``tree_offsets``, ``tree_depths``)
    leaf_of : ndarray (V,) int32
        Leaf (global row) of every virtual sample.
    """
    d = X.shape[1]
    T = len(rngs)
    mf = int(max_features)
    gc, unit = gathered_channels(criterion, SV)
    SG = np.ascontiguousarray(SV[:, gc].T)
    split_crit = criterion
    binary_w = criterion == "gini" and not unit and len(gc) == 2
    if binary_w:
        # weighted two-class Gini ranks cuts like the squared error of the class-1 indicator
        SG = np.stack([SG[0] + SG[1], SG[1]])
        split_crit = "squared_error"
    packed = len(gc) == 2
    if packed:
        SG = SG[0] + 1j * SG[1]
    n_rank = int(drank.max()) + 1
    nodes = _Nodes()
    tree_parts = []
    V = len(vrow)
    leaf_of = np.full(V, _LEAF, dtype=np.int64)
    vs = np.arange(V)
    sizes0 = np.bincount(vtree, minlength=T)
    node_tree = np.flatnonzero(sizes0 > 0)
    starts = np.concatenate([[0], np.cumsum(sizes0[node_tree])])
    known_const = np.zeros((len(node_tree), d), dtype=bool)  # inherited by the children
    depth = 0
    # Loop over depth levels; each level is vectorised over all nodes of all trees.
    while True:
        q = len(starts) - 1
        sizes = np.diff(starts)
        pos_node = np.repeat(np.arange(q), sizes)
        tot = np.add.reduceat(SV[vs], starts[:-1], axis=0)
        value, imp, wsum = node_value_impurity(criterion, tot)
        can = (depth < max_depth) & (sizes >= min_samples_split) & (sizes >= 2 * min_samples_leaf) \
            & (imp > _IMPURITY_EPS)
        best = np.full(q, -np.inf)
        feat = np.full(q, _UNDEFINED, dtype=np.int64)
        thr = np.full(q, float(_UNDEFINED))
        rthr = np.full(q, -1, dtype=np.int64)
        tried = known_const.copy()
        n_nc = np.zeros(q, dtype=np.int64)
        totg = np.ascontiguousarray(tot[:, gc].T)
        if binary_w:
            totg = np.stack([totg[0] + totg[1], totg[1]])
        if packed:
            totg = totg[0] + 1j * totg[1]
        # Draw rounds: usually one. Nodes whose draws hit constant features get a second
        # round drawn among the features known to vary in the node (scikit-learn keeps
        # drawing until max_features non-constant features were seen: same distribution).
        for rnd in range(2):
            act = can & (n_nc < mf) & ~tried.all(axis=1)
            if not act.any():
                break
            if rnd == 1:
                _mark_constant(known_const, act, vs, vrow, starts, sizes, drank)
                tried |= known_const
                act &= ~tried.all(axis=1)
                if not act.any():
                    break
            keys = _draw_keys(rngs, node_tree, act, d)
            keys[tried] = 2.0
            rank_in_row = np.argsort(np.argsort(keys, axis=1), axis=1)
            sel = (rank_in_row < (mf - n_nc)[:, None]) & ~tried & act[:, None]
            pf, pn, pm, nonconst, pthr, prl = _eval_pairs(sel, vs, vrow, starts, sizes, X, drank, n_rank, SG,
                                                       unit, totg, split_crit, min_samples_leaf)
            tried |= sel
            n_nc += np.bincount(pn, weights=nonconst, minlength=q).astype(np.int64)
            known_const[pn[~nonconst], pf[~nonconst]] = True
            G = np.full((d, q), -np.inf)
            G[pf, pn] = pm
            PI = np.zeros((d, q), dtype=np.int64)
            PI[pf, pn] = np.arange(len(pf))
            bf = np.argmax(G, axis=0)
            bg = G[bf, np.arange(q)]
            upd = bg > best
            wp = PI[bf[upd], np.flatnonzero(upd)]
            best[upd] = bg[upd]
            feat[upd], thr[upd], rthr[upd] = pf[wp], pthr[wp], prl[wp]
        ok = np.isfinite(best) & can
        rank, left, right = _children(ok, nodes.n + q)
        level_ids = nodes.n + np.arange(q)
        nodes.add(feature=np.where(ok, feat, _UNDEFINED), threshold=np.where(ok, thr, float(_UNDEFINED)),
                  left=left, right=right, value=value, impurity=imp, n_node_samples=sizes,
                  weighted_n_node_samples=wsum)
        tree_parts.append(node_tree)
        leafpos = ~ok[pos_node]
        leaf_of[vs[leafpos]] = level_ids[pos_node[leafpos]]
        if not ok.any():
            break
        keep = ~leafpos
        vs, pn = vs[keep], pos_node[keep]
        # x <= threshold  <=>  rank(x) <= rank of the left value, for the node's samples (no
        # value of the node lies between the two values around the cut): read the ranks,
        # a feature row at a time in memory, rather than X
        goleft = drank[feat[pn], vrow[vs]] <= rthr[pn]
        child = 2 * rank[pn] + (~goleft)
        kdt = np.uint16 if 2 * q < 65535 else np.int64
        perm = np.argsort(child.astype(kdt), kind="stable")
        vs = vs[perm]
        child_sizes = np.bincount(child, minlength=2 * int(ok.sum()))
        node_tree = np.repeat(node_tree[ok], 2)
        known_const = np.repeat(known_const[ok], 2, axis=0)
        if depth + 1 >= max_depth:
            # the children are leaves: no further sorting
            cid = child[perm]
            leaf_of[vs] = nodes.n + cid
            nc = len(child_sizes)
            tot = np.stack([np.bincount(cid, weights=SV[vs, c], minlength=nc) for c in range(SV.shape[1])], 1)
            value, imp, wsum = node_value_impurity(criterion, tot)
            nodes.add(feature=np.full(nc, _UNDEFINED), threshold=np.full(nc, float(_UNDEFINED)),
                      left=np.full(nc, _LEAF), right=np.full(nc, _LEAF), value=value, impurity=imp,
                      n_node_samples=child_sizes, weighted_n_node_samples=wsum)
            tree_parts.append(node_tree)
            break
        starts = np.concatenate([[0], np.cumsum(child_sizes)])
        depth += 1
    return _by_tree(nodes.finish(), np.concatenate(tree_parts), leaf_of, T)


def _by_tree(flat, tree_of, leaf_of, T):
    """Reorder level-major nodes of several trees into consecutive per-tree blocks."""
    perm = np.argsort(tree_of, kind="stable")
    newid = np.empty_like(perm)
    newid[perm] = np.arange(len(perm))
    out = {k: v[perm] for k, v in flat.items() if k != "depth"}
    for k in ("left", "right"):
        out[k] = np.where(out[k] >= 0, newid[np.maximum(out[k], 0)], _LEAF).astype(np.int32)
    counts = np.bincount(tree_of, minlength=T)
    out["tree_offsets"] = np.concatenate([[0], np.cumsum(counts)])
    # depth of every node: parents come before children, one pass per level
    depth = np.zeros(len(perm), dtype=np.int64)
    internal = np.flatnonzero(out["left"] >= 0)
    for _ in range(flat["depth"]):  # loop over levels, vectorised over nodes
        depth[out["left"][internal]] = depth[internal] + 1
        depth[out["right"][internal]] = depth[internal] + 1
    tree_id = np.repeat(np.arange(T), counts)
    td = np.zeros(T, dtype=np.int64)
    np.maximum.at(td, tree_id, depth)
    out["tree_depths"] = td
    out["depth"] = int(td.max()) if T else 0
    return out, np.where(leaf_of >= 0, newid[np.maximum(leaf_of, 0)], _LEAF).astype(np.int32)


def grow_exact_sampled(samples, X, drank, S, criterion, *, max_depth, max_features, rng,
                       min_samples_split=2, min_samples_leaf=1):
    """One tree with ``max_features`` drawn per node (see :func:`grow_forest_sampled`).

    ``samples`` (m,) are the training rows. Returns ``(nodes, leaf_of)`` with ``leaf_of``
    indexed by data row, like :func:`mlcore_trees._grow.grow_exact`.
    """
    samples = np.asarray(samples, dtype=np.int64)
    nodes, leaf_v = grow_forest_sampled(samples, np.zeros(len(samples), dtype=np.int64), S[samples], X,
                                        drank, criterion, [rng], max_depth=max_depth,
                                        max_features=max_features, min_samples_split=min_samples_split,
                                        min_samples_leaf=min_samples_leaf)
    leaf_of = np.full(S.shape[0], _LEAF, dtype=np.int32)
    leaf_of[samples] = leaf_v
    for k in ("tree_offsets", "tree_depths"):
        nodes.pop(k)
    return nodes, leaf_of
