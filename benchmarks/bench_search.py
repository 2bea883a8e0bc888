"""``mlcore search`` speed-up: a grid search with --n-jobs 2 and on a 2-worker Dask LocalCluster,
against --n-jobs 1 (issue 20: at least 1.6x on a grid whose cells take at least a second each).

The grid: the README's digits CNN (wider, more epochs), 2 learning rates x 2 widths, 2-fold cross-
validation, 100 epochs of minibatches of 64: 8 fits of about a second each. Rows report the parallel
time as "mlcore" and the one-job time as "ref", so the ratio is the inverse of the speed-up (target
1/1.6); the quality column gives the speed-up and whether the results table equals the one-job
table. The cluster is started (and loky's workers warmed up) before timing: the search is timed, not
the start-up of workers, and the workers get the settings ``mlcore search --backend
dask`` gives the local cluster it starts (``local_cluster_config()``). Each row also measures what the machine gives two
processes at that moment (an ideal CPU-bound task's speed-up): on a shared machine the search cannot
beat it.
"""

from __future__ import annotations

import os
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
GRID = [("model.optimizer.lr", "3e-3,1e-2"), ("model.layers[0].out_ch", "16,24")]


def _config(quick: bool):
    from mlcore import config

    epochs = 8 if quick else 100
    return config.load(ROOT / "examples" / "digits_cnn.toml",
                       [f"fit.epochs={epochs}", "data.validation_split=0.0", "fit.batch_size=64"])


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _spin(n):
    s = 0
    for i in range(n):   # pure Python on purpose: CPU only, no memory traffic, no BLAS
        s += i * i
    return s


def machine_capacity(n: int = 3_000_000) -> float:
    """Speed-up of 2 joblib processes over 1 on 4 equal pure-Python tasks, measured now: what
    the machine gives two workers at the moment (2.0 on an idle 2-core machine)."""
    import joblib

    joblib.Parallel(n_jobs=2)(joblib.delayed(_spin)(10) for _ in range(2))   # start the workers
    t1, _ = _timed(lambda: [_spin(n) for _ in range(4)])
    t2, _ = _timed(lambda: joblib.Parallel(n_jobs=2)(joblib.delayed(_spin)(n) for _ in range(4)))
    return t1 / t2


def workloads(quick: bool = False):
    from mlcore._search import run_search

    cfg = _config(quick)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "mean_fit_time"} for r in rows]
    run_search(cfg, [GRID[0]], cv=2, n_jobs=1)   # warm-up: imports, first builds
    t1, (rows1, _, _) = _timed(lambda: run_search(cfg, GRID, cv=2, n_jobs=1))
    per_fit = sum(r["mean_fit_time"] for r in rows1) / len(rows1)
    label = f"search 2x2 grid x 2 folds ({per_fit:.2f} s/fit)"

    run_search(cfg, [GRID[0]], cv=2, n_jobs=2)   # warm loky's worker processes
    t2, (rows2, _, _) = _timed(lambda: run_search(cfg, GRID, cv=2, n_jobs=2))
    yield {"workload": f"{label} --n-jobs 2", "mlcore": t2, "reference": "--n-jobs 1", "ref": t1,
           "quality": f"speed-up {t1 / t2:.2f}x, same table: {strip(rows1) == strip(rows2)}; "
                      f"load {os.getloadavg()[0]:.1f}, machine gives 2 jobs {machine_capacity():.2f}x", "target": 1 / 1.6}
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        return
    import dask

    from mlcore._search import local_cluster_config

    with dask.config.set(local_cluster_config()), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        run_search(cfg, [GRID[0]], cv=2, backend="dask", scheduler=address)   # workers import mlcore
        t3, (rows3, _, _) = _timed(lambda: run_search(cfg, GRID, cv=2, backend="dask", scheduler=address))
    yield {"workload": f"{label} dask 2 workers", "mlcore": t3, "reference": "--n-jobs 1", "ref": t1,
           "quality": f"speed-up {t1 / t3:.2f}x, same table: {strip(rows1) == strip(rows3)}; "
                      f"load {os.getloadavg()[0]:.1f}, machine gives 2 jobs {machine_capacity():.2f}x",
           "target": 1 / 1.6}


if __name__ == "__main__":
    for row in workloads():
        print(row)
