"""knn against sklearn KNeighborsClassifier / KNeighborsRegressor (exact labels, values rtol 1e-10)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

import mlcore
from mlcore.errors import ComponentArgumentError, NotFittedError
from mlcore.testing import check_component, check_save_load

X, y = make_classification(n_samples=700, n_features=6, n_informative=4, n_classes=3, random_state=0)
Xtr, ytr, Xte = X[:500], y[:500], X[500:]
# queries include training points (exact matches, distance 0)
Xq = np.vstack([Xte, Xtr[:10]])
yreg = Xtr @ np.arange(1.0, 7.0) + np.sin(Xtr[:, 0])


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("algorithm", ["ball_tree", "brute", "auto"])
@pytest.mark.parametrize("k", [1, 5])
def test_classifier_equals_sklearn(weights, algorithm, k):
    ours = mlcore.build(f"knn(k={k}, weights='{weights}', algorithm='{algorithm}')").fit(Xtr, ytr)
    ref = KNeighborsClassifier(n_neighbors=k, weights=weights).fit(Xtr, ytr)
    np.testing.assert_array_equal(ours.predict(Xq), ref.predict(Xq))
    np.testing.assert_allclose(ours.predict_proba(Xq), ref.predict_proba(Xq), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("algorithm", ["ball_tree", "brute"])
def test_regressor_equals_sklearn(weights, algorithm):
    ours = mlcore.build(f"knn_regressor(k=4, weights='{weights}', algorithm='{algorithm}')").fit(Xtr, yreg)
    ref = KNeighborsRegressor(n_neighbors=4, weights=weights).fit(Xtr, yreg)
    np.testing.assert_allclose(ours.predict(Xq), ref.predict(Xq), rtol=1e-10, atol=1e-12)
    two = np.column_stack([yreg, -yreg])
    ours2 = mlcore.build(f"knn(k=4, task='regression', weights='{weights}')").fit(Xtr, two)
    np.testing.assert_allclose(ours2.predict(Xq), KNeighborsRegressor(4, weights=weights).fit(Xtr, two).predict(Xq),
                               rtol=1e-10, atol=1e-12)


def test_duplicated_training_points_share_the_exact_match_weight():
    """Queries equal to a training point present twice with different labels: both get weight 1 (as sklearn)."""
    Xd = np.vstack([Xtr, Xtr[:5]])
    yd = np.concatenate([ytr, (ytr[:5] + 1) % 3])
    ours = mlcore.build("knn(k=3, weights='distance')").fit(Xd, yd)
    ref = KNeighborsClassifier(3, weights="distance").fit(Xd, yd)
    np.testing.assert_allclose(ours.predict_proba(Xtr[:5]), ref.predict_proba(Xtr[:5]), rtol=1e-12)
    np.testing.assert_allclose(ours.predict_proba(Xtr[:5]).max(axis=1), 0.5)


def test_exact_match_takes_all_weight():
    """numpy-ml divided by zero here; sklearn gives the coinciding training point(s) all the weight."""
    Xs = np.array([[0.0], [1.0], [1.0], [5.0]])
    ys = np.array([0.0, 10.0, 20.0, 100.0])
    m = mlcore.build("knn_regressor(k=3, weights='distance')").fit(Xs, ys)
    assert m.predict(np.array([[1.0]])).tolist() == [15.0]


def test_distance_weighted_vote_is_not_last_label():
    """numpy-ml returned the last label iterated: 2 near class-0 points must beat 1 far class-1 point."""
    Xs = np.array([[0.0], [0.1], [3.0]])
    m = mlcore.build("knn(k=3, weights='distance')").fit(Xs, np.array(["a", "a", "b"]))
    assert m.predict(np.array([[0.05]])).tolist() == ["a"]


@pytest.mark.parametrize("metric, sk_metric, kw", [("manhattan", "manhattan", {}), ("chebyshev", "chebyshev", {}),
                                                    ("minkowski(p=3)", "minkowski", {"p": 3})])
def test_other_metrics_equal_sklearn(metric, sk_metric, kw):
    ref = KNeighborsClassifier(5, weights="distance", metric=sk_metric, p=kw.get("p", 2)).fit(Xtr, ytr)
    for algorithm in ("ball_tree", "brute"):
        ours = mlcore.build(f"knn(k=5, weights='distance', metric={metric}, algorithm='{algorithm}')").fit(Xtr, ytr)
        np.testing.assert_allclose(ours.predict_proba(Xq), ref.predict_proba(Xq), rtol=1e-10, atol=1e-12)


def test_hamming_metric_on_categorical_codes():
    rng = np.random.default_rng(0)
    Xc = rng.integers(0, 4, (200, 6)).astype(float)
    yc = (Xc[:, 0] > 1).astype(int)
    ref = KNeighborsClassifier(5, metric="hamming", algorithm="brute").fit(Xc, yc)
    d_ref, _ = ref.kneighbors(Xc[:30])
    for algorithm in ("brute", "ball_tree"):   # neighbour sets tie a lot: compare distances
        ours = mlcore.build(f"knn(k=5, metric=hamming, algorithm='{algorithm}')").fit(Xc, yc)
        d, _ = ours.kneighbors(Xc[:30])
        np.testing.assert_allclose(d, d_ref, rtol=1e-12)
    labels = np.array(["a", "b", "c", "d"])[Xc.astype(int)]   # label arrays work with brute force
    ours = mlcore.build("knn(k=5, metric=hamming)").fit(labels, yc)
    assert ours.fit_method_ == "brute"
    np.testing.assert_allclose(ours.kneighbors(labels[:30])[0], d_ref, rtol=1e-12)


def test_errors_and_not_fitted():
    with pytest.raises(NotFittedError):
        mlcore.build("knn").predict(Xte)
    with pytest.raises(ValueError, match="neighbours"):
        mlcore.build("knn(k=10)").fit(Xtr[:5], ytr[:5])
    with pytest.raises(ComponentArgumentError):
        mlcore.build("knn(weights='inverse')")
    with pytest.raises(ValueError):
        mlcore.build("knn").fit(Xtr, ytr[:-1])
    with pytest.raises(ValueError, match="features"):
        mlcore.build("knn").fit(Xtr, ytr).predict(Xte[:, :3])


def test_sklearn_tags_and_clone():
    from sklearn.base import clone, is_classifier, is_regressor

    assert is_classifier(mlcore.build("knn")) and is_regressor(mlcore.build("knn_regressor"))
    assert is_regressor(mlcore.build("knn(task='regression')"))
    c = clone(mlcore.build("knn(k=3, metric=minkowski(p=3))"))
    assert mlcore.to_spec(c) == "knn(k=3, metric=minkowski(p=3))"


@pytest.mark.parametrize("spec", ["knn", "knn_regressor", "knn(k=3, weights='distance', metric=manhattan)",
                                  "knn(algorithm='brute')"])
def test_knn_conforms(spec, tmp_path):
    check_component(spec, tmp_path=tmp_path)


def test_save_load_with_string_labels(tmp_path):
    labels = np.array(["ant", "bee", "cat"])[ytr]
    m = mlcore.build("knn(k=3, weights='distance')").fit(Xtr, labels)
    loaded = check_save_load(m, tmp_path, Xte)
    np.testing.assert_array_equal(loaded.predict(Xte), KNeighborsClassifier(3, weights="distance").fit(
        Xtr, labels).predict(Xte))
