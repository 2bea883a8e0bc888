"""Registry-wide audit: distances far from the origin (issue 22, section 1).

Squared distances by the expansion ``|x|^2 + |y|^2 - 2 x.y`` lose digits in proportion to
``|x|^2``: at a Julian-date offset (2.46e6) every digit of a unit distance is gone. Every
distance-based kernel, every metric, the neighbour searches (ball tree, brute force) and
the estimators built on them (knn, kernel regression, gp regression) must give the same
result on data shifted by 1e5 and 2.46e6 as on the unshifted data, and agree with
``scipy.spatial.distance`` / scikit-learn. The data lie on a 2^-10 grid so the shifted
inputs are exact in float64: any difference comes from the computation.
"""

import numpy as np
import pytest
from mlcore_utils.ball_tree import BallTree
from mlcore_utils.kernels import squared_distances
from mlcore_utils.neighbors import knn_brute
from scipy.spatial.distance import cdist

import mlcore

OFFSETS = (1e5, 2.46e6)
TOL = 1e-9

# every registered kernel is either stationary (a function of x - y: must be shift invariant)
# or a dot-product kernel (not shift invariant by definition)
STATIONARY_KERNELS = {"rbf": ["rbf(length_scale=1.0)", "rbf(length_scale=[0.7, 2.0, 1.5], variance=2.0)"]}
DOT_PRODUCT_KERNELS = {"linear", "polynomial"}

SCIPY_METRIC = {"euclidean": ("euclidean", {}), "manhattan": ("cityblock", {}),
                "chebyshev": ("chebyshev", {}), "minkowski": ("minkowski", {"p": 2}),
                "hamming": ("hamming", {})}


def _grid(n, d, seed, scale=10.0):
    """Points in [0, scale)^d on a 2^-10 grid (exact after adding the offsets)."""
    rng = np.random.default_rng(seed)
    return np.round(rng.uniform(0, scale, size=(n, d)) * 1024) / 1024


def test_every_kernel_is_classified():
    names = set(mlcore.registry().names("kernel"))
    assert names == set(STATIONARY_KERNELS) | DOT_PRODUCT_KERNELS, \
        "a kernel was added: list it as stationary (with specs to test) or dot-product"


def test_every_metric_has_a_scipy_oracle():
    assert set(mlcore.registry().names("metric")) == set(SCIPY_METRIC)


