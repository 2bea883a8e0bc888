"""Conformance checks every registered component must pass.

``check_component`` runs all checks that apply to a component's kind; the smaller
``check_*`` functions can be used on their own in a plugin's tests.
"""

from __future__ import annotations

import os
import tempfile
from typing import NamedTuple

import numpy as np

from .. import _build, _io
from .._registry import registry as _registry
from ..errors import NotFittedError
from ..interfaces import constructor_params, missing_methods
from ._gradients import check_layer_gradients, check_loss_gradients
from ._layers import check_layer_contract

__all__ = [
    "Case", "conformance_cases", "check_component", "check_spec_round_trip", "check_save_load",
    "check_estimator_api", "check_env_api", "assert_state_equal", "example_of",
]

_OUTPUT_METHODS = ("predict", "predict_proba", "decision_function", "transform", "score_samples")


class Case(NamedTuple):
    """One registered component to check: its kind, name, spec text and example inputs."""

    kind: str
    name: str
    spec: str
    example: dict

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


def example_of(target) -> dict:
    """The ``conformance_example()`` dict of a class (empty when it has none)."""
    fn = getattr(target, "conformance_example", None)
    return dict(fn()) if callable(fn) else {}


def conformance_cases(registry=None) -> list[Case]:
    """One :class:`Case` per registered component (aliases excluded), sorted.

    Importing each component's module is part of the check: a component that fails to
    import gives a case whose example records the error.
    """
    reg = registry or _registry()
    cases = []
    for entry in reg.entries():
        try:
            example = example_of(entry.load())
        except Exception as exc:  # reported by check_component
            example = {"_error": exc}
        spec = example.get("spec") or reg.qualified_name(entry)
        cases.append(Case(entry.kind, entry.primary, spec, example))
    return cases


def _to_spec(obj, full=False):
    return _build.to_spec(obj, full=full)


def check_spec_round_trip(obj) -> None:
    """``build(to_spec(x))`` has the same ``to_spec`` as ``x``, minimal and full."""
    kind = _io._kind_of(obj)   # the kind under which save/load records it
    for full in (False, True):
        text = _to_spec(obj, full)
        again = _build.build(text, kind=kind)
        assert type(again) is type(obj), f"{text} built a {type(again).__name__}, not a {type(obj).__name__}"
        assert _to_spec(again, full) == text, f"spec round trip changed {text!r} into {_to_spec(again, full)!r}"


