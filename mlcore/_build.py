"""Building components from specs, and writing specs of components.

``build`` resolves each name through the registry, in the kind the receiving parameter
expects, binds positional and keyword arguments to the constructor's signature, builds
nested components innermost first, and calls the ``mlcore_component_built`` hook.
``to_spec`` goes the other way, reading hyperparameters stored verbatim on the object.
"""

from __future__ import annotations

import inspect
import math
import typing
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._registry import Registry
from ._registry import registry as _global_registry
from ._spec import Spec, format_value, parse
from .errors import ComponentArgumentError, SpecSyntaxError
from .interfaces import constructor_params

__all__ = ["build", "to_spec", "spec_of"]

_EMPTY = inspect.Parameter.empty


class _Signature:
    """What build needs to know about a target: parameters and the kind each expects."""

    __slots__ = ("params", "names", "var_kw", "kinds", "text")

    def __init__(self, reg: Registry, target: Any) -> None:
        try:
            sig = inspect.signature(target)
        except (TypeError, ValueError):
            sig = inspect.Signature()
        self.params = [p for p in sig.parameters.values()
                       if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)]
        self.names = {p.name for p in self.params}
        self.var_kw = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
        self.text = str(sig)
        self.kinds = _param_kinds(reg, target, self.names)


def _param_kinds(reg: Registry, target: Any, names: Iterable[str]) -> dict[str, str | None]:
    """Kind expected by each parameter: ``spec_kinds`` class attribute, else annotations.

    Annotations are matched against the kinds' interfaces by qualified name, so no
    interface module of another family is imported to build a component.
    """
    explicit = dict(getattr(target, "spec_kinds", None) or {})
    try:
        hints = typing.get_type_hints(target.__init__ if isinstance(target, type) else target)  # type: ignore[misc]
    except Exception:  # unresolvable string annotations: rely on spec_kinds only
        hints = {}
    by_path: dict[str, str] = {}
    for kind, info in reg.kind_info().items():
        iface = info.interface
        path = iface if isinstance(iface, str) else f"{iface.__module__}:{iface.__qualname__}"
        by_path.setdefault(path, kind)
    out = {}
    for name in names:
        if name in explicit:
            out[name] = explicit[name]
            continue
        kind = None
        for cls in _classes_in(hints.get(name)):
            for base in getattr(cls, "__mro__", ()):
                kind = by_path.get(f"{base.__module__}:{base.__qualname__}")
                if kind:
                    break
            if kind:
                break
        out[name] = kind
    return out


def _classes_in(hint: Any) -> list[Any]:
    if hint is None:
        return []
    args = typing.get_args(hint)
    if args:
        return [c for a in args for c in _classes_in(a)]
    return [hint]


#: registry -> target -> signature; weak on both sides, so neither a discarded registry
#: (tests build many) nor a class defined in a notebook cell is kept alive by the cache.
_SIGNATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _signature(reg: Registry, target: Any) -> _Signature:
    per_registry = _SIGNATURES.get(reg)
    if per_registry is None:
        per_registry = _SIGNATURES[reg] = weakref.WeakKeyDictionary()
    try:
        sig = per_registry.get(target)
    except TypeError:  # a target that cannot be weakly referenced: not cached
        return _Signature(reg, target)
    if sig is None:
        sig = per_registry[target] = _Signature(reg, target)
    return sig


