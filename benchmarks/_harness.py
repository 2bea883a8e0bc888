"""Timing helpers shared by the benchmark modules.

Every benchmark module ``benchmarks/bench_<family>.py`` defines ``workloads(quick=False)``,
a generator of dicts::

    {"workload": "ridge 100000x50", "mlcore": seconds, "reference": "sklearn Ridge",
     "ref": seconds, "quality": "rmse 1.0043 vs 1.0043", "target": 1.2}

``target`` (optional) is the issue's maximum ratio mlcore/reference. ``make bench`` runs
them all (``python benchmarks/run.py``) and prints the ratio measured in this process.
"""

from __future__ import annotations

import gc
import time


def median_time(fn, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def paired_median_times(ours, ref, repeat: int = 5, warmup: int = 1) -> tuple[float, float]:
    """Median times of ``ours()`` and ``ref()``, run alternately so load changes hit both alike."""
    for _ in range(warmup):
        ours()
        ref()
    t_ours, t_ref = [], []
    for _ in range(repeat):
        for fn, out in ((ours, t_ours), (ref, t_ref)):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    t_ours.sort()
    t_ref.sort()
    return t_ours[len(t_ours) // 2], t_ref[len(t_ref) // 2]


def gmm_problem(n: int):
    """The GMM workload's data: ``n`` points around 8 Gaussian centres in 5-D, and a fixed start
    (weights, means drawn from the points, identity covariances) so both libraries run the same EM."""
    import numpy as np

    rng = np.random.default_rng(0)
    centers = rng.normal(0, 4, (8, 5))
    X = np.vstack([rng.normal(c, 1.0, (n // 8, 5)) for c in centers])
    w0 = np.full(8, 1 / 8)
    m0 = X[rng.choice(len(X), 8, replace=False)]
    c0 = np.stack([np.eye(5)] * 8)
    return X, w0, m0, c0

