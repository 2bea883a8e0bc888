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
