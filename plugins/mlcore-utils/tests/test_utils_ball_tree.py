"""BallTree and brute-force k-NN against sklearn.neighbors.BallTree (same indices, distances rtol 1e-10)."""

import numpy as np
import pytest
from mlcore_utils import BallTree, knn_brute
from sklearn.neighbors import BallTree as SkBallTree

rng = np.random.default_rng(2)
X = rng.normal(size=(1500, 4))
Q = rng.normal(size=(300, 4))
SK_METRICS = {"euclidean": ("euclidean", {}), "manhattan": ("manhattan", {}), "chebyshev": ("chebyshev", {}),
              "minkowski(p=3)": ("minkowski", {"p": 3})}


@pytest.mark.parametrize("metric", list(SK_METRICS))
@pytest.mark.parametrize("k", [1, 7])
def test_query_equals_sklearn(metric, k):
    name, kw = SK_METRICS[metric]
    d_ref, i_ref = SkBallTree(X, leaf_size=30, metric=name, **kw).query(Q, k=k)
    for leaf_size in (5, 40):
        d, i = BallTree(X, leaf_size=leaf_size, metric=metric).query(Q, k=k)
        np.testing.assert_array_equal(i, i_ref)
        np.testing.assert_allclose(d, d_ref, rtol=1e-10, atol=1e-12)
    d, i = knn_brute(X, Q, k, metric)
    np.testing.assert_array_equal(i, i_ref)
    np.testing.assert_allclose(d, d_ref, rtol=1e-10, atol=1e-12)


def test_clustered_data_and_exact_matches():
    """Duplicated cluster data, queries on training points: distance exactly 0 first."""
    centers = rng.normal(scale=10, size=(5, 3))
    Xc = centers[rng.integers(0, 5, 800)] + rng.normal(scale=0.1, size=(800, 3))
    tree = BallTree(Xc, leaf_size=16)
    d, i = tree.query(Xc[:50], k=3)
    assert np.all(d[:, 0] == 0.0)
    np.testing.assert_array_equal(i[:, 0], np.arange(50))
    d_ref, i_ref = SkBallTree(Xc).query(Xc[50:150], k=4)
    d2, i2 = tree.query(Xc[50:150], k=4)
    np.testing.assert_array_equal(i2, i_ref)
    np.testing.assert_allclose(d2, d_ref, rtol=1e-10, atol=1e-12)


def test_k_larger_than_leaves_and_tiny_trees():
    Xs = rng.normal(size=(9, 2))
    d_ref, i_ref = SkBallTree(Xs).query(Xs, k=9)
    d, i = BallTree(Xs, leaf_size=2).query(Xs, k=9)
    np.testing.assert_allclose(d, d_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(np.sort(i, axis=1), np.sort(i_ref, axis=1))
    d, i = BallTree(Xs[:1]).query(Xs, k=1)
    assert np.all(i == 0)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_query_radius_equals_sklearn(metric):
    tree = BallTree(X, leaf_size=20, metric=metric)
    ref = SkBallTree(X, metric=metric)
    r = 0.9
    ind, dist = tree.query_radius(Q, r, return_distance=True, sort_results=True)
    ind_ref, dist_ref = ref.query_radius(Q, r, return_distance=True, sort_results=True)
    for a, b, da, db in zip(ind, ind_ref, dist, dist_ref):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(da, db, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(tree.query_radius(Q, r, count_only=True), ref.query_radius(Q, r, count_only=True))


def test_structure_invariants():
    tree = BallTree(X, leaf_size=25)
    n_leaves = 2 ** (tree.n_levels_ - 1)
    sizes = tree.node_end_[-n_leaves:] - tree.node_start_[-n_leaves:]
    assert sizes.sum() == len(X) and sizes.max() <= 2 * 25
    np.testing.assert_array_equal(np.sort(tree.idx_array_), np.arange(len(X)))
    for node in range(len(tree.radii_)):  # every point of a node lies inside its ball
        pts = tree.data_[tree.node_start_[node]:tree.node_end_[node]]
        assert np.linalg.norm(pts - tree.centroids_[node], axis=1).max() <= tree.radii_[node] + 1e-12


def test_input_not_modified_and_errors():
    Xc = X.copy()
    tree = BallTree(Xc)
    np.testing.assert_array_equal(Xc, X)
    with pytest.raises(ValueError):
        tree.query(Q[:, :3], k=1)
    with pytest.raises(ValueError):
        tree.query(Q, k=len(X) + 1)
    with pytest.raises(ValueError, match="NaN"):
        BallTree(np.array([[np.nan, 1.0]]))


@pytest.mark.parametrize("dense_fraction", [0.0, np.inf])
def test_dense_and_sparse_traversals_agree_with_sklearn(monkeypatch, dense_fraction):
    """Force the all-leaves bound matrix (0) or the pure breadth-first expansion (inf)."""
    import mlcore_utils.ball_tree as bt

    monkeypatch.setattr(bt, "_DENSE_FRACTION", dense_fraction)
    Xl = rng.normal(size=(3000, 3))
    Ql = rng.normal(size=(400, 3))
    d_ref, i_ref = SkBallTree(Xl).query(Ql, k=6)
    d, i = BallTree(Xl, leaf_size=8).query(Ql, k=6)
    np.testing.assert_array_equal(i, i_ref)
    np.testing.assert_allclose(d, d_ref, rtol=1e-10, atol=1e-12)
    ind = BallTree(Xl, leaf_size=8, metric="manhattan").query_radius(Ql, 0.4, sort_results=True,
                                                                     return_distance=True)[0]
    ref = SkBallTree(Xl, metric="manhattan").query_radius(Ql, 0.4, sort_results=True, return_distance=True)[0]
    for a, b in zip(ind, ref):
        np.testing.assert_array_equal(a, b)
