"""A readable CART tree grower, one node at a time, beside the level-wise fast one.

:mod:`mlcore_trees._grow` grows a whole depth level at once on flat arrays: per-feature
sorted orders regrouped by node, one ``cumsum`` over every candidate cut of every feature of
every node, split-dependent "proxy" gains. That is fast and hard to read. :func:`grow_tree`
is Breiman et al.'s algorithm as a textbook states it: take a node from a queue, try every
feature and every threshold between two consecutive distinct values, keep the cut with the
largest weighted impurity decrease, split, repeat. It is not used by the estimators;
``tests/test_trees_reference.py`` checks that :class:`~mlcore_trees.tree.DecisionTree`
(``splitter="exact"``, all features) grows the same tree: same structure, features and
thresholds exactly, node values and impurities to rounding.
"""

from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["grow_tree", "impurity"]

#: A node whose impurity is at most this is pure (not split), as the fast grower.
PURE = 10 * np.finfo(np.float64).eps
#: Relative tolerance under which two impurity decreases are treated as equal (a tie).
TIE_RTOL = 1e-12


def impurity(criterion, y, w, n_classes=None):
    """Weighted node value and impurity.

    Parameters
    ----------
    criterion : {"gini", "entropy", "squared_error"}
    y : ndarray (m,)
        Class indices 0..K-1 (classification) or real targets.
    w : ndarray (m,)
        Positive sample weights.
    n_classes : int
        K (classification).

    Returns
    -------
    value : ndarray
        Class proportions ``p_k = sum_{y_i = k} w_i / W`` (K,) or the weighted mean (1,).
    imp : float
        Gini ``1 - sum_k p_k^2``, entropy ``-sum_k p_k log2 p_k`` or the weighted variance
        ``sum_i w_i (y_i - mean)^2 / W``.
    """
    W = w.sum()
    if criterion == "squared_error":
        mean = np.sum(w * y) / W
        return np.array([mean]), float(np.sum(w * (y - mean) ** 2) / W)
    p = np.bincount(y, weights=w, minlength=n_classes) / W
    if criterion == "gini":
        return p, float(1.0 - np.sum(p * p))
    nz = p[p > 0]
    return p, float(-np.sum(nz * np.log2(nz)))


def _best_split(X, y, w, criterion, n_classes, min_samples_leaf):
    """Best (feature, threshold, gain) of one node, or None when no cut is allowed.

    The gain of a cut is the weighted impurity decrease ``W I - W_L I_L - W_R I_R``.
    Thresholds are midpoints between consecutive distinct values; a cut must leave at least
    ``min_samples_leaf`` samples on each side. Ties (equal up to ``TIE_RTOL``, i.e. equal in
    exact arithmetic) go to the lowest feature index, then the lowest threshold.
    """
    m, d = X.shape
    W = w.sum()
    _, I = impurity(criterion, y, w, n_classes)
    best = None
    for j in range(d):  # every feature ...
        values = np.unique(X[:, j])
        for lo, hi in zip(values[:-1], values[1:]):  # ... every cut between distinct values
            left = X[:, j] <= lo
            n_left = int(left.sum())
            if n_left < min_samples_leaf or m - n_left < min_samples_leaf:
                continue
            wl, wr = w[left].sum(), w[~left].sum()
            _, il = impurity(criterion, y[left], w[left], n_classes)
            _, ir = impurity(criterion, y[~left], w[~left], n_classes)
            gain = W * I - wl * il - wr * ir
            if best is None or gain > best[2] + TIE_RTOL * max(abs(best[2]), W * I):
                t = lo / 2.0 + hi / 2.0           # midpoint (hi when it rounds up to hi)
                best = (j, lo if t == hi or not np.isfinite(t) else t, gain)
    return best


def grow_tree(X, y, criterion, *, sample_weight=None, n_classes=None, max_depth=None, min_samples_split=2,
              min_samples_leaf=1):
    """Grow a CART tree (Breiman et al. 1984), node by node in breadth-first order.

    Parameters
    ----------
    X : ndarray (n, d)
    y : ndarray (n,)
        Class indices 0..K-1 (``gini``, ``entropy``) or real targets (``squared_error``).
    criterion : {"gini", "entropy", "squared_error"}
    sample_weight : ndarray (n,), optional
        Non-negative weights; samples of weight 0 take no part (as in the estimators).
    n_classes : int, optional
        K (default ``y.max() + 1``).
    max_depth : int or None
        The root has depth 0.
    min_samples_split, min_samples_leaf : int
        Counts of samples (not weights), as scikit-learn.

    Returns
    -------
    dict of ndarray
        The flat arrays of :class:`~mlcore_trees.tree.DecisionTree`, nodes numbered
        breadth first: ``children_left``, ``children_right`` (-1 at leaves), ``feature``
        (-2 at leaves), ``threshold`` (-2.0 at leaves; go left when
        ``x[feature] <= threshold``), ``value`` (n_nodes, K or 1), ``impurity``,
        ``n_node_samples``, ``weighted_n_node_samples``.

    Notes
    -----
    A node is split when it is shallower than ``max_depth``, holds at least
    ``min_samples_split`` and ``2 min_samples_leaf`` samples, is not pure (impurity above
    ``PURE``), and some cut is allowed. The cut maximises

    .. math:: \\Delta = W\\, I(t) - W_L\\, I(t_L) - W_R\\, I(t_R)

    over every feature and every threshold (Breiman et al., ch. 4 and 8).

    References
    ----------
    Breiman, Friedman, Olshen and Stone (1984). Classification and Regression Trees.
    Wadsworth.
    """
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    keep = w > 0
    X, y, w = X[keep], np.asarray(y)[keep], w[keep]
    if criterion != "squared_error" and n_classes is None:
        n_classes = int(y.max()) + 1
    max_depth = np.inf if max_depth is None else max_depth
    nodes = []                                  # in breadth-first order
    queue = deque([(np.arange(len(X)), 0)])     # (samples of the node, depth)
    while queue:  # one node per iteration: the reference favours clarity over speed
        idx, depth = queue.popleft()
        value, imp = impurity(criterion, y[idx], w[idx], n_classes)
        node = {"value": value, "impurity": imp, "n_node_samples": len(idx),
                "weighted_n_node_samples": w[idx].sum(), "feature": -2, "threshold": -2.0,
                "children_left": -1, "children_right": -1}
        nodes.append(node)
        if depth >= max_depth or len(idx) < max(min_samples_split, 2 * min_samples_leaf) or imp <= PURE:
            continue
        split = _best_split(X[idx], y[idx], w[idx], criterion, n_classes, min_samples_leaf)
        if split is None:
            continue
        j, t, _ = split
        node["feature"], node["threshold"] = j, t
        # children get the next free breadth-first ids: all nodes queued so far come first
        node["children_left"] = len(nodes) + len(queue)
        node["children_right"] = node["children_left"] + 1
        queue.append((idx[X[idx, j] <= t], depth + 1))
        queue.append((idx[X[idx, j] > t], depth + 1))
    return {k: np.array([nd[k] for nd in nodes]) for k in nodes[0]}
