"""Registry-wide: hyperparameters that must be positive numbers refuse inf and nan at build time.

For every registered component and every constructor parameter that takes a positive
number (its default is a finite real number > 0, or the component accepts a positive value
for it and refuses the negative one; bools excluded), building the component's full spec with
that parameter set to ``inf``, ``-inf``, ``nan`` or ``1e999`` (which the parser turns into
``inf``) raises :class:`ComponentArgumentError`, except the parameters listed in
``ACCEPTS_INF`` where an infinite value is documented and meaningful.

Parameters holding lists or tuples of numbers (means, probabilities, edge weights) refuse an
inf or nan entry the same way.

Two hypothesis-driven checks: whatever value ``build`` accepts for such a parameter (huge
integers, tiny and huge floats), ``to_spec`` prints it and ``build(to_spec(x))`` gives back
the same spec; and spec text with any literal (700-digit decimals, 2400-bit hex, ``1e999``,
containers) in place of any hyperparameter of any component either fails with an mlcore
error or builds a component that prints back.
"""

import math
import numbers
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlcore
from mlcore import Spec, parse
from mlcore.errors import ComponentArgumentError, MlcoreError
from mlcore.interfaces import constructor_params
from mlcore.testing import conformance_cases

#: (kind, name, parameter) -> why an infinite value is meaningful there (documented by the component)
ACCEPTS_INF: dict[tuple[str, str, str], str] = {
    ("metric", "minkowski", "p"): "p = inf is the Chebyshev (L-infinity) distance",
}

CASES = [c for c in conformance_cases() if "_error" not in c.example]


def _with(full: Spec, name: str, value) -> Spec:
    return full.evolve(kwargs=tuple((k, value if k == name else v) for k, v in full.kwargs))


def _builds(case, full, name, value) -> bool:
    try:
        mlcore.build(_with(full, name, value), kind=case.kind)
    except (ComponentArgumentError, TypeError, ValueError, OverflowError):
        return False  # (a raw TypeError for a negative value is the business of the test below)
    return True


def _positive_params():
    """(case, full spec, parameter name) for every parameter that takes a positive number.

    A parameter is included when its default is a finite real number > 0, or, whatever its
    default (None, 0, required), when the component accepts a small positive number for it
    but refuses its negative: the signature of a parameter validated as positive.
    """
    out = []
    for case in CASES:
        try:
            obj = mlcore.build(case.spec, kind=case.kind)
            full = parse(mlcore.to_spec(obj, full=True))
        except Exception as exc:  # reported as a failing case, not hidden (test_contracts checks it too)
            out.append(pytest.param(case, exc, None, id=f"{case}.<spec>"))
            continue
        present = {k for k, _ in full.kwargs}
        for p in constructor_params(type(obj)):
            if p.name not in present:
                continue
            d = p.default
            if isinstance(d, bool) or isinstance(full.kwargs_dict[p.name], bool):
                continue
            if isinstance(d, numbers.Real) and math.isfinite(d) and d > 0:
                positive = True
            else:
                current = full.kwargs_dict[p.name]
                probes = (2,) if isinstance(current, int) else (0.5,) if isinstance(current, float) else (2, 0.5)
                positive = any(_builds(case, full, p.name, v) and not _builds(case, full, p.name, -v)
                               for v in probes)
            if positive:
                out.append(pytest.param(case, full, p.name, id=f"{case}.{p.name}"))
    return out


PARAMS = _positive_params()


def test_the_table_finds_parameters():
    assert len(PARAMS) > 100  # the registry is large; an empty table would pass vacuously
    listed = {(c.kind, c.name, n) for c, _, n in (p.values for p in PARAMS) if n is not None}
    assert set(ACCEPTS_INF) <= listed, "ACCEPTS_INF names a parameter that is not (or no longer) positive"


@pytest.mark.parametrize("case,full,name", PARAMS)
def test_non_finite_positive_hyperparameters_are_refused(case, full, name):
    if name is None:
        raise full  # the component's own spec did not build
    allowed = ACCEPTS_INF.get((case.kind, case.name, name))
    values = [math.nan] if allowed else [math.inf, -math.inf, math.nan]
    for value in values:
        with pytest.raises(ComponentArgumentError, match=name):
            mlcore.build(_with(full, name, value), kind=case.kind)
    if not allowed:  # the literal 1e999 is inf after parsing
        text = re.sub(rf"\b{name}=0\.5\b", f"{name}=1e999", str(_with(full, name, 0.5)))
        with pytest.raises(ComponentArgumentError, match=name):
            mlcore.build(text, kind=case.kind)


