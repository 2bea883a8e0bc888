"""The spec value: :class:`Spec`, its canonical printing, the mapping form and the limits.

The text parser (:mod:`mlcore._spec_parser`) builds on this module, and
:mod:`mlcore._spec` puts the two together. This module imports neither when it is
imported (the mapping form calls the parser to check a name), so the three modules
import one another without a cycle.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ComponentArgumentError

__all__ = ["Spec", "format_value", "MAX_SPEC_LENGTH", "MAX_DEPTH", "MAX_INT_DIGITS"]

MAX_SPEC_LENGTH = 65_536
MAX_DEPTH = 64
#: Integers in a spec have at most this many decimal digits: the smallest limit Python
#: lets ``sys.set_int_max_str_digits`` set, so whatever parses also prints, under any setting.
MAX_INT_DIGITS = 640
_INT_BOUND = 10 ** MAX_INT_DIGITS


class Spec:
    """A parsed component call: ``name(arg, ..., key=value, ...)``.

    An immutable value object: equal when name and arguments are equal, hashable when
    its values are, and picklable.

    Parameters
    ----------
    name : str
        Registered name, optionally qualified by the providing plugin (``"optim/adam"``).
    args : tuple
        Positional argument values, in order.
    kwargs : tuple of (str, value) pairs
        Keyword arguments, in the order written.

    Notes
    -----
    ``str(spec)`` is the canonical text. Values are plain Python literals (int, float,
    str, bool, None, list, tuple, dict) or nested :class:`Spec` objects.

    Examples
    --------
    >>> from mlcore import parse
    >>> s = parse("sgd(lr=1e-1, scheduler=exponential(decay=0.9))")
    >>> s.name, s.kwargs_dict["lr"]
    ('sgd', 0.1)
    >>> str(s)
    'sgd(lr=0.1, scheduler=exponential(decay=0.9))'
    """

    __slots__ = ("name", "args", "kwargs")
    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]

    def __init__(self, name: str, args: Iterable[Any] = (), kwargs: Iterable[tuple[str, Any]] = ()) -> None:
        # An immutable value object written by hand: attrs would triple the cost of
        # ``import mlcore`` (measured), and specs are built on every start-up path.
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "args", tuple(args))
        object.__setattr__(self, "kwargs", tuple(tuple(p) for p in kwargs))

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"Spec is immutable: use spec.evolve({key}=...) for a changed copy")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"Spec is immutable: use spec.evolve({key}=...) for a changed copy")

    def __eq__(self, other) -> bool:
        if type(other) is not Spec:
            return NotImplemented
        return self.name == other.name and self.args == other.args and self.kwargs == other.kwargs

    def __hash__(self) -> int:
        return hash((self.name, self.args, self.kwargs))

    def __reduce__(self):
        return (Spec, (self.name, self.args, self.kwargs))

    def evolve(self, **changes) -> Spec:
        """A copy with some of ``name``, ``args``, ``kwargs`` replaced."""
        fields: dict[str, Any] = {"name": self.name, "args": self.args, "kwargs": self.kwargs}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"Spec has no field(s) {sorted(unknown)}")
        fields.update(changes)
        return Spec(**fields)

    @property
    def kwargs_dict(self) -> dict:
        """Keyword arguments as a dict (in written order)."""
        return dict(self.kwargs)

    @property
    def plugin(self) -> str | None:
        """The qualifying plugin of ``plugin/name``, else None."""
        return self.name.split("/", 1)[0] if "/" in self.name else None

    @property
    def short_name(self) -> str:
        """The name without its plugin qualifier."""
        return self.name.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return _format(self, 0)

    def __repr__(self) -> str:
        return f"Spec({str(self)!r})"

    @classmethod
    def from_mapping(cls, mapping: Mapping) -> Spec:
        """Convert the mapping form ``{"name": "adam", "lr": 0.001}`` to a Spec.

        Nested mappings that have a ``"name"`` key become nested specs, inside lists
        and tuples too. Strings stay strings; they are parsed as specs at build time
        only where the receiving parameter expects a component.

        The mapping form holds exactly what the text form can: argument names are
        identifiers, values are literals (NumPy scalars are converted) or specs, at most
        ``MAX_DEPTH`` levels deep, integers of at most ``MAX_INT_DIGITS`` digits; so
        ``str()`` of the result always parses back to it.

        Raises
        ------
        ComponentArgumentError
            Naming the offending value; never a ``RecursionError``, even for a
            self-containing list.
        """
        spec = _mapping_spec(mapping, 0, "")
        try:
            _format(spec, 0)  # the limits and types of the text form, checked once
        except (TypeError, ValueError) as exc:
            raise ComponentArgumentError(f"spec mapping {spec.name!r}: {exc}") from None
        return spec

    def to_mapping(self) -> dict:
        """The mapping form of this spec (inverse of :meth:`from_mapping`)."""
        if self.args:
            raise ValueError(f"{self} has positional arguments; build it and use to_spec() to bind them first")
        return {"name": self.name, **{k: _to_mapping_value(v) for k, v in self.kwargs}}


def _mapping_spec(mapping: Mapping, depth: int, where: str) -> Spec:
    name = mapping.get("name")
    if not isinstance(name, str):
        raise ComponentArgumentError(
            f"a spec mapping{where and ' at ' + where} needs a string 'name' key; got keys {sorted(map(str, mapping))}")
    from ._spec_parser import parse  # at call time: the parser builds on this module

    node = parse(name)  # validates the name syntax
    if not isinstance(node, Spec) or node.args or node.kwargs or node.name != name:
        raise ComponentArgumentError(f"spec mapping{where and ' at ' + where}: {name!r} is not a component name")
    kwargs = []
    for k, v in mapping.items():
        if k == "name":
            continue
        if not (isinstance(k, str) and k.isascii() and k.isidentifier()) or k.startswith("_"):
            raise ComponentArgumentError(f"spec mapping {name!r}: argument name {k!r} is not an identifier "
                                         "(or begins with '_', which is reserved)")
        kwargs.append((k, _from_mapping_value(v, depth + 1, f"{where or name}.{k}")))
    return Spec(name, (), tuple(kwargs))


def _from_mapping_value(v, depth: int, where: str):
    # depth counts the enclosing calls and containers, as the parser does; checked before
    # descending, so a self-containing list stops here instead of exhausting the stack
    if isinstance(v, (Mapping, list, tuple)) and depth >= MAX_DEPTH:
        shown = where if len(where) <= 80 else where[:80] + "..."
        raise ComponentArgumentError(f"spec mapping value at {shown} is nested deeper than {MAX_DEPTH} levels")
    if isinstance(v, Mapping) and isinstance(v.get("name"), str):
        return _mapping_spec(v, depth, where)
    if isinstance(v, Mapping):
        return {k: _from_mapping_value(x, depth + 1, f"{where}[{k!r}]") for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        items = [_from_mapping_value(x, depth + 1, f"{where}[{i}]") for i, x in enumerate(v)]
        return items if isinstance(v, list) else tuple(items)
    if type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0 and hasattr(v, "item"):
        return v.item()  # a NumPy scalar from a config computed with NumPy
    return v


def _to_mapping_value(v):
    if isinstance(v, Spec):
        return v.to_mapping()
    if isinstance(v, dict):
        return {k: _to_mapping_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_to_mapping_value(x) for x in v)
    return v


# ----------------------------------------------------------------------------- printing

def _format_str(s: str) -> str:
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch.isprintable():
            out.append(ch)
        else:
            o = ord(ch)
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    return "'" + "".join(out) + "'"


def _format_int(v: int) -> str:
    if -_INT_BOUND < v < _INT_BOUND:
        return str(int(v))
    raise ValueError(f"an integer of {v.bit_length()} bits has more than {MAX_INT_DIGITS} digits, "
                     "the most a spec can hold")


def _format_key(k) -> str:
    if isinstance(k, str):
        return k if (k.isascii() and k.isidentifier()) else _format_str(k)
    if isinstance(k, int) and not isinstance(k, bool):
        return _format_int(k)
    raise TypeError(f"spec dict keys must be str or int, not {type(k).__name__} ({k!r})")


def format_value(v) -> str:
    """Canonical spec text of a value (a literal or a :class:`Spec`).

    Floats print with Python's shortest round-trip ``repr``; ``inf``, ``-inf`` and
    ``nan`` as written; strings single-quoted; tuples keep their type.

    Raises
    ------
    TypeError
        For a value no spec can hold (an arbitrary object, a dict key that is not a
        str or int).
    ValueError
        For a value the parser would refuse: nesting deeper than ``MAX_DEPTH`` or an
        integer of more than ``MAX_INT_DIGITS`` digits.
    """
    return _format(v, 0)


def _format(v, depth: int) -> str:
    # depth counts enclosing calls and containers exactly as the parser's nesting cap does
    if isinstance(v, (Spec, list, tuple, dict)) and depth >= MAX_DEPTH and not (
            isinstance(v, Spec) and not v.args and not v.kwargs):
        raise ValueError(f"a value nested deeper than {MAX_DEPTH} levels cannot be written in a spec")
    if isinstance(v, Spec):
        parts = [_format(x, depth + 1) for x in v.args]
        parts += [f"{k}={_format(x, depth + 1)}" for k, x in v.kwargs]
        return f"{v.name}({', '.join(parts)})" if parts else v.name
    if v is None or v is True or v is False:
        return str(v)
    if isinstance(v, int):
        return _format_int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(float(v))
    if isinstance(v, str):
        return _format_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_format(x, depth + 1) for x in v) + "]"
    if isinstance(v, tuple):
        if len(v) == 1:
            return "(" + _format(v[0], depth + 1) + ",)"
        return "(" + ", ".join(_format(x, depth + 1) for x in v) + ")"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_format_key(k)}: {_format(x, depth + 1)}" for k, x in v.items()) + "}"
    raise TypeError(
        f"cannot write a {type(v).__name__} value ({v!r:.60}) in a spec: use numbers, strings, "
        "None/True/False, lists, tuples, dicts or components"
    )

