"""Shared pieces of the tree estimators: validation, targets, flat-array traversal."""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.validation import check_choice, check_sample_weight, check_scalar, validate_data

TASKS = ("classification", "regression")
CLASSIFICATION_CRITERIA = ("gini", "entropy")
REGRESSION_CRITERIA = ("squared_error",)
SPLITTERS = ("exact", "hist")
NODE_KEYS = ("children_left", "children_right", "feature", "threshold", "value", "impurity",
             "n_node_samples", "weighted_n_node_samples")


def check_tree_params(est, *, criterion=True):
    """Validate the hyperparameters shared by the tree estimators (constructor-time)."""
    check_choice(est.task, "task", TASKS)
    if criterion:
        allowed = CLASSIFICATION_CRITERIA if est.task == "classification" else REGRESSION_CRITERIA
        if est.criterion is not None:
            check_choice(est.criterion, "criterion", allowed)
    check_scalar(est.max_depth, "max_depth", numbers.Integral, low=1, allow_none=True)
    check_scalar(est.min_samples_split, "min_samples_split", numbers.Integral, low=2)
    check_scalar(est.min_samples_leaf, "min_samples_leaf", numbers.Integral, low=1)
    check_choice(est.splitter, "splitter", SPLITTERS)
    check_scalar(est.max_bins, "max_bins", numbers.Integral, low=2, high=256)
    mf = getattr(est, "max_features", None)
    if isinstance(mf, str):
        check_choice(mf, "max_features", ("sqrt", "log2"))
    elif isinstance(mf, float):
        check_scalar(mf, "max_features", numbers.Real, low=0.0, high=1.0, low_inclusive=False)
    elif mf is not None:
        check_scalar(mf, "max_features", numbers.Integral, low=1)
    rs = est.random_state
    if not (rs is None or isinstance(rs, (numbers.Integral, np.random.Generator))) or isinstance(rs, bool):
        raise ComponentArgumentError(f"random_state must be an int, a numpy Generator or None, got {rs!r}")


def resolve_max_features(max_features, d):
    """Number of features drawn per split (None: all)."""
    if max_features is None:
        return d
    if max_features == "sqrt":
        return max(1, int(math.sqrt(d)))
    if max_features == "log2":
        return max(1, int(math.log2(d)))
    if isinstance(max_features, float):
        return max(1, int(max_features * d))
    if max_features > d:
        raise ValueError(f"max_features={max_features} exceeds the number of features {d}")
    return int(max_features)


def check_fit_input(X, y, task, sample_weight=None, est=None):
    """Validated float64 X (n, d), targets and weights (``est``'s ``n_features_in_`` is set).
    Classification returns encoded labels."""
    X, y = validate_data(est, X, y, dtype=np.float64, y_numeric=task != "classification")
    if task == "classification":
        classes, enc = np.unique(y, return_inverse=True)
        if classes.dtype == object:
            classes = classes.astype(str)
    else:
        classes, enc = None, y.astype(np.float64, copy=False)
    w = check_sample_weight(sample_weight, len(X))
    return X, enc, classes, (np.ones(len(X)) if w is None else w)


def target_shift(task, y_enc, w):
    """Weighted mean of a regression target (0 for classification).

    The regression growers sum ``w y`` and ``w y^2`` and take impurities as
    ``sum w y^2 / W - (sum w y / W)^2``: on a target far from 0 (mean >> std) that
    difference cancels about ``log10(mean^2 / var)`` digits. Growing on ``y - shift`` and
    adding ``shift`` to the node values gives the same tree without the cancellation. The
    shift is applied only when more than four digits would be lost (``mean^2 > 1e4 var``),
    so that ordinary targets keep node values bit-identical to scikit-learn's (which uses
    the uncentred sums).
    """
    if task == "classification":
        return 0.0
    mean = float(w @ y_enc / w.sum())
    var = float(w @ (y_enc - mean) ** 2 / w.sum())
    return mean if mean * mean > 1e4 * var else 0.0


