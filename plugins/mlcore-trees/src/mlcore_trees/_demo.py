"""Demo: the three tree estimators on scikit-learn-free synthetic data (runs in a few seconds)."""

from __future__ import annotations

import time

import numpy as np


def _data(n=4000, d=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    logit = 2 * X[:, 0] - X[:, 1] + X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4])
    y = (logit + rng.normal(scale=0.7, size=n) > 0).astype(int)
    return X[: n // 2], y[: n // 2], X[n // 2:], y[n // 2:]


def run():
    import mlcore

    Xtr, ytr, Xte, yte = _data()
    for spec in ("decision_tree(max_depth=6)",
                 "random_forest(n_estimators=30, max_depth=8, random_state=0)",
                 "gbdt(n_estimators=60, max_depth=3, learning_rate=0.2)",
                 "gbdt(n_estimators=60, max_depth=3, learning_rate=0.2, splitter='hist')"):
        est = mlcore.build(spec)
        t0 = time.perf_counter()
        est.fit(Xtr, ytr)
        dt = time.perf_counter() - t0
        print(f"{spec:<75} fit {dt * 1e3:7.1f} ms   test accuracy {est.score(Xte, yte):.3f}")
    imp = mlcore.build("random_forest(n_estimators=30, max_depth=8, random_state=0)").fit(Xtr, ytr)
    top = np.argsort(imp.feature_importances_)[::-1][:5]
    print("random_forest feature importances (top 5):",
          ", ".join(f"x{j}={imp.feature_importances_[j]:.2f}" for j in top))


if __name__ == "__main__":
    run()
