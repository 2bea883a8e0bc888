"""decision_tree against scikit-learn's DecisionTreeRegressor/Classifier."""

import numpy as np
import pytest
from mlcore_trees import DecisionTree

import mlcore
from mlcore.errors import ComponentArgumentError, NotFittedError
from mlcore.testing import check_component, check_save_load

sk_tree = pytest.importorskip("sklearn.tree")
sk_datasets = pytest.importorskip("sklearn.datasets")
from sklearn.model_selection import train_test_split


def _untied(n=1500, d=6, seed=0):
    """Continuous float32-representable features (sklearn splits in float32) without ties."""
    rng = np.random.default_rng(seed)
    ranks = np.stack([rng.permutation(n) for _ in range(d)], axis=1)
    X = ((ranks + rng.uniform(0.2, 0.8, size=(n, d))) / n * 6 - 3).astype(np.float32).astype(np.float64)
    assert all(len(np.unique(X[:, j])) == n for j in range(d))
    return X, rng


def _total_decrease(impurity, weighted, left):
    leaves = left < 0
    return weighted[0] * impurity[0] - np.sum(weighted[leaves] * impurity[leaves])


@pytest.mark.parametrize("max_depth,min_samples_leaf", [(1, 1), (3, 1), (6, 1), (8, 5), (None, 1), (None, 4)])
def test_regression_equals_sklearn_exactly(max_depth, min_samples_leaf):
    # Reference: sklearn DecisionTreeRegressor, all features, same max_depth/min_samples_leaf.
    # Tolerance: exact equality. Targets are multiples of 2**-10 so every sum is exact in
    # float64 (sklearn and mlcore add in different orders).
    X, rng = _untied()
    y = np.round((2 * X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=len(X))) * 1024) / 1024
    ours = DecisionTree(task="regression", max_depth=max_depth, min_samples_leaf=min_samples_leaf).fit(X, y)
    ref = sk_tree.DecisionTreeRegressor(max_depth=max_depth, min_samples_leaf=min_samples_leaf,
                                        random_state=0).fit(X, y)
    assert np.array_equal(ours.predict(X), ref.predict(X))
    assert ours.children_left_.size == ref.tree_.node_count
    assert ours.depth_ == ref.get_depth()
    if max_depth is not None and (max_depth <= 4 or min_samples_leaf >= 5):
        # On new points only: in small nodes two features can induce the same partition of
        # the training samples (equal gains); sklearn picks one at random, mlcore the lowest
        # index, so deep trees with tiny leaves may route unseen points differently.
        Xt = rng.uniform(-3, 3, size=(800, X.shape[1])).astype(np.float32).astype(np.float64)
        assert np.array_equal(ours.predict(Xt), ref.predict(Xt))
        np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, rtol=1e-9, atol=1e-12)


def test_regression_general_targets_close_to_sklearn():
    # Reference: sklearn DecisionTreeRegressor; tolerance 1e-12 relative (summation order).
    X, rng = _untied(seed=1)
    y = X[:, 0] * 3.7 + rng.normal(size=len(X))
    ours = DecisionTree(task="regression", max_depth=7).fit(X, y)
    ref = sk_tree.DecisionTreeRegressor(max_depth=7, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("max_depth", [1, 3, 5, None])
def test_classification_same_training_impurity_decrease(criterion, max_depth):
    # Reference: sklearn DecisionTreeClassifier total weighted impurity decrease
    # (root impurity minus leaf impurities); tolerance 1e-9 relative.
    X, rng = _untied(seed=2)
    y = np.digitize(X[:, 0] + X[:, 1] ** 2 + 0.5 * rng.normal(size=len(X)), [0.0, 1.0, 2.0])
    ours = DecisionTree(criterion=criterion, max_depth=max_depth).fit(X, y)
    ref = sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=max_depth, random_state=0).fit(X, y)
    t = ref.tree_
    np.testing.assert_allclose(
        _total_decrease(ours.impurity_, ours.weighted_n_node_samples_, ours.children_left_),
        _total_decrease(t.impurity, t.weighted_n_node_samples, t.children_left), rtol=1e-9)
    np.testing.assert_allclose(ours.impurity_[0], t.impurity[0], rtol=1e-12)
    if max_depth is not None and max_depth <= 3:
        np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("name,task", [("breast_cancer", "classification"), ("digits", "classification"),
                                       ("diabetes", "regression")])
@pytest.mark.parametrize("max_depth", [4, None])
def test_bundled_datasets_within_two_points(name, task, max_depth):
    # Reference: sklearn DecisionTree{Classifier,Regressor} with the same hyperparameters,
    # averaged over 5 random_states (sklearn breaks feature ties at random).
    # Tolerance: test accuracy / R^2 within 0.02.
    X, y = getattr(sk_datasets, f"load_{name}")(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0)
    ours = DecisionTree(task=task, max_depth=max_depth, min_samples_leaf=5).fit(Xtr, ytr).score(Xte, yte)
    cls = sk_tree.DecisionTreeClassifier if task == "classification" else sk_tree.DecisionTreeRegressor
    ref = np.mean([cls(max_depth=max_depth, min_samples_leaf=5, random_state=s).fit(Xtr, ytr).score(Xte, yte)
                   for s in range(5)])
    assert abs(ours - ref) <= 0.02, (ours, ref)


