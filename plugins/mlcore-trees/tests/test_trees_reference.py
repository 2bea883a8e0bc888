"""The level-wise flat-array grower against the node-by-node reference CART.

Oracle: :func:`mlcore_trees._reference.grow_tree`, Breiman et al.'s greedy search written
out (every feature, every threshold between distinct values, gain W I - W_L I_L - W_R I_R
recomputed from scratch per cut), independent of the fast grower's sorted prefix sums and
proxy gains. The trees must be equal: same structure, split features and thresholds
(exactly), same sample counts, node values and impurities to rounding (rtol 1e-12). Data:
continuous and tied (few distinct values) features, sample weights (including zeros),
two and three classes, several depths and leaf sizes.
"""

from __future__ import annotations

import numpy as np
import pytest
from mlcore_trees._reference import grow_tree

import mlcore

CLOSE = ("value", "impurity", "weighted_n_node_samples")


def _data(seed, task, n_classes, tied, weighted, n=70, d=3):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 5, size=(n, d)).astype(float) if tied else rng.normal(size=(n, d))
    if task == "regression":
        y = X[:, 0] - 0.5 * X[:, 1] ** 2 + rng.normal(scale=0.3, size=n)
    else:
        y = np.digitize(X[:, 0] + 0.7 * X[:, 1] + rng.normal(scale=0.7, size=n),
                        np.quantile(X[:, 0], np.linspace(0, 1, n_classes + 1)[1:-1]))
    w = None
    if weighted:
        w = rng.uniform(0.2, 3.0, size=n)
        w[rng.choice(n, 5, replace=False)] = 0.0
    return X, y, w


def _assert_same_tree(fast, expected):
    """Equal trees: same flat arrays (features and thresholds exactly, values to rounding)."""
    fa = {k: getattr(fast, k + "_") for k in expected}
    for k in expected:
        np.testing.assert_allclose(fa[k], expected[k], rtol=1e-12 if k in CLOSE else 0,
                                   atol=1e-14 if k in CLOSE else 0, err_msg=k)


CASES = [  # (task, criterion, n_classes)
    ("regression", "squared_error", None),
    ("classification", "gini", 2),
    ("classification", "gini", 3),
    ("classification", "entropy", 3),
]


@pytest.mark.parametrize("tied", [False, True], ids=["continuous", "tied"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unit", "weighted"])
@pytest.mark.parametrize("task, criterion, n_classes", CASES, ids=[c[1] + str(c[2] or "") for c in CASES])
def test_fast_tree_equals_reference(task, criterion, n_classes, tied, weighted):
    for seed, (max_depth, msl, mss) in enumerate([(1, 1, 2), (2, 3, 2), (4, 1, 10), (None, 2, 2)]):
        X, y, w = _data(seed, task, n_classes, tied, weighted)
        tree = mlcore.build("decision_tree", task=task, criterion=criterion, max_depth=max_depth,
                            min_samples_leaf=msl, min_samples_split=mss).fit(X, y, sample_weight=w)
        yy = y if task == "regression" else np.searchsorted(tree.classes_, y)
        expected = grow_tree(X, yy, criterion, sample_weight=w, n_classes=n_classes, max_depth=max_depth,
                             min_samples_split=mss, min_samples_leaf=msl)
        assert len(expected["impurity"]) > 1
        _assert_same_tree(tree, expected)


def test_reference_tie_goes_to_lowest_feature_then_threshold():
    """Two copies of a feature and a symmetric target: every cut ties with its mirror; the
    reference picks feature 0 and, among the two equally good cuts of y = [0, 1, 1, 0],
    the lower threshold. The fast tree makes the same choice."""
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    y = np.array([0, 1, 1, 0])
    expected = grow_tree(X, y, "gini", max_depth=1)
    assert expected["feature"][0] == 0 and expected["threshold"][0] == 0.5
    _assert_same_tree(mlcore.build("decision_tree(max_depth=1)").fit(X, y), expected)


def test_reference_weighted_variance_closed_form():
    """The reference's root on three points: weighted mean and variance written out."""
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([1.0, 2.0, 4.0])
    w = np.array([1.0, 2.0, 1.0])
    t = grow_tree(X, y, "squared_error", sample_weight=w, max_depth=1)
    mean = (1 + 4 + 4) / 4
    np.testing.assert_allclose(t["value"][0], [mean], rtol=1e-15)
    np.testing.assert_allclose(t["impurity"][0], (1 * (1 - mean) ** 2 + 2 * (2 - mean) ** 2 + (4 - mean) ** 2) / 4,
                               rtol=1e-15)
    # cuts: {0}|{1,2}: 0 + 3 * var(2,2,4) = 3 * 8/9; {0,1}|{2}: 3 * var(1,2,2) + 0 = 3 * 2/9 -> the second
    assert t["threshold"][0] == 1.5


def test_fast_tree_breaks_exact_ties_by_lowest_feature():
    """Features that cut a node into the same two sets tie; the lowest index wins (README)."""
    X, y, _ = _data(3, "regression", None, False, False)
    tree = mlcore.build("decision_tree(task='regression', max_depth=None, min_samples_leaf=2)").fit(X, y)
    expected = grow_tree(X, y, "squared_error", min_samples_leaf=2)
    _assert_same_tree(tree, expected)
