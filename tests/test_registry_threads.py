"""First use of the registry under threads: loading, hook registration and lazy imports."""

import threading

import pytest

import mlcore
from mlcore._registry import Registry, _set_registry

# One component from each of eight families (eight distributions).
FAMILIES = ["adam(lr=0.01)", "ridge", "gmm", "dense(n_out=3)", "knn", "decision_tree", "ucb1", "standardizer"]

SLOW_FAMILY = """
from mlcore import hookimpl

@hookimpl
def mlcore_register(registry):
    registry.kinds()  # a plugin that uses the registry while it registers
    registry.add("scheduler", "slow_sched", "__MODULE___impl:Slow")
"""

SLOW_IMPL = """
import time

import mlcore
from mlcore.interfaces import Scheduler

mlcore.registry().kinds()  # a component module that uses the registry while it is imported
time.sleep(0.05)  # a slow import: other threads arrive while it runs


class Slow(Scheduler):
    def learning_rate(self, step, cur_loss=None):
        return 1.0
"""


def _run_at_once(fns, timeout=60):
    """Run each function in its own thread, released together; ``(results, errors)``."""
    barrier = threading.Barrier(len(fns))
    results, errors = [None] * len(fns), []

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "deadlock: threads still running"
    return results, errors


@pytest.fixture
def fresh_process_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    old = _set_registry(None)
    yield
    _set_registry(old)


@pytest.mark.parametrize("use_cache", [True, False])
def test_eight_threads_building_eight_families_on_first_use(use_cache, fresh_process_registry, make_plugin):
    module = make_plugin("slow-dist", "slowfam", SLOW_FAMILY)
    import pathlib
    import sys

    (pathlib.Path(sys.path[0]) / f"{module}_impl.py").write_text(SLOW_IMPL)
    for repetition in range(4):
        _set_registry(Registry(use_cache=use_cache))
        specs = FAMILIES if repetition % 2 == 0 else ["slow_sched"] * 4 + FAMILIES[:4]
        results, errors = _run_at_once([lambda s=s: mlcore.build(s) for s in specs])
        assert errors == [], f"repetition {repetition}: {errors}"
        assert [mlcore.to_spec(r).split("(")[0] for r in results] == [s.split("(")[0] for s in specs]
        assert mlcore.registry().errors() == []


def test_singleton_is_created_once_under_threads(fresh_process_registry):
    results, errors = _run_at_once([mlcore.registry] * 8)
    assert errors == [] and len({id(r) for r in results}) == 1


def test_hook_registration_under_threads(fresh_process_registry, make_plugin):
    """The first build of each thread registers the pending plugins' hooks exactly once."""
    make_plugin("count-dist", "counter", """
from mlcore import hookimpl

SEEN = []

@hookimpl
def mlcore_component_built(name):
    SEEN.append(name)
""")
    _set_registry(Registry(use_cache=False))
    results, errors = _run_at_once([lambda: mlcore.build("adam")] * 8)
    assert errors == []
    counter = mlcore.registry().pm.get_plugin("counter")
    assert counter.SEEN == ["adam"] * 8
