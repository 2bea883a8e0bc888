"""The base of every component (:class:`Component`) and the helpers the interfaces share.

Re-exported by :mod:`mlcore.interfaces`, where components import them from; split out
to keep the interfaces of the kinds in a module of their own size.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["Component", "constructor_params", "check_state_keys", "required_methods", "missing_methods"]


def required_methods(interface) -> tuple[str, ...]:
    """Every method a component of ``interface``'s kind must provide: the ``_required``
    tuples of the class and its bases, then its abstract methods, sorted within each."""
    names: list[str] = []
    for base in reversed(getattr(interface, "__mro__", ())):
        names += [n for n in base.__dict__.get("_required", ()) if n not in names]
    names += sorted(n for n in getattr(interface, "__abstractmethods__", ()) if n not in names)
    return tuple(names)


def missing_methods(obj, interface) -> list[str]:
    """The :func:`required_methods` of ``interface`` that ``obj`` lacks (or has but not callable)."""
    return [m for m in required_methods(interface) if not callable(getattr(obj, m, None))]


def constructor_params(cls) -> list[inspect.Parameter]:
    """The hyperparameters of ``cls``: its constructor's named parameters, in order."""
    try:
        sig = inspect.signature(cls)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)]


def check_state_keys(obj, state) -> None:
    """Raise :class:`~mlcore.errors.FileFormatError` unless every key of ``state`` is
    declared state of ``obj`` (``_state_attrs``, ``_state_keys`` or a learned ``name_``
    attribute that is not a constructor parameter, method or property)."""
    from ._state import check_state_keys as check

    check(obj, state)


class Component:
    """Base of every mlcore component: spec ``repr``, parameters and the state protocol.

    ``get_params``/``set_params`` follow scikit-learn (nested ``a__b`` names reach the
    hyperparameters of component-valued hyperparameters).

    ``get_state()`` returns the learned state to save: by default every attribute whose
    name ends with ``_`` (and does not start with one; constructor parameters such as
    ``lambda_`` excluded) plus the attributes named in the
    class attribute ``_state_attrs`` (which may name private attributes, such as a
    random generator ``"_rng"``). Values may be arrays, scalars, strings, None, lists,
    tuples, dicts, numpy Generators (saved with their exact state) and other components. ``set_state(state)`` puts it back.
    Nested hyperparameter components (an optimizer's scheduler, a network's layers)
    are saved by :func:`mlcore.save` through their own ``get_state``.

    Only declared state can be restored (:func:`check_state_keys`, run by ``set_state``
    and by :func:`mlcore.load` for every object, also when a class overrides
    ``set_state``): learned ``name_`` attributes, ``_state_attrs`` and ``_state_keys``
    (extra keys a custom ``get_state`` emits and its ``set_state`` consumes). After
    loading, :func:`mlcore.load` calls ``_check_loaded_state()``, which subclasses extend
    to check restored arrays against what the rebuilt component expects.
    """

    #: methods a component of every kind must have: none (spec and save/load work from the
    #: constructor's parameters and declared state; this class only makes them convenient)
    _required: tuple = ()
    _state_attrs: tuple = ()
    _state_keys: tuple = ()
    #: learned arrays whose last axis has one entry per input feature (checked against
    #: ``n_features_in_`` after loading)
    _feature_axis_state: tuple = ("coef_", "components_", "feature_importances_", "mean_", "var_", "scale_",
                                  "theta_", "means_", "cluster_centers_", "X_fit_", "X_train_")

    def get_state(self) -> dict:
        hyper = {p.name for p in constructor_params(type(self))}  # e.g. ``lambda_``: in the spec, not state
        state = {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_") and k not in hyper}
        for k in self._state_attrs:
            if hasattr(self, k):
                state[k] = getattr(self, k)
        return state

    def set_state(self, state: dict) -> None:
        check_state_keys(self, state)
        for k, v in state.items():
            setattr(self, k, v)

    def _check_loaded_state(self) -> None:
        """Raise :class:`~mlcore.errors.FileFormatError` when restored state contradicts
        itself; called by :func:`mlcore.load` after ``set_state``. The default checks
        ``n_features_in_`` against the last axis of the ``_feature_axis_state`` arrays and
        ``intercept_`` against ``coef_``; subclasses extend it (call ``super()``)."""
        from ._state import check_feature_axes

        check_feature_axes(self)

    def get_params(self, deep: bool = True) -> dict:
        """Hyperparameters by name (nested ``a__b`` keys for estimator-valued ones if ``deep``)."""
        out: dict[str, Any] = {}
        for p in constructor_params(type(self)):
            value = getattr(self, p.name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{p.name}__{k}", v) for k, v in value.get_params().items())
            out[p.name] = value
        return out

    def set_params(self, **params):
        """Set hyperparameters (``a__b`` sets ``b`` on the component ``a``); returns self."""
        from .errors import ComponentArgumentError

        valid = {p.name for p in constructor_params(type(self))}
        nested: dict[str, dict] = {}
        for key, value in params.items():
            head, sep, rest = key.partition("__")
            if head not in valid:
                import difflib

                close = difflib.get_close_matches(head, sorted(valid), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ComponentArgumentError(
                    f"{type(self).__name__} has no parameter {head!r}{hint} Valid: {', '.join(sorted(valid))}")
            if sep:
                nested.setdefault(head, {})[rest] = value
            else:
                setattr(self, key, value)
        for head, sub in nested.items():
            getattr(self, head).set_params(**sub)
        return self

    def __repr__(self) -> str:
        from ._build import to_spec

        try:
            return to_spec(self)
        except Exception:  # unregistered subclass or unprintable value: fall back
            return object.__repr__(self)
