"""gbdt against scikit-learn's GradientBoosting and HistGradientBoosting models."""

import numpy as np
import pytest
from mlcore_trees import GBDT

from mlcore.errors import ComponentArgumentError
from mlcore.testing import check_component, check_save_load

sk_ensemble = pytest.importorskip("sklearn.ensemble")
sk_datasets = pytest.importorskip("sklearn.datasets")
from sklearn.model_selection import train_test_split


def _untied(n=600, d=6, seed=0):
    rng = np.random.default_rng(seed)
    ranks = np.stack([rng.permutation(n) for _ in range(d)], axis=1)
    X = ((ranks + rng.uniform(0.2, 0.8, size=(n, d))) / n * 6 - 3).astype(np.float32).astype(np.float64)
    return X, rng


def test_binary_log_loss_matches_sklearn_gradient_boosting():
    # Reference: sklearn GradientBoostingClassifier (Friedman's Newton leaf values, same
    # init log-odds, friedman_mse splits = least squares on residuals) on untied data.
    # Tolerance: 1e-10 absolute on the raw scores.
    X, rng = _untied()
    y = (X[:, 0] + X[:, 1] ** 2 + 0.5 * rng.normal(size=len(X)) > 1).astype(int)
    ours = GBDT(n_estimators=20, max_depth=3).fit(X, y)
    ref = sk_ensemble.GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-10)


def test_multiclass_softmax_matches_sklearn_gradient_boosting():
    # Reference: sklearn GradientBoostingClassifier, 4 classes (K trees per round,
    # gamma = (K-1)/K sum r / sum |r|(1-|r|)).
    # Round 1: the residuals take two values per class, so distinct features can tie
    # exactly (same left count and class sum); sklearn breaks such ties at random, mlcore
    # by the lowest feature index. Hence: after one round, the multiset of Newton leaf values
    # of every class tree equals sklearn's (tolerance 1e-12); after 15 rounds the training
    # log loss agrees within 2 %.
    from sklearn.metrics import log_loss

    X, rng = _untied(seed=1)
    y = np.digitize(X[:, 0] + X[:, 2] + 0.3 * rng.normal(size=len(X)), [-1, 0, 1])
    ours = GBDT(n_estimators=1, max_depth=3).fit(X, y)
    ref = sk_ensemble.GradientBoostingClassifier(n_estimators=1, max_depth=3, random_state=0).fit(X, y)
    for k in range(4):
        t = ref.estimators_[0, k].tree_
        lo, hi = ours.tree_offsets_[k], ours.tree_offsets_[k + 1]
        leaf = ours.children_left_[lo:hi] < 0
        np.testing.assert_allclose(np.sort(ours.value_[lo:hi][leaf, 0]), np.sort(t.value[t.children_left < 0, 0, 0]),
                                   rtol=0, atol=1e-12)
    ours = GBDT(n_estimators=15, max_depth=3).fit(X, y)
    ref = sk_ensemble.GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0).fit(X, y)
    a, b = log_loss(y, ours.predict_proba(X)), log_loss(y, ref.predict_proba(X))
    assert abs(a - b) <= 0.02 * b, (a, b)
    np.testing.assert_allclose(ours.train_score_[-1], a, rtol=1e-10)


def test_squared_error_matches_sklearn_gradient_boosting():
    # Reference: sklearn GradientBoostingRegressor; tolerance 1e-10 absolute on predictions.
    X, rng = _untied(seed=2)
    y = 2 * X[:, 0] + np.sin(X[:, 1]) + 0.1 * rng.normal(size=len(X))
    ours = GBDT(task="regression", n_estimators=25, max_depth=3, learning_rate=0.2).fit(X, y)
    ref = sk_ensemble.GradientBoostingRegressor(n_estimators=25, max_depth=3, learning_rate=0.2,
                                                random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=0, atol=1e-10)


def test_exact_mode_on_few_levels_matches_sklearn():
    # Exact mode on features with <= 255 distinct values runs on histograms with node-local
    # midpoint thresholds. Reference: sklearn GradientBoostingRegressor on 32-level features;
    # tolerance 1e-10 absolute on train and unseen predictions.
    rng = np.random.default_rng(7)
    X = rng.integers(0, 32, size=(1500, 8)).astype(float)
    y = 0.3 * X[:, 0] + np.sin(X[:, 1] / 5) + 0.3 * rng.normal(size=1500)
    Xt = rng.uniform(-1, 33, size=(500, 8))
    ours = GBDT(task="regression", n_estimators=30, max_depth=3).fit(X, y)
    ref = sk_ensemble.GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.predict(Xt), ref.predict(Xt), rtol=0, atol=1e-10)


