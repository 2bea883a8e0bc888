"""random_forest against scikit-learn's RandomForest{Classifier,Regressor}; joblib and Dask."""

import numpy as np
import pytest
from mlcore_trees import RandomForest

from mlcore.testing import assert_state_equal, check_component, check_save_load

sk_ensemble = pytest.importorskip("sklearn.ensemble")
sk_datasets = pytest.importorskip("sklearn.datasets")
from sklearn.model_selection import train_test_split

_STATE = ("children_left_", "children_right_", "feature_", "threshold_", "value_", "tree_offsets_")


def _split(name):
    X, y = getattr(sk_datasets, f"load_{name}")(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@pytest.mark.parametrize("name,task", [("breast_cancer", "classification"), ("digits", "classification"),
                                       ("diabetes", "regression")])
def test_bundled_datasets_within_two_points(name, task):
    # Reference: sklearn RandomForest{Classifier,Regressor}(n_estimators=30) with the same
    # hyperparameters (max_features defaults: sqrt / all), both averaged over 3 seeds.
    # Tolerance: test accuracy / R^2 within 0.02.
    Xtr, Xte, ytr, yte = _split(name)
    ref_cls = sk_ensemble.RandomForestClassifier if task == "classification" else sk_ensemble.RandomForestRegressor
    ours = np.mean([RandomForest(task=task, n_estimators=30, random_state=s).fit(Xtr, ytr).score(Xte, yte)
                    for s in range(3)])
    ref = np.mean([ref_cls(n_estimators=30, random_state=s).fit(Xtr, ytr).score(Xte, yte) for s in range(3)])
    assert abs(ours - ref) <= 0.02, (ours, ref)


def test_oob_score_close_to_sklearn():
    # Reference: sklearn RandomForestClassifier(oob_score=True).oob_score_, mean of 3 seeds;
    # tolerance 0.02.
    Xtr, _Xte, ytr, _yte = _split("breast_cancer")
    ours = [RandomForest(n_estimators=40, oob_score=True, random_state=s).fit(Xtr, ytr) for s in range(3)]
    ref = [sk_ensemble.RandomForestClassifier(n_estimators=40, oob_score=True, random_state=s).fit(Xtr, ytr)
           for s in range(3)]
    assert abs(np.mean([m.oob_score_ for m in ours]) - np.mean([m.oob_score_ for m in ref])) <= 0.02
    P = ours[0].oob_prediction_
    assert P.shape == (len(Xtr), 2) and np.allclose(P[~np.isnan(P[:, 0])].sum(axis=1), 1.0)


def test_soft_voting_is_mean_of_tree_probabilities():
    # Reference: the per-tree leaf values read from the flat arrays by hand.
    X, y = sk_datasets.make_classification(n_samples=300, n_features=6, n_classes=3, n_informative=4,
                                           random_state=0)
    rf = RandomForest(n_estimators=7, max_depth=4, random_state=0).fit(X, y)
    leaves = rf.apply(X)
    assert leaves.shape == (300, 7)
    for t in range(7):
        lo, hi = rf.tree_offsets_[t], rf.tree_offsets_[t + 1]
        assert np.all((leaves[:, t] >= lo) & (leaves[:, t] < hi))
    manual = np.mean([rf.value_[leaves[:, t]] for t in range(7)], axis=0)
    np.testing.assert_allclose(rf.predict_proba(X), manual, rtol=0, atol=1e-15)
    assert np.array_equal(rf.predict(X), rf.classes_[manual.argmax(axis=1)])
    assert rf.feature_importances_.shape == (6,) and np.isclose(rf.feature_importances_.sum(), 1.0)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_same_random_state_same_model_for_n_jobs_1_and_2(task):
    pytest.importorskip("joblib")
    X, y = sk_datasets.make_classification(n_samples=400, n_features=8, random_state=0)
    if task == "regression":
        y = X[:, 0] * 2.5 + np.sin(X[:, 1]) + 0.1 * X[:, 2] ** 2
    # 40 trees = 3 batches of trees (16, 16, 8), spread over 2 worker processes
    a = RandomForest(task=task, n_estimators=40, max_depth=6, random_state=42, n_jobs=1).fit(X, y)
    b = RandomForest(task=task, n_estimators=40, max_depth=6, random_state=42, n_jobs=2).fit(X, y)
    c = RandomForest(task=task, n_estimators=40, max_depth=6, random_state=43, n_jobs=1).fit(X, y)
    for k in _STATE:
        assert_state_equal(getattr(a, k), getattr(b, k), k)
    assert not np.array_equal(a.threshold_, c.threshold_) or a.threshold_.shape != c.threshold_.shape


@pytest.mark.slow
def test_forest_on_dask_local_cluster_gives_same_model():
    # A forest fitted through joblib's Dask backend on a dask.distributed LocalCluster
    # equals the sequential fit (per-tree seeds come from random_state only).
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    import joblib

    X, y = sk_datasets.make_classification(n_samples=300, n_features=6, random_state=1)
    seq = RandomForest(n_estimators=24, max_depth=5, random_state=7).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster), \
            joblib.parallel_config(backend="dask"):
        par = RandomForest(n_estimators=24, max_depth=5, random_state=7, n_jobs=-1).fit(X, y)
    for k in _STATE:
        assert_state_equal(getattr(seq, k), getattr(par, k), k)


def test_hist_regression_forest_and_save_load(tmp_path):
    # Reference: sklearn RandomForestRegressor R^2 on Friedman #1, tolerance 0.05 (hist bins).
    X, y = sk_datasets.make_friedman1(n_samples=1200, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    rf = RandomForest(task="regression", n_estimators=20, splitter="hist", max_features=0.5, max_depth=7,
                      random_state=0).fit(Xtr, ytr)
    ref = sk_ensemble.RandomForestRegressor(n_estimators=20, max_features=0.5, max_depth=7,
                                            random_state=0).fit(Xtr, ytr)
    assert abs(rf.score(Xte, yte) - ref.score(Xte, yte)) <= 0.05
    loaded = check_save_load(rf, tmp_path, Xte)
    assert np.array_equal(loaded.predict(Xte), rf.predict(Xte))


def test_conformance(tmp_path):
    check_component("random_forest(n_estimators=5, max_depth=4, random_state=0)", tmp_path=tmp_path)
