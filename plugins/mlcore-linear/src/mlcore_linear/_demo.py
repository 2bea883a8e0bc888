"""Demo: fit each linear model from a spec on synthetic data and print scores and timings."""

from __future__ import annotations

import time

import numpy as np


def run():
    import mlcore

    rng = np.random.default_rng(0)
    n, m = 5_000, 20
    X = rng.normal(size=(n, m))
    w = rng.normal(size=m)
    y_reg = X @ w + 2.0 + rng.normal(size=n)
    y_clf = np.argmax(X[:, :3] * 2 + rng.gumbel(size=(n, 3)), axis=1)
    y_cnt = rng.poisson(np.exp(0.3 * (X @ w) / np.linalg.norm(w) + 1.0)).astype(float)
    tr, te = slice(0, 4_000), slice(4_000, None)
    jobs = [
        ("linear_regression", y_reg, "R^2"),
        ("ridge(alpha=10.0)", y_reg, "R^2"),
        ("bayesian_linear_regression(noise_variance=None)", y_reg, "R^2"),
        ("glm(link='log')", y_cnt, "D^2"),
        ("logistic_regression(C=1.0)", y_clf, "accuracy"),
        ("logistic_regression(penalty='l1', C=0.05)", y_clf, "accuracy"),
        ("gaussian_nb", y_clf, "accuracy"),
    ]
    print(f"synthetic data: {n} x {m} (train 4,000 / test 1,000)")
    for spec, y, metric in jobs:
        mlcore.build(spec).fit(X[:200], y[:200])          # warm-up: module imports
        t0 = time.perf_counter()
        model = mlcore.build(spec).fit(X[tr], y[tr])
        dt = time.perf_counter() - t0
        extra = ""
        if spec.startswith("logistic_regression(penalty='l1'"):
            extra = f", {int((model.coef_ != 0).sum())}/{model.coef_.size} non-zero weights"
        if spec.startswith("bayesian"):
            _, std = model.predict(X[te][:1], return_std=True)
            extra = f", predictive std {std[0]:.3f} (noise 1.0)"
        print(f"  {spec:<50} test {metric} {model.score(X[te], y[te]):.4f}  fit {dt * 1e3:6.1f} ms{extra}")
