"""CART decision tree for classification and regression, stored as flat NumPy arrays."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_is_fitted, check_random_state

from . import _common as C
from ._engine import grow, prepare, training_targets

__all__ = ["DecisionTree"]


class DecisionTree(Estimator):
    """Binary CART tree (Breiman et al., 1984) with vectorised level-wise growth.

    Parameters
    ----------
    task : {"classification", "regression"}
        Classification (class probabilities at the leaves) or regression (leaf means).
    criterion : {"gini", "entropy", "squared_error"} or None
        Impurity; None picks "gini" for classification and "squared_error" for regression.
    max_depth : int or None
        Maximum depth (root = depth 0); None grows until leaves are pure or too small.
    min_samples_split : int
        A node with fewer samples is a leaf.
    min_samples_leaf : int
        Each child of a split keeps at least this many samples.
    max_features : int, float, "sqrt", "log2" or None
        Features drawn without replacement at every node (None: all). Non-constant features
        of the node are drawn first.
    splitter : {"exact", "hist"}
        "exact": thresholds at midpoints between consecutive distinct sorted values (as
        scikit-learn). "hist": at most ``max_bins`` quantile bins per feature, thresholds at
        bin edges (faster on large data; identical to "exact" when every feature has at most
        ``max_bins`` distinct values).
    max_bins : int
        Number of bins for ``splitter="hist"`` (2..256).
    random_state : int, numpy.random.Generator or None
        Seeds the per-node feature draws.

    Attributes
    ----------
    children_left_, children_right_ : ndarray (n_nodes,) int32
        Child ids, -1 at leaves. Nodes are numbered breadth first; node 0 is the root.
    feature_ : ndarray (n_nodes,) int32
        Split feature (-2 at leaves). A sample goes left when ``x[feature] <= threshold``.
    threshold_ : ndarray (n_nodes,) float64
    value_ : ndarray (n_nodes, n_outputs)
        Class probabilities (classification) or mean target (regression) of every node.
    impurity_, n_node_samples_, weighted_n_node_samples_ : ndarray (n_nodes,)
    feature_importances_ : ndarray (n_features,)
        Weighted impurity decrease per feature, normalised to sum to 1.
    classes_ : ndarray (n_classes,)
        Class labels (classification only).
    depth_ : int
        Depth of the grown tree.

    Notes
    -----
    A split of a node with weighted statistics ``S`` into ``S_L + S_R`` is chosen to
    maximise the impurity decrease ``w I(S) - w_L I(S_L) - w_R I(S_R)``; for squared error
    this is ``s_L^2 / w_L + s_R^2 / w_R - s^2 / w`` with ``s`` the weighted target sums.
    Every candidate threshold of every feature of every node of a level is scored at once
    from sorted prefix sums (exact) or bin histograms (hist). Ties are broken by the lowest
    feature index, then the lowest threshold.

    References
    ----------
    Breiman, Friedman, Olshen, Stone (1984). Classification and Regression Trees.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> X = np.arange(8.0)[:, None]; y = (X[:, 0] > 3).astype(int)
    >>> tree = mlcore.build("decision_tree(max_depth=2)").fit(X, y)
    >>> tree.predict([[1.0], [6.0]]).tolist(), float(tree.threshold_[0])
    ([0, 1], 3.5)
    """

    def __init__(self, task="classification", criterion=None, max_depth=None, min_samples_split=2,
                 min_samples_leaf=1, max_features=None, splitter="exact", max_bins=255,
                 random_state=None):
        self.task = task
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.splitter = splitter
        self.max_bins = max_bins
        self.random_state = random_state

    def _check_params(self):
        C.check_tree_params(self)

    @property
    def _estimator_type(self):
        return "classifier" if self.task == "classification" else "regressor"

    def _criterion(self):
        if self.criterion is not None:
            return self.criterion
        return "gini" if self.task == "classification" else "squared_error"

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(60, 3))
        y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
        return {"spec": "decision_tree(max_depth=3, random_state=0)", "fit": (X, y)}

    def fit(self, X, y, sample_weight=None):
        """Grow the tree on X (n, d) and targets y (n,); returns self."""
        X, yenc, classes, w, S, shift = training_targets(self, X, y, sample_weight)
        n, d = X.shape
        rng = check_random_state(self.random_state)
        kw = {"max_depth": n if self.max_depth is None else self.max_depth,
              "min_samples_split": self.min_samples_split, "min_samples_leaf": self.min_samples_leaf,
              "max_features": C.resolve_max_features(self.max_features, d), "rng": rng}
        pos = w > 0
        data = prepare(X, self.splitter, self.max_bins, kw["max_features"])
        nodes, _ = grow(data, None if pos.all() else np.flatnonzero(pos), S, self._criterion(), consume=True,
                        **kw)
        self._set_nodes(C.rename_nodes(nodes), nodes["depth"])
        self.value_ += shift                     # values were grown on the centred target
        self.n_features_in_ = d
        if classes is not None:
            self.classes_ = classes
        self.feature_importances_ = C.feature_importances(
            d, self.feature_, self.children_left_, self.children_right_, self.impurity_,
            self.weighted_n_node_samples_)
        return self

    def _set_nodes(self, nodes, depth):
        for k in C.NODE_KEYS:
            setattr(self, k + "_", nodes[k])
        self.depth_ = int(depth)

    @property
    def n_leaves_(self):
        check_is_fitted(self, "children_left_")
        return int((self.children_left_ < 0).sum())

    def apply(self, X):
        """Leaf id (row of the flat arrays) reached by every sample: (n,) int64."""
        check_is_fitted(self, "children_left_")
        X = C.check_predict_input(self, X)
        return C.traverse(X, self.feature_, self.threshold_, self.children_left_,
                          self.children_right_, [0], self.depth_)[:, 0]

    @C.classifier_only
    def predict_proba(self, X):
        """Class probabilities (n, n_classes) (classification only)."""
        leaf = self.apply(X)
        return self.value_[leaf]

    def predict(self, X):
        """Class labels (classification) or predicted values (regression): (n,)."""
        leaf = self.apply(X)
        if self.task == "classification":
            return self.classes_[np.argmax(self.value_[leaf], axis=1)]
        return self.value_[leaf, 0]

    def score(self, X, y, sample_weight=None):
        """Accuracy (classification) or R^2 (regression)."""
        return C.score(self, X, y, sample_weight)