@pytest.mark.parametrize("name,task", [("breast_cancer", "classification"), ("digits", "classification"),
                                       ("diabetes", "regression")])
def test_bundled_datasets_within_two_points(name, task):
    # Reference: sklearn GradientBoosting{Classifier,Regressor} with equal hyperparameters
    # (subsample=0.8 so that seeds matter), both averaged over 3 seeds; tolerance 0.02.
    X, y = getattr(sk_datasets, f"load_{name}")(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0)
    kw = {"n_estimators": 60, "max_depth": 3, "subsample": 0.8, "learning_rate": 0.1}
    if name == "digits":  # 10 classes x 64 features: keep the test short
        kw.update(n_estimators=8, max_depth=2, learning_rate=0.3)
    ref_cls = sk_ensemble.GradientBoostingClassifier if task == "classification" else \
        sk_ensemble.GradientBoostingRegressor
    ours = np.mean([GBDT(task=task, random_state=s, **kw).fit(Xtr, ytr).score(Xte, yte) for s in range(3)])
    ref = np.mean([ref_cls(random_state=s, **kw).fit(Xtr, ytr).score(Xte, yte) for s in range(3)])
    assert abs(ours - ref) <= 0.02, (ours, ref)


def test_hist_mode_close_to_hist_gradient_boosting():
    # Reference: sklearn HistGradientBoostingClassifier(max_iter=50, max_depth=3), tolerance
    # 0.02 on test accuracy.
    X, y = sk_datasets.make_classification(n_samples=4000, n_features=10, n_informative=6, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
    ours = GBDT(n_estimators=50, max_depth=3, splitter="hist").fit(Xtr, ytr).score(Xte, yte)
    ref = sk_ensemble.HistGradientBoostingClassifier(max_iter=50, max_depth=3, early_stopping=False,
                                                     random_state=0).fit(Xtr, ytr).score(Xte, yte)
    assert abs(ours - ref) <= 0.02


def test_staged_predictions_and_train_loss():
    X, _rng = _untied(seed=3)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    gb = GBDT(n_estimators=12, max_depth=2).fit(X, y)
    stages = list(gb.staged_predict_proba(X))
    assert len(stages) == 12
    np.testing.assert_allclose(stages[-1], gb.predict_proba(X), rtol=0, atol=1e-12)
    assert np.array_equal(list(gb.staged_predict(X))[-1], gb.predict(X))
    raw = list(gb.staged_decision_function(X))
    # log loss recomputed from the staged raw scores equals train_score_ (reference: closed form)
    ll = [np.mean(np.logaddexp(0, f) - y * f) for f in raw]
    np.testing.assert_allclose(ll, gb.train_score_, rtol=1e-12)
    assert np.all(np.diff(gb.train_score_) < 0)


def test_early_stopping():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(500, 4))
    y = (X[:, 0] + rng.normal(scale=2.0, size=500) > 0).astype(int)  # very noisy
    gb = GBDT(n_estimators=300, learning_rate=0.3, max_depth=3, n_iter_no_change=5,
              validation_fraction=0.2, random_state=0).fit(X, y)
    assert gb.n_estimators_ < 300
    assert len(gb.validation_score_) == gb.n_estimators_ == len(gb.train_score_)
    best = int(np.argmin(gb.validation_score_))
    assert gb.n_estimators_ - 1 - best >= 5  # stopped after 5 rounds without improvement
    assert len(list(gb.staged_predict(X))) == gb.n_estimators_


def test_determinism_and_subsample_effect():
    X, rng = _untied(seed=5)
    y = X[:, 0] + rng.normal(size=len(X))
    a = GBDT(task="regression", n_estimators=10, subsample=0.7, random_state=1).fit(X, y)
    b = GBDT(task="regression", n_estimators=10, subsample=0.7, random_state=1).fit(X, y)
    c = GBDT(task="regression", n_estimators=10, subsample=0.7, random_state=2).fit(X, y)
    assert np.array_equal(a.predict(X), b.predict(X))
    assert not np.array_equal(a.predict(X), c.predict(X))


def test_errors_and_conformance(tmp_path):
    with pytest.raises(ComponentArgumentError):
        GBDT(loss="squared_error")._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        GBDT(subsample=0.0)._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ValueError, match="2 classes"):
        GBDT().fit(np.zeros((4, 1)), [1, 1, 1, 1])
    check_component("gbdt(n_estimators=5, max_depth=2, subsample=0.8, random_state=0)", tmp_path=tmp_path)
    X, _rng = _untied(n=200, seed=6)
    reg = GBDT(task="regression", n_estimators=8, splitter="hist").fit(X, X[:, 0] ** 2)
    loaded = check_save_load(reg, tmp_path, X)
    assert np.array_equal(loaded.predict(X), reg.predict(X))
