"""Core benchmarks: spec parse + build against Hydra and confection; cold start.

(a) ``sgd(lr=0.1, momentum=0.9, scheduler=exponential(decay=0.9))`` parsed
    and built by mlcore, versus Hydra's ``instantiate`` and confection's
    ``registry.resolve`` building the same two classes from the equivalent config.
(b) Cold start: a fresh interpreter doing ``import mlcore; mlcore.build('adam(lr=1e-3)')``
    with every plugin installed, versus one doing ``import numpy``: medians of 20 (quick)
    or 30 fresh processes each, interleaved, after one warm-up run of each.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

from _harness import paired_median_times

SPEC = "sgd(lr=0.1, momentum=0.9, scheduler=exponential(decay=0.9))"


def _paired_per_call(fn, n, ref, n_ref):
    """Per-call times of ``fn`` and ``ref``, loops of ``n`` / ``n_ref`` calls alternated."""
    def loop(f, k):
        def run():
            for _ in range(k):
                f()
        return run
    a, b = paired_median_times(loop(fn, n), loop(ref, n_ref), repeat=5)
    return a / n, b / n_ref


def workloads(quick: bool = False):
    import mlcore

    n = 200 if quick else 2000
    reg = mlcore.registry()
    sgd_path = reg.lookup("sgd", "optimizer").target_path
    exp_path = reg.lookup("exponential", "scheduler").target_path
    build = lambda: mlcore.build(SPEC)  # noqa: E731
    try:
        from hydra.utils import instantiate

        cfg = {"_target_": sgd_path.replace(":", "."), "lr": 0.1, "momentum": 0.9,
               "scheduler": {"_target_": exp_path.replace(":", "."), "decay": 0.9}}
        assert type(instantiate(cfg)) is type(mlcore.build(SPEC))
        ours, hydra = _paired_per_call(build, n, lambda: instantiate(cfg), max(n // 10, 20))
        yield {"workload": "spec parse+build, 2 levels (vs Hydra)", "mlcore": ours,
               "reference": "hydra.utils.instantiate", "ref": hydra, "target": 0.1}
    except ImportError:
        print("(hydra-core not installed: skipping the Hydra comparison)")
    try:
        import confection

        sgd_cls, exp_cls = reg.get("sgd", "optimizer"), reg.get("exponential", "scheduler")

        def make_sgd(lr: float, momentum: float, scheduler):
            return sgd_cls(lr=lr, momentum=momentum, scheduler=scheduler)

        def make_exponential(decay: float):
            return exp_cls(decay=decay)

        class Reg(confection.registry):  # confection looks registries up by attribute: dicts suffice
            optimizers = {"sgd": make_sgd}
            schedulers = {"exponential": make_exponential}

        cfg = {"opt": {"@optimizers": "sgd", "lr": 0.1, "momentum": 0.9,
                       "scheduler": {"@schedulers": "exponential", "decay": 0.9}}}
        assert type(Reg.resolve(cfg)["opt"]) is sgd_cls
        ours, conf = _paired_per_call(build, n, lambda: Reg.resolve(cfg), max(n // 10, 20))
        yield {"workload": "spec parse+build, 2 levels (vs confection)", "mlcore": ours,
               "reference": "confection registry.resolve", "ref": conf, "target": 1.0}
    except ImportError:
        print("(confection not installed: skipping the confection comparison)")

    runs = 20 if quick else 30  # the median of at least 20 fresh processes each
    cmd_np = [sys.executable, "-c", "import numpy"]
    cmd_ml = [sys.executable, "-c", "import mlcore; mlcore.build('adam(lr=1e-3)')"]
    # As a user's interpreter would: bytecode written (PYTHONDONTWRITEBYTECODE=1 would make every
    # run recompile each module edited since its .pyc), and a warm-up run of each command first,
    # which also writes mlcore's entry-point cache.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for cmd in (cmd_np, cmd_ml):
        subprocess.run(cmd, check=True, env=env)
    t_np, t_ml, cpu_np, cpu_ml = [], [], [], []
    for _ in range(runs):  # interleaved so load changes hit both alike
        for cmd, out, cpu in ((cmd_np, t_np, cpu_np), (cmd_ml, t_ml, cpu_ml)):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, env=env)
            out.append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # CPU time: less sensitive to a busy machine
            cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    overhead = statistics.median(t_ml) - statistics.median(t_np)
    cpu_overhead = statistics.median(cpu_ml) - statistics.median(cpu_np)
    yield {"workload": "cold start: import mlcore + build adam", "mlcore": statistics.median(t_ml),
           "reference": "python -c 'import numpy'", "ref": statistics.median(t_np),
           "quality": f"overhead {overhead * 1e3:.1f} ms wall, {cpu_overhead * 1e3:.1f} ms CPU, medians of "
                      f"{runs} processes (target <= 30 ms)"}
