"""Which state a component may receive, and the checks run on it after :func:`mlcore.load`.

Used by :class:`mlcore.interfaces.Component` (``set_state``, ``_check_loaded_state``)
and :class:`mlcore.interfaces.Layer`; kept here so that the interfaces stay short.
"""

from __future__ import annotations

import functools
import inspect
import numbers

import numpy as np

from .errors import FileFormatError


def check_state_keys(obj, state) -> None:
    """Raise :class:`~mlcore.errors.FileFormatError` unless every key of ``state`` is
    declared state of ``obj``.

    Declared state: the names in ``obj._state_attrs`` and ``obj._state_keys``, and learned
    attributes -- identifiers ending with ``_``, not starting with ``_``, that are not
    constructor parameters and not methods, properties or other descriptors of the
    class. So a file cannot set ``predict``, ``__dict__`` or a hyperparameter such as
    ``alpha`` (which would bypass the constructor's validation).
    """
    if not isinstance(state, dict):
        raise FileFormatError(f"{type(obj).__name__}: state must be a dict, got {type(state).__name__}")
    declared = set(getattr(obj, "_state_attrs", ())) | set(getattr(obj, "_state_keys", ()))
    bad = [k for k in state if k not in declared and not _is_learned_name(type(obj), k)]
    if bad:
        raise FileFormatError(
            f"{type(obj).__name__} does not declare {', '.join(map(repr, bad[:5]))} as state (learned "
            "attributes end with '_'; hyperparameters, methods and private names cannot be restored)")


def _is_learned_name(cls, key) -> bool:
    from .interfaces import constructor_params

    if not (isinstance(key, str) and key.isidentifier() and key.endswith("_") and not key.startswith("_")):
        return False
    if key in {p.name for p in constructor_params(cls)}:
        return False
    try:
        attr = inspect.getattr_static(cls, key)
    except AttributeError:
        return True
    return not (callable(attr) or hasattr(type(attr), "__get__") or hasattr(type(attr), "__set__"))


def check_feature_axes(obj) -> None:
    """``n_features_in_`` against the last axis of ``obj._feature_axis_state`` arrays,
    ``intercept_`` against ``coef_``."""
    state, name = vars(obj), type(obj).__name__
    n = state.get("n_features_in_")
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise FileFormatError(f"{name}: n_features_in_ must be an int >= 0, got {n!r}")
        for k in getattr(obj, "_feature_axis_state", ()):
            v = state.get(k)
            if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[-1] != n:
                raise FileFormatError(f"{name}: {k} has shape {v.shape}, expected a last axis of n_features_in_={n}")
    coef, icpt = state.get("coef_"), state.get("intercept_")
    if isinstance(coef, np.ndarray) and coef.ndim >= 2 and isinstance(icpt, np.ndarray) \
            and icpt.shape != coef.shape[:-1]:
        raise FileFormatError(f"{name}: intercept_ has shape {icpt.shape}, coef_ {coef.shape} needs {coef.shape[:-1]}")


def check_layer_params(layer) -> None:
    """A loaded layer's parameters against the shapes ``initialize`` creates for the
    recorded ``input_shape_`` (and ``initialize_kwargs_``)."""
    shape, params, name = layer.__dict__.get("input_shape_"), layer.params, type(layer).__name__
    if shape is None or not params or not hasattr(layer, "initialize"):
        return
    if not isinstance(shape, tuple) or len(shape) > 8 or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and int(s) >= 0 for s in shape):
        raise FileFormatError(f"{name}: invalid input_shape_ {shape!r}")
    kwargs = layer.__dict__.get("initialize_kwargs_") or {}
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) and k.isidentifier() for k in kwargs):
        raise FileFormatError(f"{name}: invalid initialize_kwargs_ {kwargs!r}")
    if not all(isinstance(v, np.ndarray) for v in params.values()):
        raise FileFormatError(f"{name}: every parameter must be an array")
    size = sum(v.size for v in params.values())
    if shape and shape[-1] > max(size, 1):  # a feature axis no parameter could hold: crafted
        raise FileFormatError(f"{name}: input_shape_ {shape} does not fit parameters of {size} elements")
    try:
        expected = layer._expected_param_shapes(shape, next(iter(params.values())).dtype, kwargs)
    except Exception as exc:
        raise FileFormatError(f"{name}: cannot initialise for the saved input shape {shape}: "
                              f"{type(exc).__name__}: {exc}") from exc
    got = {k: v.shape for k, v in params.items()}
    if got != expected:
        raise FileFormatError(f"{name}: loaded parameters {got} do not match the shapes {expected} that "
                              f"initialize creates for input shape {shape}")


def twin_param_shapes(layer, input_shape, dtype, kwargs) -> dict:
    """``{name: shape}`` of the parameters a fresh twin (same spec) gets from
    ``initialize(input_shape, dtype, random_state=0, **kwargs)``."""
    from ._build import build, to_spec

    twin = build(to_spec(layer, full=True), kind="layer")
    twin.initialize(input_shape, dtype, random_state=0, **kwargs)
    return {k: tuple(v.shape) for k, v in twin.params.items()}


def recording_initialize(init):
    """Wrap a layer's ``initialize`` so that it records its input shape (and extra
    arguments) as learned state, for :func:`check_layer_params`."""
    sig = inspect.signature(init)

    @functools.wraps(init)
    def initialize(self, *args, **kwargs):
        out = init(self, *args, **kwargs)
        try:
            bound = sig.bind(self, *args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            arguments.pop(next(iter(sig.parameters)))
            shape = tuple(int(s) for s in arguments.pop("input_shape"))
            extra = {k: v for k, v in arguments.items() if k not in ("dtype", "random_state") and v is not None}
        except Exception:  # an unusual signature: nothing recorded, no check after load
            return out
        if all(isinstance(v, (int, float, str, bool)) for v in extra.values()):
            self.__dict__["input_shape_"] = shape
            if extra:
                self.__dict__["initialize_kwargs_"] = extra
            else:
                self.__dict__.pop("initialize_kwargs_", None)
        return out

    initialize._records_input_shape = True  # type: ignore[attr-defined]  # a marker on the wrapper
    return initialize