def build(spec: str | Spec | Mapping[str, Any], kind: str | None = None, *, registry: Registry | None = None,
          **overrides: Any) -> Any:
    """Build a component from a spec.

    Parameters
    ----------
    spec : str, Spec or mapping
        ``"adam(lr=1e-3)"``, a parsed :class:`Spec`, or the mapping form
        ``{"name": "adam", "lr": 0.001}``.
    kind : str, optional
        Look the name up in this kind only. Without it the name must be unique
        across kinds.
    registry : Registry, optional
        Defaults to the process registry.
    **overrides
        Arguments that replace or add to those of the spec; they may be any Python
        objects (run-time-only arguments such as arrays).

    Returns
    -------
    object
        The new component.

    Examples
    --------
    >>> import mlcore
    >>> opt = mlcore.build("sgd(lr=0.1, scheduler=exponential(decay=0.9))")  # doctest: +SKIP
    """
    reg = registry or _global_registry()
    if isinstance(spec, str):
        node = parse(spec)
        if not isinstance(node, Spec):
            raise SpecSyntaxError(f"a spec must name a component, got the literal {spec.strip()[:40]!r}", spec, 1)
    elif isinstance(spec, Spec):
        node = spec
        try:  # a Spec made in Python holds what spec text can (parse and from_mapping check this already)
            format_value(node)
        except (TypeError, ValueError) as exc:
            raise ComponentArgumentError(f"cannot build {node.name}: {exc}") from None
    elif isinstance(spec, Mapping):
        node = Spec.from_mapping(spec)
    else:
        raise TypeError(f"build() takes a spec string, a Spec or a mapping, not {type(spec).__name__}")
    if overrides:
        kw = dict(node.kwargs)
        kw.update(overrides)
        node = Spec(node.name, node.args, tuple(kw.items()))
    try:
        return _build_node(reg, node, kind)
    except ComponentArgumentError as exc:
        arg = getattr(exc, "argument", None)
        if not (arg and isinstance(spec, str)) or arg in overrides:  # an override is not in the text
            raise
        import re

        m = re.search(rf"\b{re.escape(arg)}\s*=", spec)
        if m is None:
            raise
        err = ComponentArgumentError(f"{exc} (column {m.start() + 1})\n  {spec}\n  {' ' * m.start()}^")
        err.argument = arg
        raise err from None


