"""Conformance checks of the layer contract (:class:`mlcore.interfaces.Layer`).

A network (a ``sequential`` estimator) relies on more than ``forward``/``backward``: it
sizes each layer with ``output_shape``, creates its parameters with ``initialize`` and
hands it the network's random generator. Each check here tests one item of that
contract on fresh copies built from a spec.
"""

from __future__ import annotations

import numpy as np

from .. import _build
from ..interfaces import Layer, constructor_params, missing_methods

__all__ = ["check_layer_contract", "check_layer_output_shape", "check_layer_initialize",
           "check_layer_network_seed", "check_layer_input_errors"]


def _spec(obj) -> str:
    return _build.to_spec(obj)


def _has_random_state(cls) -> bool:
    return any(p.name == "random_state" for p in constructor_params(cls))


def _layer_args(X, fn):
    """The forward argument: a list of arrays for a list/tuple example, else one array."""
    return [fn(np.asarray(a)) for a in X] if isinstance(X, (list, tuple)) else fn(np.asarray(X))


def _shapes(params: dict) -> dict:
    return {k: tuple(np.shape(v)) for k, v in params.items()}


def _assert_params_equal(a: dict, b: dict, where: str) -> None:
    assert list(a) == list(b), f"{where}: parameter names {list(a)} != {list(b)}"
    for k in a:
        assert np.shape(a[k]) == np.shape(b[k]) and np.array_equal(a[k], b[k]), f"{where}: parameter {k!r} differs"


def _variants(X):
    """Example inputs of other shapes: another batch size, and each example axis grown by
    one (an input a layer cannot take is skipped by the caller)."""
    X = np.asarray(X)
    out = [X, X[:1], np.concatenate([X, X[:1]])]
    for axis in range(1, X.ndim):
        out.append(np.concatenate([X, np.take(X, [0], axis=axis)], axis=axis))
    return out


def check_layer_output_shape(spec, X, kind="layer") -> None:
    """``output_shape(input_shape)`` equals the shape ``forward`` gives (batch axis
    excluded) for the example input and for inputs of other shapes that ``forward`` takes:
    another batch size and each example axis one longer. A layer taking a list of inputs
    is checked on its example only, with the list of example shapes."""
    variants = [X] if isinstance(X, (list, tuple)) else _variants(X)
    for i, Xv in enumerate(variants):
        layer = _build.build(spec, kind=kind)
        try:
            out = layer.forward(_layer_args(Xv, lambda a: a))
        except (ValueError, TypeError):
            if i == 0:
                raise
            continue  # a shape this layer does not take (e.g. a fixed number of features)
        shape = [np.shape(a)[1:] for a in Xv] if isinstance(Xv, (list, tuple)) else np.shape(Xv)[1:]
        got = layer.output_shape(shape)
        want = np.shape(out)[1:]
        assert tuple(got) == tuple(want), (
            f"{_spec(layer)}.output_shape({tuple(shape) if not isinstance(shape, list) else shape}) "
            f"returned {tuple(got)}, but forward gives examples of shape {tuple(want)}")


def check_layer_initialize(spec, X, kind="layer") -> None:
    """``initialize(input_shape, dtype, random_state)`` returns the layer and creates exactly
    the parameters, names and shapes, that ``forward`` creates lazily on a fresh copy; a
    forward after ``initialize`` adds none and changes no shape."""
    if isinstance(X, (list, tuple)):
        shape = [np.shape(a)[1:] for a in X]
        dtype = np.asarray(X[0]).dtype
    else:
        shape, dtype = np.shape(X)[1:], np.asarray(X).dtype
    lazy = _build.build(spec, kind=kind)
    lazy.forward(_layer_args(X, lambda a: a))
    expected = _shapes(lazy.params)
    layer = _build.build(spec, kind=kind)
    assert layer.initialize(shape, dtype if dtype.kind == "f" else "float64",
                            random_state=np.random.default_rng(0)) is layer, \
        f"{_spec(layer)}.initialize(...) must return the layer"
    made = _shapes(layer.params)
    assert made == expected, (
        f"{_spec(layer)}.initialize({shape}) created parameters {made}, but forward creates {expected}: "
        "initialize must create exactly the parameters forward uses")
    layer.forward(_layer_args(X, lambda a: a))
    assert _shapes(layer.params) == made, (
        f"{_spec(layer)}: forward after initialize changed the parameters from {made} to {_shapes(layer.params)}")