def sample_stats(task, y_enc, w, n_classes=None, shift=0.0):
    """Per-sample statistics S used by the growers (see ``_grow``); regression targets
    enter as ``y - shift`` (see :func:`target_shift`)."""
    if task == "classification":
        S = np.zeros((len(y_enc), n_classes))
        S[np.arange(len(y_enc)), y_enc] = w
        return S
    yc = y_enc - shift
    return np.stack([w, w * yc, w * yc * yc], axis=1)


def check_predict_input(est, X):
    """X (n, n_features_in_) as float64 for a fitted ``est``."""
    return validate_data(est, X, reset=False, dtype=np.float64)


def score(est, X, y, sample_weight=None) -> float:
    """Accuracy (classification) or R^2 (regression), from the core mixins."""
    from mlcore.interfaces import ClassifierMixin, RegressorMixin

    mixin = ClassifierMixin if est.task == "classification" else RegressorMixin
    return mixin.score(est, X, y, sample_weight)


def traverse(X, feature, threshold, left, right, roots, depth):
    """Leaf reached by every row of X in every tree: (n, T) node ids.

    One vectorised step per tree level (``depth`` steps): leaves point to themselves, so
    all (row, tree) pairs advance together.
    """
    n, d = X.shape
    is_leaf = left < 0
    ids = np.arange(len(left), dtype=np.int64)
    L = np.where(is_leaf, ids, left)
    R = np.where(is_leaf, ids, right)
    f = np.where(is_leaf, 0, feature).astype(np.int64)
    node = np.broadcast_to(np.asarray(roots, dtype=np.int64), (n, len(roots))).copy()
    Xf = X.ravel()
    rowoff = (np.arange(n, dtype=np.int64) * d)[:, None]
    for _ in range(int(depth)):
        go = Xf[rowoff + f[node]] <= threshold[node]
        node = np.where(go, L[node], R[node])
    return node


def concat_trees(trees):
    """Concatenate per-tree node dicts into flat arrays with global child ids."""
    sizes = np.array([len(t["impurity"]) for t in trees], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    out = {}
    for k, src in (("children_left", "left"), ("children_right", "right")):
        out[k] = np.concatenate([np.where(t[src] >= 0, t[src] + o, -1) for t, o in zip(trees, offsets)]
                                ).astype(np.int32)
    for k in NODE_KEYS[2:]:
        out[k] = np.concatenate([t[k] for t in trees])
    out["tree_offsets"] = offsets
    out["tree_depths"] = np.array([t["depth"] for t in trees], dtype=np.int64)
    return out


def rename_nodes(t):
    """Node dict from the growers -> estimator attribute names (children_left/right)."""
    out = {k: t[k] for k in NODE_KEYS[2:]}
    out["children_left"] = t["left"]
    out["children_right"] = t["right"]
    return out


def feature_importances(n_features, feature, left, right, impurity, weighted, offsets=None):
    """Mean-decrease-in-impurity importances, normalised per tree then averaged."""
    internal = left >= 0
    dec = np.zeros(len(left))
    li, ri = left[internal], right[internal]
    dec[internal] = weighted[internal] * impurity[internal] - weighted[li] * impurity[li] \
        - weighted[ri] * impurity[ri]
    if offsets is None:
        offsets = np.array([0, len(left)])
    tree_of = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    T = len(offsets) - 1
    imp = np.zeros((T, n_features))
    np.add.at(imp, (tree_of[internal], feature[internal]), dec[internal])
    imp /= weighted[offsets[:-1]][:, None]
    s = imp.sum(axis=1, keepdims=True)
    imp = np.divide(imp, s, out=np.zeros_like(imp), where=s > 0)
    out = imp.mean(axis=0)
    s = out.sum()
    return out / s if s > 0 else out


def progress_iter(iterable, progress, total=None, desc=None):
    """Wrap in tqdm when asked (``progress=True``) or, for None, when attached to a terminal."""
    import sys

    if progress is False or (progress is None and not sys.stderr.isatty()):
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc)


class classifier_only:
    """Method decorator: the attribute exists only when ``task == "classification"``.

    Like scikit-learn's ``available_if``: ``hasattr(regressor, "predict_proba")`` is False.
    """

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        if obj.task != "classification":
            raise AttributeError(f"{self.name} is only available with task='classification'")
        return self.fn.__get__(obj, owner)