def _real_leaves(v) -> bool:
    if isinstance(v, (list, tuple)):
        return bool(v) and all(map(_real_leaves, v))
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _first_leaf(v, value):
    head = _first_leaf(v[0], value) if isinstance(v[0], (list, tuple)) else value
    return type(v)([head, *v[1:]])


SEQUENCES = []  # (case, full spec, name) of every parameter holding a (nested) list or tuple of numbers
for _case in CASES:
    try:
        _full = parse(mlcore.to_spec(mlcore.build(_case.spec, kind=_case.kind), full=True))
    except Exception:  # reported by the <spec> case above
        continue
    SEQUENCES += [pytest.param(_case, _full, k, id=f"{_case}.{k}") for k, v in _full.kwargs
                  if isinstance(v, (list, tuple)) and _real_leaves(v)]


@pytest.mark.parametrize("case,full,name", SEQUENCES)
def test_non_finite_entries_of_numeric_sequences_are_refused(case, full, name):
    """Means, probabilities, edge weights, betas...: one inf or nan entry is refused at build time."""
    value = full.kwargs_dict[name]
    for bad in (math.nan,) if (case.kind, case.name, name) in ACCEPTS_INF else (math.inf, math.nan):
        with pytest.raises(ComponentArgumentError):
            mlcore.build(_with(full, name, _first_leaf(value, bad)), kind=case.kind)


@pytest.mark.parametrize("case,full,name", [p for p in PARAMS
                                             if (p.values[0].kind, p.values[0].name, p.values[2]) in ACCEPTS_INF])
def test_documented_infinite_values_build_and_print(case, full, name):
    obj = mlcore.build(_with(full, name, math.inf), kind=case.kind)
    assert mlcore.to_spec(mlcore.build(mlcore.to_spec(obj), kind=case.kind)) == mlcore.to_spec(obj)


_values = (st.integers(min_value=1, max_value=10 ** 700)
           | st.floats(min_value=5e-324, max_value=1.7e308, allow_nan=False, allow_infinity=False)
           | st.sampled_from([1, 2, 10 ** 639, 16 ** 600, 1e-300, 1e300, 0.5]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_whatever_builds_prints_back(data):
    case, full, name = data.draw(st.sampled_from([p for p in PARAMS if p.values[2] is not None])).values
    value = data.draw(_values)
    try:
        obj = mlcore.build(_with(full, name, value), kind=case.kind)
    except ComponentArgumentError:
        return
    text = mlcore.to_spec(obj, full=True)
    again = mlcore.build(text, kind=case.kind)
    assert mlcore.to_spec(again, full=True) == text


_literals = st.one_of(
    st.integers(min_value=1, max_value=700).map(lambda n: "9" * n),                  # up to 700 digits
    st.integers(min_value=1, max_value=600).map(lambda n: "0x" + "f" * n),           # up to 2400 bits
    st.sampled_from(["1e999", "-1e999", "nan", "inf", "0", "-1", "1", "2", "0.5", "1e-320", "True", "None",
                     "''", "'x'", "[]", "[1, 2]", "(1,)", "{}", "{a: 1}", "[[1.5]]", "[nan]", "[[1e999, 1]]",
                     "[(0, 1, nan)]"]),
)
ALL_PARAMS = []  # (case, full spec, name) of every hyperparameter of every component
for _case in CASES:
    try:
        _full = parse(mlcore.to_spec(mlcore.build(_case.spec, kind=_case.kind), full=True))
    except Exception:  # reported by the <spec> case above
        continue
    ALL_PARAMS += [(_case, _full, k) for k, _ in _full.kwargs]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_spec_text_builds_and_prints_back_or_fails_cleanly(data):
    """Literal text in place of a hyperparameter: a clean mlcore error, or a component that prints back."""
    case, full, name = data.draw(st.sampled_from(ALL_PARAMS))
    literal = data.draw(_literals)
    text = re.sub(rf"\b{name}=0\.5\b", f"{name}={literal}", str(_with(full, name, 0.5)))
    try:
        obj = mlcore.build(text, kind=case.kind)
    except MlcoreError:
        return
    printed = mlcore.to_spec(obj, full=True)
    assert mlcore.to_spec(mlcore.build(printed, kind=case.kind), full=True) == printed
