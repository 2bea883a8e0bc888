"""Demo of mlcore-nonparametric: k-NN, kernel regression and a Gaussian process (a few seconds)."""

from __future__ import annotations

import time

import numpy as np


def run():
    import mlcore

    rng = np.random.default_rng(0)
    # two interleaved half-moons with noise
    t = rng.uniform(0, np.pi, 1_200)
    lab = rng.integers(0, 2, 1_200)
    X = np.column_stack([np.cos(t) + lab, np.sin(t) * (1 - 2 * lab) + 0.5 * lab]) + 0.2 * rng.normal(size=(1_200, 2))
    Xtr, ytr, Xte, yte = X[:1_000], lab[:1_000], X[1_000:], lab[1_000:]
    for spec in ("knn(k=15)", "knn(k=15, weights='distance', metric=manhattan)", "knn(k=15, algorithm='brute')"):
        t0 = time.perf_counter()
        acc = mlcore.build(spec).fit(Xtr, ytr).score(Xte, yte)
        print(f"{spec:50s} accuracy {acc:.3f}  ({1e3 * (time.perf_counter() - t0):.1f} ms)")

    x = np.sort(rng.uniform(0, 6, 200))[:, None]
    y = np.sin(x[:, 0]) + 0.2 * rng.normal(size=200)
    kr = mlcore.build("kernel_regression(kernel=rbf, bandwidth='loo')").fit(x, y)
    grid = np.linspace(0, 6, 100)[:, None]
    rmse = np.sqrt(np.mean((kr.predict(grid) - np.sin(grid[:, 0])) ** 2))
    print(f"kernel_regression: leave-one-out bandwidth {kr.bandwidth_:.3f}, rmse vs sin(x) {rmse:.3f}")

    t0 = time.perf_counter()
    gp = mlcore.build("gp_regression(alpha=0.04, optimizer='l-bfgs-b')").fit(x, y)
    mean, std = gp.predict(grid, return_std=True)
    inside = np.mean(np.abs(mean - np.sin(grid[:, 0])) < 2 * std)
    print(f"gp_regression: fitted kernel {gp.kernel_}, log marginal likelihood "
          f"{gp.log_marginal_likelihood():.2f}, truth inside mean +- 2 std at {100 * inside:.0f}% of the grid "
          f"({1e3 * (time.perf_counter() - t0):.0f} ms)")
