"""Benchmarks of mlcore-nonparametric and mlcore-utils against scikit-learn (issue 11 workloads).

Run single-threaded: ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/run.py``.
"""

from __future__ import annotations

import numpy as np
from _harness import median_time


def _paired(run_ours, run_ref, repeat):
    """Median times of two functions measured alternately (both see the same machine load)."""
    run_ours()
    run_ref()
    t_ours, t_ref = [], []
    for _ in range(repeat):
        t_ours.append(median_time(run_ours, repeat=1, warmup=0))
        t_ref.append(median_time(run_ref, repeat=1, warmup=0))
    return float(np.median(t_ours)), float(np.median(t_ref))


def _knn(quick):
    from sklearn.datasets import make_classification
    from sklearn.neighbors import KNeighborsClassifier

    import mlcore

    n_train, n_test = (2_000, 400) if quick else (10_000, 2_000)
    X, y = make_classification(n_samples=n_train + n_test, n_features=10, n_informative=6, random_state=0)
    Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    ours = {}

    def run_ours():
        ours["pred"] = mlcore.build("knn(k=5)").fit(Xtr, ytr).predict(Xte)

    ref = {}

    def run_ref():
        ref["pred"] = KNeighborsClassifier(n_neighbors=5).fit(Xtr, ytr).predict(Xte)

    t_ours, t_ref = _paired(run_ours, run_ref, 7 * (3 if quick else 1))
    return {"workload": f"knn fit+predict {n_train}x10, {n_test} queries, k=5", "mlcore": t_ours,
            "reference": "sklearn KNeighborsClassifier (auto)", "ref": t_ref,
            "quality": f"accuracy {np.mean(ours['pred'] == yte):.4f} vs {np.mean(ref['pred'] == yte):.4f}",
            "target": 2.0}


def _ball_tree(quick):
    from mlcore_utils import BallTree
    from sklearn.datasets import make_classification
    from sklearn.neighbors import BallTree as SkBallTree

    n_train, n_test = (2_000, 400) if quick else (10_000, 2_000)
    X, _ = make_classification(n_samples=n_train + n_test, n_features=10, n_informative=6, random_state=0)
    Xtr, Xte = X[:n_train], X[n_train:]
    out = {}

    def run_ours():
        out["ours"] = BallTree(Xtr, leaf_size=40).query(Xte, k=5)

    def run_ref():
        out["ref"] = SkBallTree(Xtr, leaf_size=40).query(Xte, k=5)

    t_ours, t_ref = _paired(run_ours, run_ref, 7 * (3 if quick else 1))
    same = np.mean(out["ours"][1] == out["ref"][1])
    err = np.abs(out["ours"][0] - out["ref"][0]).max()
    return {"workload": f"BallTree build+query {n_train}x10, {n_test} queries, k=5", "mlcore": t_ours,
            "reference": "sklearn BallTree", "ref": t_ref,
            "quality": f"same neighbours {same:.4f}, max |dist diff| {err:.1e}", "target": 5.0}


def _kernel_regression(quick):
    from sklearn.metrics.pairwise import rbf_kernel

    import mlcore

    n_train, n_test = (1_000, 200) if quick else (5_000, 1_000)
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(n_train, 5))
    f = lambda Z: np.sin(Z[:, 0]) + Z[:, 1] * Z[:, 2] - 0.5 * Z[:, 3]
    y = f(X) + 0.5 * rng.normal(size=n_train)
    Xq = rng.uniform(-2, 2, size=(n_test, 5))
    h = 0.8
    out = {}

    def run_ours():
        out["ours"] = mlcore.build(f"kernel_regression(kernel=rbf, bandwidth={h})").fit(X, y).predict(Xq)

    def run_ref():
        K = rbf_kernel(Xq, X, gamma=1 / (2 * h * h))
        out["ref"] = K @ y / K.sum(axis=1)

    t_ours, t_ref = _paired(run_ours, run_ref, 9 * (3 if quick else 1))
    rmse = lambda p: np.sqrt(np.mean((p - f(Xq)) ** 2))
    return {"workload": f"kernel_regression {n_train}x5, {n_test} queries", "mlcore": t_ours,
            "reference": "sklearn rbf_kernel + weighted mean", "ref": t_ref,
            "quality": f"rmse_vs_truth {rmse(out['ours']):.6f} vs {rmse(out['ref']):.6f}", "target": 1.2}


def _gp(quick):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    import mlcore

    n_train, n_test = (500, 250) if quick else (2_000, 1_000)
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(n_train, 3))
    y = np.sin(X[:, 0]) * np.cos(X[:, 1]) + 0.1 * X[:, 2] + 0.05 * rng.normal(size=n_train)
    Xq = rng.uniform(-3, 3, size=(n_test, 3))
    out = {}

    def run_ours():
        out["ours"] = mlcore.build("gp_regression(kernel=rbf(length_scale=1.0), alpha=0.01)").fit(X, y).predict(
            Xq, return_std=True)

    def run_ref():
        out["ref"] = GaussianProcessRegressor(RBF(1.0), alpha=0.01, optimizer=None).fit(X, y).predict(
            Xq, return_std=True)

    t_ours, t_ref = _paired(run_ours, run_ref, 5 * (3 if quick else 1))
    dm = np.abs(out["ours"][0] - out["ref"][0]).max()
    ds = np.abs(out["ours"][1] - out["ref"][1]).max()
    return {"workload": f"gp_regression fit+predict(return_std) {n_train}x3, {n_test} queries", "mlcore": t_ours,
            "reference": "sklearn GaussianProcessRegressor(optimizer=None)", "ref": t_ref,
            "quality": f"max |mean diff| {dm:.1e}, max |std diff| {ds:.1e}", "target": 1.5}


def workloads(quick=False):
    """Issue 11 workloads: k-NN, ball tree, kernel regression, Gaussian process."""
    yield _knn(quick)
    yield _ball_tree(quick)
    yield _kernel_regression(quick)
    yield _gp(quick)


if __name__ == "__main__":
    import sys

    for w in workloads(quick="--quick" in sys.argv):
        print(f"{w['workload']}: mlcore {w['mlcore'] * 1e3:.1f} ms, {w['reference']} {w['ref'] * 1e3:.1f} ms, "
              f"ratio {w['mlcore'] / w['ref']:.2f} (target <= {w['target']}), {w['quality']}")
