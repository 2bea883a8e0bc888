"""The spec language: a safe, Python-shaped notation for building components.

Grammar (see ARCHITECTURE.md, section 2)::

    spec   := value
    value  := call | number | string | None | True | False | inf | nan | list | tuple | dict
    call   := NAME [ "(" [ arg { "," arg } [","] ] ")" ]     bare NAME = call without arguments
    NAME   := [ plugin "/" ] identifier
    arg    := [ identifier "=" ] value                        positional args only before keywords

This module holds the :class:`Spec` value, its canonical printing and the mapping form;
the text parser lives in ``_spec_parser`` and is re-exported here as :func:`parse`.
Input length and nesting depth are capped in every form so that nothing a user writes
can exhaust the stack or the memory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["Spec", "parse", "format_value", "MAX_SPEC_LENGTH", "MAX_DEPTH"]

MAX_SPEC_LENGTH = 65_536
MAX_DEPTH = 64


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

    ``str(spec)`` is the canonical text. Values are plain Python literals (int, float,
    str, bool, None, list, tuple, dict) or nested :class:`Spec` objects.

    Examples
    --------
    >>> s = parse("sgd(lr=1e-1, scheduler=exponential(decay=0.9))")
    >>> s.name, s.kwargs_dict["lr"]
    ('sgd', 0.1)
    >>> str(s)
    'sgd(lr=0.1, scheduler=exponential(decay=0.9))'
    """

    __slots__ = ("name", "args", "kwargs")

    def __init__(self, name: str, args=(), kwargs=()):
        # An immutable value object written by hand: attrs would triple the cost of
        # ``import mlcore`` (measured), and specs are built on every start-up path.
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "args", tuple(args))
        object.__setattr__(self, "kwargs", tuple(tuple(p) for p in kwargs))

    def __setattr__(self, key, value):
        raise AttributeError(f"Spec is immutable: use spec.evolve({key}=...) for a changed copy")

    __delattr__ = __setattr__

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
        fields = {"name": self.name, "args": self.args, "kwargs": self.kwargs}
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
        parts = [format_value(v) for v in self.args]
        parts += [f"{k}={format_value(v)}" for k, v in self.kwargs]
        return f"{self.name}({', '.join(parts)})" if parts else self.name

    def __repr__(self) -> str:
        return f"Spec({str(self)!r})"

    @classmethod
    def from_mapping(cls, mapping: Mapping) -> Spec:
        """Convert the mapping form ``{"name": "adam", "lr": 0.001}`` to a Spec.

        Nested mappings that have a ``"name"`` key become nested specs, inside lists
        and tuples too. Strings stay strings; they are parsed as specs at build time
        only where the receiving parameter expects a component.
        """
        if "name" not in mapping or not isinstance(mapping["name"], str):
            raise ValueError(f"a spec mapping needs a string 'name' key; got keys {sorted(map(str, mapping))}")
        parse(mapping["name"])  # validates the name syntax
        kwargs = tuple((k, _from_mapping_value(v)) for k, v in mapping.items() if k != "name")
        return cls(mapping["name"], (), kwargs)

    def to_mapping(self) -> dict:
        """The mapping form of this spec (inverse of :meth:`from_mapping`)."""
        if self.args:
            raise ValueError(f"{self} has positional arguments; build it and use to_spec() to bind them first")
        return {"name": self.name, **{k: _to_mapping_value(v) for k, v in self.kwargs}}


def _from_mapping_value(v):
    if isinstance(v, Mapping) and isinstance(v.get("name"), str):
        return Spec.from_mapping(v)
    if isinstance(v, Mapping):
        return {k: _from_mapping_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_from_mapping_value(x) for x in v)
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


def _format_key(k) -> str:
    if isinstance(k, str):
        return k if (k.isascii() and k.isidentifier()) else _format_str(k)
    if isinstance(k, int) and not isinstance(k, bool):
        return str(k)
    raise TypeError(f"spec dict keys must be str or int, not {type(k).__name__} ({k!r})")


def format_value(v) -> str:
    """Canonical spec text of a value (a literal or a :class:`Spec`).

    Floats print with Python's shortest round-trip ``repr``; ``inf``, ``-inf`` and
    ``nan`` as written; strings single-quoted; tuples keep their type.
    """
    if isinstance(v, Spec):
        return str(v)
    if v is None or v is True or v is False:
        return str(v)
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(float(v))
    if isinstance(v, str):
        return _format_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(format_value(x) for x in v) + "]"
    if isinstance(v, tuple):
        if len(v) == 1:
            return "(" + format_value(v[0]) + ",)"
        return "(" + ", ".join(format_value(x) for x in v) + ")"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_format_key(k)}: {format_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(
        f"cannot write a {type(v).__name__} value ({v!r:.60}) in a spec: use numbers, strings, "
        "None/True/False, lists, tuples, dicts or components"
    )


# The parser needs Spec and the limits above, so it is imported last (mlcore/__init__
# imports this module first, so _spec_parser never starts the cycle).
from ._spec_parser import parse  # noqa: E402
