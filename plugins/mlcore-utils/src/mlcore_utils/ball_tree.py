"""Ball tree: vectorised construction and batched k-nearest-neighbour and radius queries."""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

from mlcore.validation import check_is_fitted, check_scalar

from .metrics import get_metric
from .neighbors import _as_query, exact_sorted, merge_topk

__all__ = ["BallTree"]

_PAIR_BLOCK = 1 << 18   # (query, node) pairs whose bounds are computed at once
_PAIR_BUDGET = 1 << 22  # bounds the (query, leaf) pairs of one chunk of queries
_DENSE_FRACTION = 0.3   # above this fraction of surviving pairs, bound all leaves at once
_SPREAD_SAMPLE = 256    # points per node that choose the split coordinate of large nodes


class BallTree:
    """Ball tree for nearest-neighbour search under any metric of the ``metric`` kind.

    Parameters
    ----------
    X : array-like (n, d), optional
        Points to index; same as calling :meth:`fit`.
    leaf_size : int, default 40
        Leaves hold between about ``leaf_size / 2`` and ``leaf_size`` points.
    metric : Metric or spec string, default "euclidean"
        Any true metric (the triangle inequality is what makes pruning exact).

    Attributes
    ----------
    data_ : ndarray (n, d)
        The indexed points, in tree order (``data_[i]`` is ``X[idx_array_[i]]``).
    idx_array_ : ndarray of int (n,)
    node_start_, node_end_ : ndarray of int (n_nodes,)
        Node ``i`` holds ``data_[node_start_[i]:node_end_[i]]``; its children are
        ``2i + 1`` and ``2i + 2`` (a complete binary tree stored as flat arrays).
    centroids_ : ndarray (n_nodes, d)
    radii_ : ndarray (n_nodes,)
        Largest distance from a node's centroid to its points.

    Notes
    -----
    **Construction**, level by level for all nodes at once: each node's points are
    split at the median of its widest coordinate (one ``argsort`` by (node, coordinate)
    per level), as in scikit-learn (when every node of a level holds at least 512 points,
    the widest coordinate is judged on a regular subsample of at least 256 points per node); ``n_levels = 1 + floor(log2((n - 1) / leaf_size))``.
    Centroids are node means; radii the largest metric distance to the centroid.

    **k-NN query**, for a batch of queries at once. The distance from a query ``q`` to
    any point of a node is bounded below by the larger of the ball bound
    ``d(q, c) - r`` (triangle inequality) and the box bound (the metric of the gaps
    between ``q`` and the node's bounding box).

    1. Every query descends to a leaf (one vectorised step per level, following the
       child with the smaller bound); queries are then sorted by leaf and processed in
       chunks, so neighbouring queries share work.
    2. Each query scans the node holding it (its leaf, or the ancestor with at least
       ``k`` points) with one vectorised gather: its k-th distance ``u_q`` is an upper bound.
    3. Breadth-first expansion of (query, node) pairs, level by level for all queries,
       keeps the pairs whose bound is below ``u_q`` (when pruning is poor, the bounds of
       all leaves are computed at once instead).
    4. Every surviving leaf is processed once for all the queries that still need it
       (bounds re-checked as they tighten): one block of distances (one matrix product
       for Euclidean) merged into each query's top k with ``argpartition``.

    Python loops run over tree levels and leaves, never over queries or points. The k
    found are finally re-measured exactly (an exact match has distance 0) and sorted by
    (distance, index). ``query_radius`` uses steps 3-4 with ``u_q = r``.

    References
    ----------
    Omohundro, S. M. (1989). Five balltree construction algorithms. ICSI TR-89-063.
    Liu, T., Moore, A. and Gray, A. (2006). New algorithms for efficient
    high-dimensional nonparametric classification. JMLR 7.

    Example
    -------
    >>> import numpy as np
    >>> from mlcore_utils import BallTree
    >>> X = np.random.default_rng(0).normal(size=(1000, 3))
    >>> dist, ind = BallTree(X, leaf_size=20).query(X[:5], k=2)
    >>> ind[:, 0].tolist()
    [0, 1, 2, 3, 4]
    """

    def __init__(self, X=None, leaf_size: int = 40, metric="euclidean"):
        self.leaf_size = check_scalar(leaf_size, "leaf_size", numbers.Integral, low=1)
        self.metric = metric
        self.metric_ = get_metric(metric)
        if X is not None:
            self.fit(X)

    # ------------------------------------------------------------------ construction
    def fit(self, X):
        """Build the tree on ``X`` (n, d); returns self. ``X`` is copied, never modified."""
        metric = self.metric_
        X = metric._check(X, "X", 2)
        n, d = X.shape
        n_levels = 1 + math.floor(math.log2(max(1.0, (n - 1) / self.leaf_size)))
        n_nodes = 2 ** n_levels - 1
        idx = np.arange(n)
        starts, ends = np.array([0]), np.array([n])
        node_start = np.empty(n_nodes, dtype=np.intp)
        node_end = np.empty(n_nodes, dtype=np.intp)
        XT = np.ascontiguousarray(X.T)           # (d, n): reductions along contiguous rows
        for level in range(n_levels):  # loop over the tree's ~log2(n / leaf_size) levels
            first = 2 ** level - 1
            node_start[first:first + len(starts)] = starts
            node_end[first:first + len(starts)] = ends
            if level == n_levels - 1:
                break
            seg = np.repeat(np.arange(len(starts)), ends - starts)
            stride = max(1, int((ends - starts).min()) // _SPREAD_SAMPLE)
            if stride == 1:
                Xp = XT[:, idx]
                lo = np.minimum.reduceat(Xp, starts, axis=1).T
                spread = np.maximum.reduceat(Xp, starts, axis=1).T - lo
                dim = np.argmax(spread, axis=1)
                node_lo = lo[np.arange(len(starts)), dim]
                node_spread = spread[np.arange(len(starts)), dim]
                vals = Xp[dim[seg], np.arange(n)]
                del Xp
            else:
                # large nodes: the widest coordinate judged on every stride-th point (at
                # least _SPREAD_SAMPLE per node), then that coordinate's exact range
                sp = np.arange(0, n, stride)
                Xs = XT[:, idx[sp]]
                s_starts = np.searchsorted(sp, starts)
                dim = np.argmax(np.maximum.reduceat(Xs, s_starts, axis=1)
                                - np.minimum.reduceat(Xs, s_starts, axis=1), axis=0)
                del Xs
                vals = XT[dim[seg], idx]
                node_lo = np.minimum.reduceat(vals, starts)
                node_spread = np.maximum.reduceat(vals, starts) - node_lo
            # sort by (node, coordinate) with one argsort: node id + coordinate scaled into [0, 0.5]
            scaled = (vals - node_lo[seg]) / np.where(node_spread > 0, 2 * node_spread, 1.0)[seg]
            del vals
            idx = idx[np.argsort(seg + scaled, kind="stable")]
            mids = starts + (ends - starts) // 2
            starts = np.stack([starts, mids], axis=1).ravel()
            ends = np.stack([mids, ends], axis=1).ravel()
        dataT = XT[:, idx]
        del XT
        data = np.ascontiguousarray(dataT.T)
        centroids = np.empty((n_nodes, d))
        radii = np.empty(n_nodes)
        for level in range(n_levels):  # node statistics, one vectorised pass per level
            nodes = np.arange(2 ** level - 1, 2 ** (level + 1) - 1)
            s, e = node_start[nodes], node_end[nodes]
            cent = np.add.reduceat(dataT, s, axis=1).T / (e - s)[:, None]
            seg = np.repeat(np.arange(len(nodes)), e - s)
            centroids[nodes] = cent
            radii[nodes] = np.maximum.reduceat(metric._rowwise(data, cent[seg]), s)
        self.data_, self.idx_array_ = data, idx
        self.node_start_, self.node_end_ = node_start, node_end
        self.centroids_, self.radii_ = centroids, radii
        self.n_levels_ = n_levels
        self._prepare_leaves(dataT)
        return self

    def _prepare_leaves(self, dataT=None):
        n_nodes = len(self.node_start_)
        self._first_leaf = n_nodes - 2 ** (self.n_levels_ - 1)
        sizes = self.node_end_ - self.node_start_
        self._level_min = np.array([sizes[2 ** lv - 1:2 ** (lv + 1) - 1].min() for lv in range(self.n_levels_)])
        lo = np.empty_like(self.centroids_)
        hi = np.empty_like(self.centroids_)
        dataT = np.ascontiguousarray(self.data_.T) if dataT is None else dataT
        # bounding boxes: the leaves from their points, every parent from its two children
        # (exact: a min of mins), one vectorised pass per level going up
        leaves = slice(self._first_leaf, n_nodes)
        lo[leaves] = np.minimum.reduceat(dataT, self.node_start_[leaves], axis=1).T
        hi[leaves] = np.maximum.reduceat(dataT, self.node_start_[leaves], axis=1).T
        del dataT
        for level in range(self.n_levels_ - 2, -1, -1):  # loop over levels, bottom up
            nodes = np.arange(2 ** level - 1, 2 ** (level + 1) - 1)
            np.minimum(lo[2 * nodes + 1], lo[2 * nodes + 2], out=lo[nodes[0]:nodes[-1] + 1])
            np.maximum(hi[2 * nodes + 1], hi[2 * nodes + 2], out=hi[nodes[0]:nodes[-1] + 1])
        self._node_lo, self._node_hi = lo, hi
        # the Euclidean expansion ||q||^2 + ||p||^2 - 2 q.p runs on data centred on its mean:
        # its rounding error scales with the squared norms, far from the origin with the offset
        gemm = self.metric_._gemm
        self._shift = self.data_.mean(axis=0) if gemm else None
        centred = self.data_ - self._shift if gemm else None
        self._data_sq = np.einsum("ij,ij->i", centred, centred) if gemm else None
        if gemm:
            centred *= -2.0
        self._data_m2 = centred

    # ------------------------------------------------------------------ traversal
    def _pair_lb(self, Q, qi, nodes):
        """Lower bounds (P,) of the distance from queries ``Q[qi]`` to the points of ``nodes``.

        The larger of the ball bound ``d(q, c) - r`` (triangle inequality) and the box
        bound (the metric applied to the per-coordinate gaps between ``q`` and the
        node's bounding box), computed pair by pair in blocks.
        """
        metric = self.metric_
        out = np.empty(len(qi))
        for s in range(0, len(qi), _PAIR_BLOCK):  # blocks bound the (pairs, d) temporaries
            q, nd = Q[qi[s:s + _PAIR_BLOCK]], nodes[s:s + _PAIR_BLOCK]
            ball = metric._rowwise(q, self.centroids_[nd]) - self.radii_[nd]
            gap = np.maximum(self._node_lo[nd] - q, q - self._node_hi[nd])
            np.maximum(gap, 0.0, out=gap)
            box = metric._reduce(gap if metric._numeric else gap > 0)
            out[s:s + _PAIR_BLOCK] = np.maximum(ball, box * (1 - 1e-12))
        return out

    def _descend(self, Q):
        """Leaf of every query, following the child with the smaller lower bound."""
        node = np.zeros(len(Q), dtype=np.intp)
        rows = np.arange(len(Q))
        for _ in range(self.n_levels_ - 1):  # one vectorised step per level
            left = 2 * node + 1
            go_right = self._pair_lb(Q, rows, left + 1) < self._pair_lb(Q, rows, left)
            node = left + go_right
        return node

    def _candidate_pairs(self, Q, qi, ub, inclusive=False, skip=None):
        """(query, leaf, lower bound) pairs whose bound beats ``ub``, sorted by leaf.

        Breadth-first over the tree for all queries at once: the pairs of a level are
        expanded to both children and filtered; ``skip[q]`` is a node already scanned.
        """
        nodes = np.zeros(len(qi), dtype=np.intp)
        lb = np.zeros(len(qi))
        n_queries = len(qi)
        for level in range(1, self.n_levels_):  # one vectorised step per level
            if level >= 4 and len(qi) > _DENSE_FRACTION * n_queries * 2 ** (level - 1):
                return self._dense_pairs(Q, ub, inclusive, skip)   # little pruning: all leaves at once
            qi = np.repeat(qi, 2)
            nodes = (2 * np.repeat(nodes, 2) + 1) + np.tile([0, 1], len(nodes))
            lb = self._pair_lb(Q, qi, nodes)
            keep = lb <= ub[qi] if inclusive else lb < ub[qi]
            qi, nodes, lb = qi[keep], nodes[keep], lb[keep]
        if skip is not None:
            sk = skip[qi]
            keep = (self.node_start_[nodes] < self.node_start_[sk]) | (self.node_end_[nodes] > self.node_end_[sk])
            qi, nodes, lb = qi[keep], nodes[keep], lb[keep]
        order = np.argsort(nodes, kind="stable")
        return qi[order], nodes[order], lb[order]

    def _dense_pairs(self, Q, ub, inclusive, skip):
        """Same as :meth:`_candidate_pairs` from the dense (queries, leaves) bound matrix,
        computed a block of leaves at a time (temporaries of about ``_PAIR_BLOCK`` pairs)."""
        leaves = np.arange(self._first_leaf, len(self.node_start_))
        nq = len(Q)
        lb_ = max(1, _PAIR_BLOCK // max(nq, 1))
        gemm = self.metric_._gemm
        if gemm:
            Qc = Q - self._shift
            Q_sq = np.einsum("ij,ij->i", Qc, Qc)
        parts = []
        for a in range(0, len(leaves), lb_):  # loop over blocks of leaves
            blk = leaves[a:a + lb_]
            lb = self._dense_bounds(Q, blk, Qc if gemm else None, Q_sq if gemm else None)
            need = lb <= ub[:, None] if inclusive else lb < ub[:, None]
            if skip is not None:  # leaves inside the already scanned node
                inside = (self.node_start_[blk][None, :] >= self.node_start_[skip][:, None]) & \
                         (self.node_end_[blk][None, :] <= self.node_end_[skip][:, None])
                need &= ~inside
            li, qi = np.nonzero(need.T)
            parts.append((qi, blk[li], lb[qi, li]))
        return tuple(np.concatenate(c) for c in zip(*parts))

    def _dense_bounds(self, Q, leaves, Qc, Q_sq):
        """Lower bounds (nq, len(leaves)) of the distances from every query to every leaf."""
        metric = self.metric_
        C = self.centroids_[leaves]
        if metric._gemm:  # ||q - c||^2 by one product; widened by the expansion's error scale
            Cc = C - self._shift
            C_sq = np.einsum("ij,ij->i", Cc, Cc)
            r = metric._rdist_block(Qc, Cc, Q_sq, C_sq) - 1e-9 * (Q_sq[:, None] + C_sq[None, :])
            dc = np.sqrt(np.maximum(r, 0.0))
        else:
            dc = metric._rdist_to_dist(metric._exact_rdist(Q, C))
        lb = dc - self.radii_[leaves][None, :]
        acc = np.zeros_like(lb)
        for j in range(Q.shape[1]):  # one coordinate at a time: (nq, n_leaves) arrays only
            gap = np.subtract.outer(Q[:, j], self._node_hi[leaves, j])
            np.maximum(gap, np.subtract.outer(-Q[:, j], -self._node_lo[leaves, j]), out=gap)
            np.maximum(gap, 0.0, out=gap)
            acc = metric._box_accumulate(acc, gap)
        np.maximum(lb, metric._box_to_dist(acc, Q.shape[1]) * (1 - 1e-12), out=lb)
        return lb

    # ------------------------------------------------------------------ queries
    def query(self, X, k: int = 1, return_distance: bool = True):
        """The ``k`` nearest indexed points of every row of ``X``.

        Parameters
        ----------
        X : array-like (nq, d) or (d,)
        k : int, 1 <= k <= n
        return_distance : bool

        Returns
        -------
        dist : ndarray (nq, k)
            Sorted ascending; only if ``return_distance``.
        ind : ndarray of int (nq, k)
            Row indices into the ``X`` given to :meth:`fit` (equal distances by index).
        """
        check_is_fitted(self, "data_")
        metric = self.metric_
        Q = _as_query(metric, X, self.data_.shape[1])
        k = check_scalar(k, "k", numbers.Integral, low=1, high=len(self.data_))
        dist = np.empty((len(Q), k))
        ind = np.empty((len(Q), k), dtype=np.intp)
        leaf = self._descend(Q)
        order = np.argsort(leaf, kind="stable")       # neighbouring queries share leaves
        step = int(np.clip(_PAIR_BUDGET // (len(self.node_start_) - self._first_leaf), 256, 1 << 16))
        for s in range(0, len(Q), step):  # chunks of spatially sorted queries bound the pair arrays
            rows = order[s:s + step]
            dist[rows], ind[rows] = self._query_chunk(Q[rows], leaf[rows], k)
        return (dist, ind) if return_distance else ind

    def _query_chunk(self, Q, leaf, k):
        metric, data = self.metric_, self.data_
        nq = len(Q)
        # 1. scan the node that holds each query: its leaf, or the ancestor with >= k points
        level = int(np.flatnonzero(self._level_min >= k)[-1]) if self._level_min[0] >= k else 0
        scan = ((leaf + 1) >> (self.n_levels_ - 1 - level)) - 1
        s0, e0 = self.node_start_[scan], self.node_end_[scan]
        m = int((e0 - s0).max())
        pos = s0[:, None] + np.arange(m)[None, :]
        valid = pos < e0[:, None]
        pos = np.where(valid, pos, s0[:, None])
        pts = data[pos]
        r = metric._reduce_r(pts - Q[:, None, :] if metric._numeric else pts != Q[:, None, :])
        r[~valid] = np.inf
        part = np.argpartition(r, k - 1, axis=1)[:, :k] if k < m else np.argsort(r, axis=1)[:, :k]
        best_r = np.take_along_axis(r, part, 1)
        best_i = np.take_along_axis(pos, part, 1)
        kth = best_r.max(axis=1)
        ub = metric._rdist_to_dist(kth) * (1 + 1e-7)
        # 2. the other leaves whose bound beats u_q, each once for all the queries needing it
        qi, leaves, lbs = self._candidate_pairs(Q, np.arange(nq), ub, skip=scan)
        bounds = np.flatnonzero(np.diff(leaves, prepend=-1, append=-1))
        gemm = metric._gemm
        Qc = Q - self._shift if gemm else None         # centred as the data (see _prepare_leaves)
        Q_sq = np.einsum("ij,ij->i", Qc, Qc) if gemm else None
        for a, b in itertools.pairwise(bounds):  # loop over leaves, not points
            q = qi[a:b][lbs[a:b] < ub[qi[a:b]]]        # bounds have tightened since
            if not q.size:
                continue
            s, e = self.node_start_[leaves[a]], self.node_end_[leaves[a]]
            if gemm:  # r - ||q||^2 = ||p||^2 - 2 q.p: one product and one pass, ||q||^2 added if needed
                R = Qc[q] @ self._data_m2[s:e].T
                R += self._data_sq[None, s:e]
                thr = kth[q] - Q_sq[q]
            else:
                R = metric._rdist_block(Q[q], data[s:e])
                thr = kth[q]
            better = R.min(axis=1) < thr                 # most blocks improve no query: skip them
            if not better.any():
                continue
            q, R = q[better], R[better]
            if gemm:
                R += Q_sq[q][:, None]
            br, bi = merge_topk(best_r[q], best_i[q], R, np.arange(s, e), k)
            best_r[q], best_i[q] = br, bi
            kth[q] = br.max(axis=1)
            ub[q] = metric._rdist_to_dist(kth[q]) * (1 + 1e-7)
        return exact_sorted(metric, Q, data, best_i, k, labels=self.idx_array_)

    def query_radius(self, X, r, return_distance: bool = False, count_only: bool = False,
                     sort_results: bool = False):
        """Indexed points within distance ``r`` (inclusive) of every row of ``X``.

        Parameters
        ----------
        X : array-like (nq, d) or (d,)
        r : float or array-like (nq,)
        return_distance, count_only, sort_results : bool
            As in scikit-learn; ``sort_results`` sorts each result by distance.

        Returns
        -------
        ind : ndarray of object (nq,), each an int array (counts (nq,) if ``count_only``)
        dist : ndarray of object (nq,) (only if ``return_distance``)
        """
        check_is_fitted(self, "data_")
        metric, data = self.metric_, self.data_
        Q = _as_query(metric, X, data.shape[1])
        r = np.broadcast_to(np.asarray(r, dtype=float), (len(Q),))
        if np.any(r < 0) or not np.all(np.isfinite(r)):
            raise ValueError("r must be finite and non-negative")
        qi, leaves, _ = self._candidate_pairs(Q, np.arange(len(Q)), r * (1 + 1e-7), inclusive=True)
        bounds = np.flatnonzero(np.diff(leaves, prepend=-1, append=-1))
        ns, ne = self.node_start_, self.node_end_
        parts_q: list[np.ndarray] = []
        parts_i: list[np.ndarray] = []
        parts_d: list[np.ndarray] = []
        for a, b in itertools.pairwise(bounds):  # loop over leaves, not points
            q, j = qi[a:b], leaves[a]
            D = metric._rdist_to_dist(metric._exact_rdist(Q[q], data[ns[j]:ne[j]]))
            qq, pp = np.nonzero(D <= r[q][:, None])
            parts_q.append(q[qq])
            parts_i.append(self.idx_array_[ns[j] + pp])
            parts_d.append(D[qq, pp])
        hq = np.concatenate(parts_q) if parts_q else np.zeros(0, dtype=np.intp)
        hi = np.concatenate(parts_i) if parts_i else np.zeros(0, dtype=np.intp)
        hd = np.concatenate(parts_d) if parts_d else np.zeros(0)
        order = np.lexsort((hd, hq)) if sort_results else np.argsort(hq, kind="stable")
        counts = np.bincount(hq, minlength=len(Q))
        if count_only:
            return counts
        split = np.cumsum(counts)[:-1]
        ind = np.empty(len(Q), dtype=object)
        ind[:] = np.split(hi[order], split)
        if not return_distance:
            return ind
        dist = np.empty(len(Q), dtype=object)
        dist[:] = np.split(hd[order], split)
        return ind, dist