@pytest.mark.parametrize("offset", OFFSETS)
def test_squared_distances_shift_invariant(offset):
    X, Y = _grid(60, 3, 0), _grid(40, 3, 1)
    ref = cdist(X, Y, "sqeuclidean")
    np.testing.assert_allclose(squared_distances(X + offset, Y + offset), ref, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(squared_distances(X + offset), cdist(X, X, "sqeuclidean"), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("spec", [s for specs in STATIONARY_KERNELS.values() for s in specs])
def test_stationary_kernel_shift_invariant(spec, offset):
    k = mlcore.build(spec, kind="kernel")
    X, Y = _grid(50, 3, 2), _grid(30, 3, 3)
    np.testing.assert_allclose(k(X + offset, Y + offset), k(X, Y), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(k(X + offset), k(X), rtol=TOL, atol=TOL)
    K0, dK0 = k.gradient(X)
    K1, dK1 = k.gradient(X + offset)
    np.testing.assert_allclose(K1, K0, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(dK1, dK0, rtol=TOL, atol=TOL)


def test_rbf_matches_scikit_learn_far_from_origin():
    from sklearn.gaussian_process.kernels import RBF

    X = _grid(40, 2, 4) + 2.46e6
    ls = np.array([0.8, 1.7])
    np.testing.assert_allclose(mlcore.build("rbf(length_scale=[0.8, 1.7])", kind="kernel")(X),
                               RBF(ls)(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("name", sorted(SCIPY_METRIC))
def test_metric_pairwise_shift_invariant_and_matches_scipy(name, offset):
    metric = mlcore.build(name, kind="metric")
    X, Y = _grid(30, 3, 5), _grid(20, 3, 6)
    scipy_name, kw = SCIPY_METRIC[name]
    np.testing.assert_allclose(metric.pairwise(X + offset, Y + offset), cdist(X, Y, scipy_name, **kw),
                               rtol=TOL, atol=TOL)
    assert metric(X[0] + offset, Y[0] + offset) == pytest.approx(metric(X[0], Y[0]), rel=TOL, abs=TOL)


def _close_pairs(n, seed):
    """Points in near-duplicate pairs (gap 2^-10): neighbour order hinges on tiny distances."""
    base = _grid(n, 2, seed, scale=50.0)
    return np.vstack([base, base + 2.0 ** -10])


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("name", sorted(SCIPY_METRIC))
def test_neighbour_searches_shift_invariant(name, offset):
    X = _close_pairs(150, 7)
    Q = _grid(40, 2, 8, scale=50.0)
    scipy_name, kw = SCIPY_METRIC[name]
    D = cdist(Q, X, scipy_name, **kw)
    ref_d = np.sort(D, axis=1)[:, :3]
    for search in ("tree", "brute"):
        if search == "tree":
            dist, ind = BallTree(X + offset, leaf_size=8, metric=name).query(Q + offset, k=3)
        else:
            dist, ind = knn_brute(X + offset, Q + offset, k=3, metric=name)
        np.testing.assert_allclose(dist, ref_d, rtol=TOL, atol=TOL, err_msg=search)
        np.testing.assert_allclose(np.take_along_axis(D, ind, 1), ref_d, rtol=TOL, atol=TOL, err_msg=search)
    r = np.sort(D, axis=1)[:, 2]
    counts = BallTree(X + offset, leaf_size=8, metric=name).query_radius(Q + offset, r, count_only=True)
    np.testing.assert_array_equal(counts, (D <= r[:, None]).sum(axis=1))


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("algorithm", ["ball_tree", "brute"])
def test_knn_estimators_shift_invariant_and_match_scikit_learn(algorithm, offset):
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    X = _close_pairs(120, 9)
    y = (X[:, 0] + 3 * X[:, 1]) % 7
    Q = _grid(50, 2, 10, scale=50.0)
    for name, sk in (("knn", KNeighborsClassifier), ("knn_regressor", KNeighborsRegressor)):
        target = y.astype(int) if name == "knn" else y
        ours = mlcore.build(f"{name}(k=3, weights='distance', algorithm='{algorithm}')")
        pred = ours.fit(X + offset, target).predict(Q + offset)
        ref = sk(n_neighbors=3, weights="distance", algorithm="brute").fit(X, target).predict(Q)
        np.testing.assert_allclose(pred, ref, rtol=1e-9, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("offset", OFFSETS)
def test_kernel_regression_shift_invariant(offset):
    X = _grid(80, 1, 11)
    y = np.sin(X[:, 0])
    Q = _grid(30, 1, 12)
    base = mlcore.build("kernel_regression(kernel=rbf, bandwidth='loo')").fit(X, y)
    moved = mlcore.build("kernel_regression(kernel=rbf, bandwidth='loo')").fit(X + offset, y)
    assert moved.bandwidth_ == pytest.approx(base.bandwidth_, rel=1e-12)
    np.testing.assert_allclose(moved.predict(Q + offset), base.predict(Q), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("offset", (0.0,) + OFFSETS)
def test_gp_regression_far_from_origin_matches_scikit_learn(offset):
    """The reported case: rbf(1.0), alpha=1e-4, t in [0, 10]; failed to factor at 2.46e6."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    t = np.sort(_grid(40, 1, 13), axis=0)
    y = np.sin(t[:, 0]) + 0.1 * np.cos(7 * t[:, 0])
    tq = _grid(25, 1, 14)
    gp = mlcore.build("gp_regression(kernel=rbf(length_scale=1.0), alpha=1e-4)").fit(t + offset, y)
    mean, std = gp.predict(tq + offset, return_std=True)
    sk = GaussianProcessRegressor(RBF(1.0), alpha=1e-4, optimizer=None).fit(t, y)
    ref_mean, ref_std = sk.predict(tq, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(std, ref_std, rtol=1e-6, atol=1e-7)