def assert_state_equal(a, b, where: str = "state") -> None:
    """Recursive equality of saved state: arrays (values and dtype), containers, generators, components."""
    if isinstance(a, np.random.Generator) or isinstance(b, np.random.Generator):
        assert isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator), f"{where}: not both Generators"
        assert_state_equal(a.bit_generator.state, b.bit_generator.state, f"{where}.bit_generator.state")
    elif isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        a_, b_ = np.asarray(a), np.asarray(b)
        assert a_.shape == b_.shape, f"{where}: shape {a_.shape} != {b_.shape}"
        assert a_.dtype == b_.dtype, f"{where}: dtype {a_.dtype} != {b_.dtype}"
        eq_nan = a_.dtype.kind in "fc"
        assert np.array_equal(a_, b_, equal_nan=eq_nan), f"{where}: arrays differ"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), f"{where}: keys {list(a)} != {list(b) if isinstance(b, dict) else b}"
        for k in a:
            assert_state_equal(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), f"{where}: {type(a).__name__} of {len(a)} differs"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_state_equal(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return
    elif hasattr(a, "get_state") and _registry().entry_for(a) is not None:
        assert _to_spec(a, True) == _to_spec(b, True), f"{where}: specs differ"
        assert_state_equal(_io._collect(a), _io._collect(b), where)
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def _outputs(obj, X) -> dict:
    """Outputs of the side-effect-free methods that accept ``X`` (failures skipped)."""
    out = {}
    for m in _OUTPUT_METHODS:
        fn = getattr(obj, m, None)
        if fn is None:
            continue
        try:
            out[m] = fn(X)
        except Exception:  # method not applicable to this input
            continue
    return out


def check_save_load(obj, tmp_path=None, X=None):
    """Save and load ``obj``: same full spec, same state, same outputs on ``X``.

    Returns the loaded object.
    """
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(os.fspath(tmp_path or d), f"{type(obj).__name__}.npz")
        _io.save(obj, path)
        loaded = _io.load(path)
    assert type(loaded) is type(obj)
    assert _to_spec(loaded, True) == _to_spec(obj, True)
    assert_state_equal(_io._collect(obj), _io._collect(loaded))
    if X is not None:
        before, after = _outputs(obj, X), _outputs(loaded, X)
        assert set(before) <= set(after), f"methods failing after load: {set(before) - set(after)}"
        for m in before:
            assert_state_equal(before[m], after[m], f"{m}(X)")
    return loaded


def _has_random_state(cls) -> bool:
    return any(p.name == "random_state" for p in constructor_params(cls))


def check_estimator_api(est, *fit_args, **fit_kwargs) -> None:
    """scikit-learn style checks: params, NotFittedError before fit, fit returns self, clone.

    A stateless estimator (class attribute ``_requires_fit = False``) may transform before fit.
    """
    params = est.get_params(deep=False)
    names = [p.name for p in constructor_params(type(est))]
    assert list(params) == names, f"get_params keys {list(params)} != constructor parameters {names}"
    assert est.set_params(**params) is est
    X = fit_args[0] if fit_args else None
    requires_fit = getattr(est, "_requires_fit", True)  # False for stateless transformers (a hasher)
    for m in _OUTPUT_METHODS if requires_fit else ():
        fn = getattr(est, m, None)
        if fn is not None and X is not None:
            try:
                fn(X)
            except NotFittedError:
                pass
            except Exception as exc:
                raise AssertionError(f"{m}() before fit raised {type(exc).__name__}, not NotFittedError: {exc}")
            else:
                raise AssertionError(f"{m}() before fit did not raise NotFittedError")
    assert est.fit(*fit_args, **fit_kwargs) is est, "fit() must return self"
    try:
        from sklearn.base import clone
    except ImportError:
        return
    c = clone(est)
    assert type(c) is type(est) and _to_spec(c, True) == _to_spec(est, True)


def _fresh(spec, random_state=None, kind=None):
    obj = _build.build(spec, kind=kind)
    if random_state is not None and _has_random_state(type(obj)):
        obj = _build.build(spec, kind=kind, random_state=random_state)
    return obj


def check_component(spec_or_obj, example: dict | None = None, tmp_path=None, kind: str | None = None) -> None:
    """Run every conformance check that applies to a component's kind.

    Parameters
    ----------
    spec_or_obj : str or component
        A spec string (preferred: determinism is checked by building twice) or an object.
    example : dict, optional
        Inputs as returned by the class's ``conformance_example()``; looked up on the
        class when omitted. Keys: ``fit`` (tuple of fit arguments), ``input`` (array, or
        tuple of arguments), ``y_true``/``y_pred`` (losses), ``grad_rtol``/``grad_atol``.
    kind : str, optional
        The component's kind, needed when its name exists in several kinds.
    """
    if isinstance(spec_or_obj, str):
        spec = spec_or_obj
        obj = _build.build(spec, kind=kind)
    else:
        obj = spec_or_obj
        spec = _to_spec(obj, True)
    if example is None:
        example = example_of(type(obj))
    if "_error" in example:
        raise example["_error"]
    reg = _registry()
    entry = reg.entry_for(obj)
    assert entry is not None, f"{type(obj).__name__} is not registered"
    kind = entry.kind
    iface = reg.interface(kind)
    if isinstance(iface, type):
        missing = missing_methods(obj, iface)   # every item the interface requires (_required, abstract)
        assert not missing, f"{kind} {entry.primary} lacks interface methods {missing}"
    check_spec_round_trip(obj)
    check_save_load(obj, tmp_path)
    rs = 0 if _has_random_state(type(obj)) else None
    X = example.get("input")
    if kind == "estimator" and "fit" in example:
        fit_args = tuple(example["fit"])
        est = _fresh(spec, rs, kind)
        check_estimator_api(est, *fit_args)
        if rs is not None:
            twin = _fresh(spec, rs, kind).fit(*fit_args)
            assert_state_equal(_io._collect(est), _io._collect(twin), "refit with the same random_state")
        loaded = check_save_load(est, tmp_path, fit_args[0])
        check_spec_round_trip(loaded)
    elif kind == "layer" and X is not None:
        layer = _fresh(spec, rs, kind)
        layer.forward(X if not isinstance(X, tuple) else list(X))
        if example.get("check_gradients", True):
            check_layer_gradients(layer, X, rtol=example.get("grad_rtol", 1e-5), atol=example.get("grad_atol", 1e-7))
        if rs is not None:
            twin = _fresh(spec, rs, kind)
            twin.forward(X if not isinstance(X, tuple) else list(X))
            assert_state_equal(layer.params, twin.params, "params with the same random_state")
        check_layer_contract(spec, X, kind)
        layer.eval()
        loaded = check_save_load(layer, tmp_path)
        args = list(X) if isinstance(X, tuple) else X
        assert_state_equal(np.asarray(layer.forward(args)), np.asarray(loaded.forward(args)), "forward after load")
    elif kind == "loss" and "y_pred" in example:
        check_loss_gradients(obj, example["y_true"], example["y_pred"],
                             rtol=example.get("grad_rtol", 1e-5), atol=example.get("grad_atol", 1e-7))
    elif kind == "optimizer":
        _check_optimizer(spec, tmp_path, kind)
    elif kind == "scheduler":
        lrs = [obj.learning_rate(t, 1.0) for t in range(50)]
        assert all(np.isfinite(lrs)), "learning rates must be finite"
        loaded = check_save_load(obj, tmp_path)
        assert [loaded.learning_rate(t, 1.0) for t in range(50)] == [obj.learning_rate(t, 1.0) for t in range(50)]
    elif kind == "env":
        check_env_api(spec, kind)
    elif kind == "initializer":
        a = obj.init((6, 5), random_state=0)
        b = obj.init((6, 5), random_state=0)
        assert np.shape(a) == (6, 5) and np.array_equal(a, b), "init must be deterministic under random_state"
    elif X is not None:
        call = getattr(obj, "fn", None) or obj
        args = X if isinstance(X, tuple) else (X,)
        first, second = call(*args), call(*args)
        assert_state_equal(np.asarray(first), np.asarray(second), "repeated call")
        loaded = check_save_load(obj, tmp_path)
        again = (getattr(loaded, "fn", None) or loaded)(*args)
        assert_state_equal(np.asarray(first), np.asarray(again), "call after load")


def check_env_api(spec, kind="env") -> None:
    """The Gymnasium API of an environment: ``reset(seed=...)`` returns ``(observation, info)``
    and ``step(action)`` returns ``(observation, reward, terminated, truncated, info)`` with a
    real reward, bool flags and dict infos; the same seeds (``random_state`` of the constructor,
    ``reset(seed=0)``, the action space's) give the same episode start and step."""
    import numbers

    def episode():
        env = _fresh(spec, 0 if _has_random_state(type(_build.build(spec, kind=kind))) else None, kind)
        first = env.reset(seed=0)
        assert isinstance(first, tuple) and len(first) == 2 and isinstance(first[1], dict), \
            f"{spec}: reset() must return (observation, info dict), got {first!r:.80}"
        space = getattr(env, "action_space", None)
        if space is None:
            return first, None
        space.seed(0)
        out = env.step(space.sample())
        assert isinstance(out, tuple) and len(out) == 5, f"{spec}: step() must return a 5-tuple, got {out!r:.80}"
        _, reward, terminated, truncated, info = out
        assert isinstance(reward, numbers.Real) and isinstance(terminated, (bool, np.bool_)) \
            and isinstance(truncated, (bool, np.bool_)) and isinstance(info, dict), \
            f"{spec}: step() must return (observation, real reward, bool, bool, info dict), got {out!r:.80}"
        return first, out

    (first_a, step_a), (first_b, step_b) = episode(), episode()
    assert_state_equal(np.asarray(first_a[0]), np.asarray(first_b[0]), "observation after reset(seed=0)")
    if step_a is not None:
        assert_state_equal(np.asarray(step_a[0]), np.asarray(step_b[0]), "observation after the same step")
        assert step_a[1] == step_b[1], "reward of the same step from the same seed differs"


def _check_optimizer(spec, tmp_path, kind="optimizer"):
    rng = np.random.default_rng(0)
    shapes = {"W": (4, 3), "b": (3,)}
    grads_seq = [{k: rng.standard_normal(s) for k, s in shapes.items()} for _ in range(6)]
    p0 = {k: rng.standard_normal(s) for k, s in shapes.items()}

    def run(opt, params, seq):
        for g in seq:
            saved = {k: v.copy() for k, v in g.items()}
            opt.step(params, g, cur_loss=1.0)
            for k in g:
                assert np.array_equal(g[k], saved[k]), "optimizer step must not modify the gradients"
        return params

    full = _fresh(spec, None, kind)
    p_full = run(full, {k: v.copy() for k, v in p0.items()}, grads_seq)
    half = _fresh(spec, None, kind)
    p_half = run(half, {k: v.copy() for k, v in p0.items()}, grads_seq[:3])
    resumed = check_save_load(half, tmp_path)
    p_res = run(resumed, p_half, grads_seq[3:])
    for k in p_full:
        assert np.array_equal(p_full[k], p_res[k]), f"save/load mid-training changed parameter {k!r}"
        assert not np.array_equal(p_full[k], p0[k]), f"optimizer did not update {k!r}"