def test_hist_equals_exact_with_few_levels():
    # Reference: the exact splitter. With <= max_bins distinct values per feature every bin
    # holds one value, so both splitters choose the same partitions and grow the same tree.
    # Thresholds may differ inside value gaps of a node (exact: node-local midpoint; hist:
    # the first equivalent bin edge), so they are compared through the training predictions.
    rng = np.random.default_rng(3)
    X = rng.integers(0, 32, size=(1000, 5)).astype(float)
    y = (X[:, 0] + X[:, 1] + rng.normal(0, 4, 1000) > 31).astype(int)
    a = DecisionTree(max_depth=6).fit(X, y)
    b = DecisionTree(max_depth=6, splitter="hist").fit(X, y)
    for k in ("children_left_", "feature_", "value_", "n_node_samples_"):
        assert np.array_equal(getattr(a, k), getattr(b, k)), k
    assert np.array_equal(a.apply(X), b.apply(X))


def test_hist_on_continuous_close_to_exact():
    # Reference: sklearn DecisionTreeClassifier test accuracy; tolerance 0.03 (255 bins).
    X, y = sk_datasets.make_classification(n_samples=3000, n_features=10, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    ours = DecisionTree(max_depth=6, splitter="hist").fit(Xtr, ytr).score(Xte, yte)
    ref = sk_tree.DecisionTreeClassifier(max_depth=6, random_state=0).fit(Xtr, ytr).score(Xte, yte)
    assert abs(ours - ref) <= 0.03


def test_apply_proba_labels_and_flat_arrays():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    tree = DecisionTree(max_depth=3).fit(X, y)
    assert list(tree.classes_) == ["no", "yes"]
    leaves = tree.apply(X)
    assert np.all(tree.children_left_[leaves] == -1)
    P = tree.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert np.array_equal(tree.predict(X), tree.classes_[P.argmax(axis=1)])
    assert tree.score(X, y) > 0.97
    internal = tree.children_left_ >= 0
    # children partition the parent's samples
    n = tree.n_node_samples_
    assert np.all(n[internal] == n[tree.children_left_[internal]] + n[tree.children_right_[internal]])
    assert not hasattr(DecisionTree(task="regression"), "predict_proba")


def test_max_features_random_state_determinism():
    X, y = sk_datasets.make_classification(n_samples=500, n_features=12, random_state=1)
    a = DecisionTree(max_features="sqrt", random_state=5).fit(X, y)
    b = DecisionTree(max_features="sqrt", random_state=5).fit(X, y)
    c = DecisionTree(max_features="sqrt", random_state=6).fit(X, y)
    assert np.array_equal(a.feature_, b.feature_) and np.array_equal(a.threshold_, b.threshold_)
    assert not (a.feature_.shape == c.feature_.shape and np.array_equal(a.feature_, c.feature_))


def test_sample_weight_zero_equals_dropping_rows():
    X, rng = _untied(n=400, seed=5)
    y = X[:, 0] + rng.normal(size=400)
    w = (rng.random(400) > 0.3).astype(float)
    a = DecisionTree(task="regression", max_depth=5).fit(X, y, sample_weight=w)
    b = DecisionTree(task="regression", max_depth=5).fit(X[w > 0], y[w > 0])
    assert np.array_equal(a.predict(X), b.predict(X))


def test_errors():
    with pytest.raises(ComponentArgumentError):
        DecisionTree(criterion="mse")._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        DecisionTree(task="regression", criterion="gini")._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        DecisionTree(max_depth=0)._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        DecisionTree(splitter="random")._validate_params()  # constructors store; validation runs at build/fit
    tree = DecisionTree()
    with pytest.raises(NotFittedError):
        tree.predict(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        tree.fit(np.array([[np.nan], [1.0]]), [0, 1])
    with pytest.raises(ValueError, match="different numbers"):
        tree.fit(np.zeros((3, 2)), [0, 1])
    tree.fit(np.arange(6.0).reshape(3, 2), [0, 1, 1])
    with pytest.raises(ValueError, match="features"):
        tree.predict(np.zeros((2, 3)))


def test_caller_arrays_not_mutated():
    X, _rng = _untied(n=200, seed=6)
    y = (X[:, 0] > 0).astype(int)
    X0, y0 = X.copy(), y.copy()
    DecisionTree(max_depth=3).fit(X, y)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_spec_and_conformance(tmp_path):
    tree = mlcore.build("decision_tree(task='regression', max_depth=4)")
    assert mlcore.to_spec(tree) == "decision_tree(task='regression', max_depth=4)"
    check_component("decision_tree(max_depth=3, random_state=0)", tmp_path=tmp_path)
    X, _rng = _untied(n=300, seed=7)
    reg = DecisionTree(task="regression", max_depth=5).fit(X, X[:, 0] ** 2)
    loaded = check_save_load(reg, tmp_path, X)
    assert np.array_equal(loaded.predict(X), reg.predict(X))
