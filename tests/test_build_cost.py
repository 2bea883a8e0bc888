"""Registry-wide: building a component allocates nothing proportional to data.

Every registered component is built from its example spec with each integer size
hyperparameter (an int whose value is >= 1, or each int of a tuple of them) raised to
``BIG``, all at once when that validates, else one at a time; each parameter set to None
is also tried at ``BIG`` alone (an optional size such as ``n_arms``). Building and printing the spec back must stay cheap: memory
allocated (tracemalloc peak) under ``MAX_BYTES`` and time under ``MAX_SECONDS``. Arrays sized
by hyperparameters belong in ``fit``, ``reset`` or ``initialize``, not ``__init__``.
"""

import time
import tracemalloc

import pytest

import mlcore
from mlcore import parse
from mlcore.errors import ComponentArgumentError
from mlcore.testing import conformance_cases

BIG = 100_000
MAX_BYTES = 2_000_000      # a dense (BIG, 8) float64 array would be 6.4 MB
MAX_SECONDS = 0.1

CASES = conformance_cases()


def _is_size(v) -> bool:
    return type(v) is int and v >= 1


def _big(v):
    """BIG in place of an int size, of each int in a tuple or list of sizes, or of None (an optional size)."""
    if isinstance(v, (tuple, list)):
        return type(v)(BIG for _ in v)
    return BIG


def _size_params(full) -> list[str]:
    """Parameters holding an int >= 1, a non-empty tuple or list of them, or None (probed: it may take a size)."""
    return [k for k, v in full.kwargs
            if _is_size(v) or v is None or (isinstance(v, (tuple, list)) and v and all(map(_is_size, v)))]


def _scaled_specs(case):
    """The spec with every int size parameter at BIG, or, if that does not validate, each one alone."""
    full = parse(mlcore.to_spec(mlcore.build(case.spec, kind=case.kind), full=True))
    names = _size_params(full)
    if not names:
        return full, []

    def scaled(which):
        return full.evolve(kwargs=tuple((k, _big(v) if k in which else v) for k, v in full.kwargs))

    sized = [k for k in names if full.kwargs_dict[k] is not None]
    try:
        mlcore.build(scaled(sized), kind=case.kind)
        out = [(sized, scaled(sized))] if sized else []
        names = [k for k in names if k not in sized]   # the optional ones, one at a time
    except ComponentArgumentError:
        out = []
    for name in names:
        try:
            mlcore.build(scaled([name]), kind=case.kind)
        except ComponentArgumentError:  # BIG is out of this parameter's range (a window, a probability)
            continue
        out.append(([name], scaled([name])))
    return full, out


def _cost(spec, kind):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        obj = mlcore.build(spec, kind=kind)
        mlcore.to_spec(obj)
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, elapsed


@pytest.mark.parametrize("case", CASES, ids=str)
def test_building_with_large_sizes_is_cheap(case):
    full, variants = _scaled_specs(case)
    mlcore.build(full, kind=case.kind)  # warm: imports and signature caches are not the component's cost
    for names, spec in variants:
        peak, elapsed = min(_cost(spec, case.kind) for _ in range(2))  # best of two: a busy machine
        assert peak < MAX_BYTES, f"{case} with {names}={BIG}: building allocated {peak / 1e6:.1f} MB"
        assert elapsed < MAX_SECONDS, f"{case} with {names}={BIG}: building took {elapsed:.3f} s"


def test_the_table_scales_something():
    scaled = sum(bool(_scaled_specs(c)[1]) for c in CASES)
    assert scaled > 40  # an empty table would pass vacuously
