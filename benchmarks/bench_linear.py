"""Benchmarks of mlcore-linear against scikit-learn (single-threaded BLAS recommended).

Workloads (issue 7): ridge 100,000 x 50 (target <= 1.2x sklearn Ridge), logistic regression
20,000 x 50 with l2 (target <= 2x sklearn lbfgs at the same tol, equal log-loss), Bayesian
linear regression fit + predict (with std) on 100,000 x 50 (target <= 1x BayesianRidge).
"""

from __future__ import annotations

import warnings

import numpy as np
from _harness import median_time


def _regression(n, m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m)) + rng.normal(size=m)
    y = X @ rng.normal(size=m) + 3.0 + rng.normal(size=n)
    return X, y


def _paired(ours, ref, repeat):
    """Medians of alternating single runs (after one warm-up each): load drift hits both alike."""
    ours(), ref()
    t_ours, t_ref = [], []
    for _ in range(repeat):
        t_ours.append(median_time(ours, repeat=1, warmup=0))
        t_ref.append(median_time(ref, repeat=1, warmup=0))
    return float(np.median(t_ours)), float(np.median(t_ref))


def workloads(quick: bool = False):
    """Yield the three workloads, timed with single-threaded BLAS (threadpoolctl)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield from _workloads(quick)


def _workloads(quick):
    from mlcore_linear.bayesian import BayesianLinearRegression
    from mlcore_linear.logistic import LogisticRegression
    from mlcore_linear.ridge import Ridge
    from sklearn.linear_model import BayesianRidge
    from sklearn.linear_model import LogisticRegression as SkLogistic
    from sklearn.linear_model import Ridge as SkRidge
    from sklearn.metrics import log_loss

    repeat = 3 if quick else 9
    n = 20_000 if quick else 100_000
    X, y = _regression(n + 10_000, 50)
    Xtr, ytr, Xte, yte = X[:n], y[:n], X[n:], y[n:]

    ours, ref = Ridge(alpha=1.0), SkRidge(alpha=1.0)
    t_ours, t_ref = _paired(lambda: ours.fit(Xtr, ytr), lambda: ref.fit(Xtr, ytr), repeat)
    rmse = lambda p: float(np.sqrt(np.mean((p - yte) ** 2)))
    yield {"workload": f"ridge fit {n}x50", "mlcore": t_ours, "reference": "sklearn Ridge (cholesky)",
           "ref": t_ref, "quality": f"test rmse {rmse(ours.predict(Xte)):.6f} vs {rmse(ref.predict(Xte)):.6f}",
           "target": 1.2}

    nl = 5_000 if quick else 20_000
    rng = np.random.default_rng(1)
    Xl = rng.normal(size=(nl + 5_000, 50))
    yl = (rng.uniform(size=nl + 5_000) < 1 / (1 + np.exp(-(Xl @ rng.normal(scale=0.3, size=50))))).astype(int)
    Xa, ya, Xb, yb = Xl[:nl], yl[:nl], Xl[nl:], yl[nl:]
    ours, ref = LogisticRegression(C=1.0, tol=1e-4), SkLogistic(C=1.0, tol=1e-4, solver="lbfgs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, t_ref = _paired(lambda: ours.fit(Xa, ya), lambda: ref.fit(Xa, ya), repeat)
    yield {"workload": f"logistic l2 fit {nl}x50", "mlcore": t_ours, "reference": "sklearn LogisticRegression lbfgs",
           "ref": t_ref, "quality": (f"train log-loss {log_loss(ya, ours.predict_proba(Xa)):.6f} vs "
                                     f"{log_loss(ya, ref.predict_proba(Xa)):.6f}; test acc "
                                     f"{ours.score(Xb, yb):.4f} vs {ref.score(Xb, yb):.4f}"),
           "target": 2.0}

    Xq = Xte[:1000]
    ours, ref = BayesianLinearRegression(V=1.0, noise_variance=None), BayesianRidge()

    def run_ours():
        return ours.fit(Xtr, ytr).predict(Xq, return_std=True)

    def run_ref():
        return ref.fit(Xtr, ytr).predict(Xq, return_std=True)

    t_ours, t_ref = _paired(run_ours, run_ref, repeat)
    yield {"workload": f"bayesian fit+predict(std) {n}x50, 1000 queries", "mlcore": t_ours,
           "reference": "sklearn BayesianRidge", "ref": t_ref,
           "quality": f"test rmse {rmse(ours.predict(Xte)):.6f} vs {rmse(ref.predict(Xte)):.6f}", "target": 1.0}


if __name__ == "__main__":
    import sys

    for row in workloads(quick="--quick" in sys.argv):
        print(f"{row['workload']:<50} mlcore {row['mlcore'] * 1e3:8.2f} ms  {row['reference']} "
              f"{row['ref'] * 1e3:8.2f} ms  ratio {row['mlcore'] / row['ref']:.2f} (target {row['target']})  "
              f"{row['quality']}")