def _build_node(reg: Registry, node: Spec, kind: str | None, notify: bool = True) -> Any:
    entry = reg.lookup(node.name, kind)
    target = entry.load()
    sig = _signature(reg, target)
    label = entry.primary
    if len(node.args) > len(sig.params):
        raise ComponentArgumentError(
            f"{label}() takes at most {len(sig.params)} positional arguments but {len(node.args)} were given. "
            f"Signature: {label}{sig.text}")
    kwargs = {}
    for p, value in zip(sig.params, node.args):
        kwargs[p.name] = value
    for key, value in node.kwargs:
        if key not in sig.names and not sig.var_kw:
            renamed = getattr(target, "_renamed_params", {}).get(key)
            if renamed:
                raise ComponentArgumentError(f"{label}() argument {key!r} was renamed to {renamed!r}. "
                                             f"Signature: {label}{sig.text}")
            import difflib

            close = difflib.get_close_matches(key, sorted(sig.names), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ComponentArgumentError(
                f"{label}() got an unexpected argument {key!r}{hint} Signature: {label}{sig.text}")
        if key in kwargs:
            raise ComponentArgumentError(f"{label}() got argument {key!r} twice (positionally and by name). "
                                         f"Signature: {label}{sig.text}")
        kwargs[key] = value
    missing = [p.name for p in sig.params if p.default is _EMPTY and p.name not in kwargs
               and p.kind != p.POSITIONAL_ONLY]
    if missing:
        raise ComponentArgumentError(
            f"{label}() is missing required argument{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))}. Signature: {label}{sig.text}")
    for key, value in kwargs.items():
        kwargs[key] = _resolve(reg, value, sig.kinds.get(key), key in sig.kinds and sig.kinds[key] is not None,
                               notify)
    obj = target(**kwargs)
    if callable(getattr(obj, "_validate_params", None)):  # estimators validate outside __init__
        obj._validate_params()  # its message names the component and shows the signature
    if notify:
        reg.notify_built(obj, node, entry.kind, entry.primary)
    return obj


def _resolve(reg: Registry, value: Any, kind: str | None, wants_component: bool, notify: bool = True) -> Any:
    if isinstance(value, Spec):
        return _build_node(reg, value, kind, notify)
    if type(value) is list or type(value) is tuple:
        if not any(isinstance(v, (Spec, list, tuple, dict)) or (wants_component and isinstance(v, (str, Mapping)))
                   for v in value):
            return value
        return type(value)(_resolve(reg, v, kind, wants_component, notify) for v in value)
    if type(value) is dict:
        if wants_component and isinstance(value.get("name"), str):
            return _build_node(reg, Spec.from_mapping(value), kind, notify)
        return {k: _resolve(reg, v, kind, wants_component, notify) for k, v in value.items()}
    if wants_component and isinstance(value, str):
        node = _text_spec(value)
        if isinstance(node, Spec):
            return _build_node(reg, node, kind, notify)
    return value


def _text_spec(value: Any) -> Any:
    """A string that spells a component (``"euclidean"``) as a Spec; anything else unchanged."""
    if isinstance(value, str):
        try:
            node = parse(value)
        except SpecSyntaxError:
            return value
        return node if isinstance(node, Spec) else value
    return value


# ----------------------------------------------------------------------------- to_spec

def spec_of(obj: Any, full: bool = False, *, registry: Registry | None = None) -> Spec:
    """The :class:`Spec` of a component (see :func:`to_spec`)."""
    reg = registry or _global_registry()
    entry = reg.entry_for(obj)
    if entry is None:
        raise TypeError(
            f"{type(obj).__module__}.{type(obj).__qualname__} is not a registered component; "
            "register it with @mlcore.register(kind, name) or through a plugin")
    if hasattr(obj, "spec_params"):
        values = dict(obj.spec_params())
        params = [p for p in constructor_params(type(obj)) if p.name in values]
    else:
        params = constructor_params(type(obj))
        values = {}
        for p in params:
            try:
                values[p.name] = getattr(obj, p.name)
            except AttributeError:
                raise TypeError(
                    f"{type(obj).__name__} does not store its hyperparameter {p.name!r} as an attribute of "
                    "the same name, so its spec cannot be written") from None
    kinds = _signature(reg, type(obj)).kinds
    kwargs = []
    for p in params:
        v = values[p.name]
        kind = kinds.get(p.name)
        if kind is not None and isinstance(v, (str, Spec, dict, list, tuple)):
            # a component parameter holding spec text (a string default such as metric="euclidean"):
            # write the component it stands for, exactly as building it would
            v = _resolve(reg, v, kind, True, notify=False)
        if not full and p.default is not _EMPTY and _same_value(v, p.default, kind, reg):
            continue
        kwargs.append((p.name, _spec_value(v, full, reg)))
    return Spec(reg.qualified_name(entry), (), tuple(kwargs))


def _same_value(v: Any, default: Any, kind: str | None, reg: Registry) -> bool:
    if _same(v, default):
        return True
    if kind is None or not isinstance(default, (str, Spec)) or reg.entry_for(v) is None:
        return False
    text = _text_spec(default)  # compare a component with a default given as spec text
    return isinstance(text, Spec) and str(spec_of(v, registry=reg)) == str(
        spec_of(_build_node(reg, text, kind, notify=False), registry=reg))


def to_spec(obj: Any, full: bool = False, *, registry: Registry | None = None) -> str:
    """Canonical spec text of a component.

    Parameters
    ----------
    obj : component
        Any object of a registered class that stores its hyperparameters verbatim.
    full : bool
        Write every argument (for saving); otherwise only those differing from the
        defaults.

    Returns
    -------
    str
        ``build(to_spec(x))`` gives an object whose ``to_spec`` is identical.
    """
    return str(spec_of(obj, full, registry=registry))


def _spec_value(v: Any, full: bool, reg: Registry) -> Any:
    if v is None or isinstance(v, (bool, int, float, str, Spec)):
        return v.item() if isinstance(v, np.generic) else v
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, list):
        return [_spec_value(x, full, reg) for x in v]
    if isinstance(v, tuple):
        return tuple(_spec_value(x, full, reg) for x in v)
    if isinstance(v, dict):
        return {k: _spec_value(x, full, reg) for k, x in v.items()}
    if reg.entry_for(v) is not None:
        return spec_of(v, full, registry=reg)
    if isinstance(v, np.random.Generator):
        raise TypeError("a numpy Generator cannot be written in a spec; pass an int random_state to make the "
                        "component reproducible from its spec")
    raise TypeError(f"cannot write a value of type {type(v).__name__} in a spec")


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))
                                       and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    try:
        return bool(a == b)
    except Exception:
        return False