def check_layer_network_seed(spec, X, kind="layer") -> None:
    """A layer inside a network draws only from the network's generator.

    Builds the layer twice from ``spec`` with its own ``random_state`` removed, hands
    each copy a generator seeded alike the way ``sequential`` does (``attach_rng`` when
    present, then ``initialize(input_shape, dtype, random_state=generator)``), with numpy's
    global state seeded differently each time, and runs a training-mode ``forward``:
    parameters and outputs must be identical. A layer whose parameters depend on its own
    ``random_state`` must also get different parameters from differently seeded networks
    (a layer that ignores the network's generator for a fixed seed of its own does not).
    """
    def run(global_seed, network_seed=1234):
        obj = _build.build(spec, kind=kind)
        if _has_random_state(type(obj)):
            obj = _build.build(spec, kind=kind, random_state=None)
        g = np.random.default_rng(network_seed)
        saved = np.random.get_state()
        np.random.seed(global_seed)
        try:
            if callable(getattr(obj, "attach_rng", None)):
                obj.attach_rng(g)
            if callable(getattr(obj, "initialize", None)) and not isinstance(X, (list, tuple)):
                obj.initialize(np.shape(X)[1:], np.asarray(X).dtype, random_state=g)
            obj.train(True)
            out = obj.forward(_layer_args(X, lambda a: a))
        finally:
            np.random.set_state(saved)
        return {k: np.array(v) for k, v in obj.params.items()}, np.asarray(out)

    (p1, o1), (p2, o2) = run(1), run(2)
    _assert_params_equal(p1, p2, "params of two copies under the same network generator")
    assert o1.shape == o2.shape and np.array_equal(o1, o2, equal_nan=True), \
        "training-mode output of two copies under the same network generator differs"
    if _has_random_state(type(_build.build(spec, kind=kind))) and not isinstance(X, (list, tuple)):
        own = []
        for seed in (0, 1):
            layer = _build.build(spec, kind=kind, random_state=seed)
            layer.forward(_layer_args(X, lambda a: a))
            own.append({k: np.array(v) for k, v in layer.params.items()})
        seeded = any(not np.array_equal(own[0][k], own[1][k]) for k in own[0])
        if seeded:
            p3, _ = run(1, network_seed=4321)
            assert any(not np.array_equal(p1[k], p3[k]) for k in p1), (
                f"{spec}: parameters depend on the layer's own random_state but not on the network's "
                "generator: inside a network, initialize must draw from the random_state it is given")


def _raises_clear_value_error(call, arg, shape, what, required):
    try:
        call(arg)
    except ValueError as exc:
        assert str(tuple(shape)) in str(exc), f"{what}: the ValueError should name the shape {tuple(shape)}: {exc}"
        return
    except Exception as exc:
        raise AssertionError(f"{what} raised {type(exc).__name__}, not a ValueError naming the shape: {exc}")
    assert not required, f"{what} did not raise"


def check_layer_input_errors(spec, X, kind="layer") -> None:
    """An empty batch raises a ValueError naming the received shape; an input of another
    rank (one example without its batch axis, or an extra leading axis) either works or
    raises a ValueError naming the shape, never an IndexError or a raw reshape error."""
    first = X[0] if isinstance(X, (list, tuple)) else X
    cases = [(lambda a: a[:0], "an empty batch", True),
             (lambda a: a[0], "an input missing the batch axis", False),
             (lambda a: a[None], "an input with an extra leading axis", False)]
    for fn, what, required in cases:
        layer = _build.build(spec, kind=kind)
        args = _layer_args(X, fn)
        shape = np.shape(fn(np.asarray(first)))
        _raises_clear_value_error(layer.forward, args, shape, f"{_spec(layer)} given {what}", required)


def check_layer_contract(spec, X, kind="layer") -> None:
    """Every item of the layer contract: the required methods (``Layer._required`` and the
    abstract ones), ``output_shape``, ``initialize``, the network's generator, and clear
    errors for empty or wrongly ranked input."""
    layer = _build.build(spec, kind=kind)
    missing = missing_methods(layer, Layer)
    assert not missing, f"{_spec(layer)} lacks {missing}, required of a layer (mlcore.interfaces.Layer)"
    check_layer_output_shape(spec, X, kind)
    check_layer_initialize(spec, X, kind)
    check_layer_network_seed(spec, X, kind)
    check_layer_input_errors(spec, X, kind)
