"""The spec language: a safe, Python-shaped notation for building components.

Grammar (see ARCHITECTURE.md, section 2)::

    spec   := value
    value  := call | number | string | None | True | False | inf | nan | list | tuple | dict
    call   := NAME [ "(" [ arg { "," arg } [","] ] ")" ]     bare NAME = call without arguments
    NAME   := [ plugin "/" ] identifier
    arg    := [ identifier "=" ] value                        positional args only before keywords

The parser is a hand-written recursive descent over characters. It never evaluates
anything: a name is only a string here, resolved later through the registry. Input
length and nesting depth are capped so parsing stays linear and cannot exhaust the
stack.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping

from .errors import SpecSyntaxError

__all__ = ["Spec", "parse", "format_value", "MAX_SPEC_LENGTH", "MAX_DEPTH"]

MAX_SPEC_LENGTH = 65_536
MAX_DEPTH = 64

_CONSTANTS = {"True": True, "False": False, "None": None, "inf": math.inf, "nan": math.nan}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIGITS = r"[0-9](?:_?[0-9])*"
_NUMBER = re.compile(
    rf"(?P<float>(?:(?:{_DIGITS})?\.{_DIGITS}|{_DIGITS}\.)(?:[eE][+-]?{_DIGITS})?|{_DIGITS}[eE][+-]?{_DIGITS})"
    r"|(?P<int>0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+"
    r"|0(?:_?0)*(?![0-9_])|[1-9](?:_?[0-9])*)"
)
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


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


# ----------------------------------------------------------------------------- parsing

_AFTER_VALUE_HINTS = {
    ".": "attribute access is not allowed in a spec",
    "[": "subscripts are not allowed in a spec",
    "+": "arithmetic is not allowed in a spec",
    "-": "arithmetic is not allowed in a spec",
    "*": "arithmetic is not allowed in a spec",
    "/": "arithmetic is not allowed in a spec",
    "%": "arithmetic is not allowed in a spec",
    "@": "operators are not allowed in a spec",
    "=": "'=' may only follow an argument name",
    ":": "':' may only separate a dict key from its value",
    "(": "calls are only allowed on component names",
}


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.n = len(text)
        self.pos = 0
        self.depth = 0

    # -- helpers
    def fail(self, reason: str, pos: int | None = None):
        raise SpecSyntaxError(reason, self.text, (self.pos if pos is None else pos) + 1)

    def ws(self) -> str:
        text, n, i = self.text, self.n, self.pos
        while i < n and text[i] in " \t\r\n":
            i += 1
        self.pos = i
        return text[i] if i < n else ""

    def unexpected(self, expected: str):
        if self.pos >= self.n:
            self.fail(f"unexpected end of input, expected {expected}")
        c = self.text[self.pos]
        hint = _AFTER_VALUE_HINTS.get(c)
        self.fail(f"unexpected {c!r}: {hint}" if hint else f"unexpected {c!r}, expected {expected}")

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nesting deeper than {MAX_DEPTH} levels")

    # -- grammar
    def parse(self):
        self.ws()
        value = self.value()
        if self.ws():
            self.unexpected("end of input")
        return value

    def value(self):
        c = self.ws()
        if not c:
            self.unexpected("a value")
        if c == "(":
            return self.tuple_()
        if c == "[":
            return self.list_()
        if c == "{":
            return self.dict_()
        if c in "'\"":
            return self.string()
        if c.isdigit() or c in "+-.":
            return self.number()
        if c == "_" or c.isalpha():
            return self.name_or_constant()
        if c == "$":
            self.fail("references ${...} are not supported")
        self.unexpected("a value")

    def ident(self) -> str:
        m = _IDENT.match(self.text, self.pos)
        if not m:
            self.unexpected("a name")
        self.pos = m.end()
        return m.group()

    def name_or_constant(self):
        start = self.pos
        word = self.ident()
        if word in _CONSTANTS:
            return _CONSTANTS[word]
        self.check_name(word, start)
        name = word
        if self.pos < self.n and self.text[self.pos] == "/":
            self.pos += 1
            start2 = self.pos
            if not _IDENT.match(self.text, self.pos):
                self.unexpected("a component name after 'plugin/'")
            word2 = self.ident()
            self.check_name(word2, start2)
            name = f"{word}/{word2}"
        if self.ws() != "(":
            return Spec(name)
        return self.call(name)

    def check_name(self, word: str, start: int):
        if word.startswith("_"):
            self.fail(f"names beginning with '_' are reserved: {word!r}", start)
        if keyword.iskeyword(word):
            self.fail(f"{word!r} is a Python keyword, not a component name", start)
        if not word.isascii():
            self.fail(f"component names are ASCII identifiers: {word!r}", start)

    def call(self, name: str) -> Spec:
        self.enter()
        self.pos += 1  # "("
        args, kwargs, seen = [], [], set()
        while True:
            c = self.ws()
            if c == ")":
                self.pos += 1
                break
            arg_start = self.pos
            key = None
            m = _IDENT.match(self.text, self.pos)
            if m:
                self.pos = m.end()
                if self.ws() == "=" and self.text[self.pos + 1: self.pos + 2] != "=":
                    key = m.group()
                    if key.startswith("_"):
                        self.fail(f"argument names beginning with '_' are reserved: {key!r}", arg_start)
                    if key in seen:
                        self.fail(f"argument {key!r} given twice", arg_start)
                    self.pos += 1
                else:
                    self.pos = arg_start
            value = self.value()
            if key is None:
                if kwargs:
                    self.fail("positional argument follows keyword argument", arg_start)
                args.append(value)
            else:
                seen.add(key)
                kwargs.append((key, value))
            c = self.ws()
            if c == ",":
                self.pos += 1
            elif c != ")":
                self.unexpected("',' or ')'")
        self.depth -= 1
        return Spec(name, tuple(args), tuple(kwargs))

    def tuple_(self) -> tuple:
        self.enter()
        open_pos = self.pos
        self.pos += 1
        items, trailing_comma = [], False
        while True:
            c = self.ws()
            if c == ")":
                self.pos += 1
                break
            items.append(self.value())
            c = self.ws()
            trailing_comma = c == ","
            if c == ",":
                self.pos += 1
            elif c != ")":
                self.unexpected("',' or ')'")
        if len(items) == 1 and not trailing_comma:
            self.fail("parentheses only make tuples: write (x,) for a 1-tuple", open_pos)
        self.depth -= 1
        return tuple(items)

    def list_(self) -> list:
        self.enter()
        self.pos += 1
        items = []
        while True:
            c = self.ws()
            if c == "]":
                self.pos += 1
                break
            items.append(self.value())
            c = self.ws()
            if c == ",":
                self.pos += 1
            elif c != "]":
                self.unexpected("',' or ']'")
        self.depth -= 1
        return items

    def dict_(self) -> dict:
        self.enter()
        self.pos += 1
        out = {}
        while True:
            c = self.ws()
            if c == "}":
                self.pos += 1
                break
            key_start = self.pos
            if not c:
                self.unexpected("a dict key")
            if c in "'\"":
                key = self.string()
            elif c.isdigit() or c in "+-":
                key = self.number()
                if not isinstance(key, int):
                    self.fail("dict keys must be names, strings or integers", key_start)
            elif c == "_" or c.isalpha():
                key = self.ident()
            else:
                self.unexpected("a dict key")
            if key in out:
                self.fail(f"dict key {key!r} given twice", key_start)
            if self.ws() != ":":
                self.unexpected("':'")
            self.pos += 1
            out[key] = self.value()
            c = self.ws()
            if c == ",":
                self.pos += 1
            elif c != "}":
                self.unexpected("',' or '}'")
        self.depth -= 1
        return out

    def number(self):
        start = self.pos
        sign = 1
        if self.text[self.pos] in "+-":
            sign = -1 if self.text[self.pos] == "-" else 1
            self.pos += 1
            m = _IDENT.match(self.text, self.pos)
            if m and m.group() in ("inf", "nan"):
                self.pos = m.end()
                return sign * _CONSTANTS[m.group()]
        m = _NUMBER.match(self.text, self.pos)
        if not m:
            self.fail("only numbers, inf and nan may follow a sign" if self.pos > start else "invalid number", start)
        self.pos = m.end()
        if self.pos < self.n and (self.text[self.pos].isalnum() or self.text[self.pos] in "_."):
            self.fail(f"invalid number {self.text[start:self.pos + 1]!r}", start)
        if m.group("float"):
            return sign * float(m.group("float"))
        return sign * int(m.group("int"), 0)

    def string(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        self.pos += 1
        out = []
        text, n = self.text, self.n
        while True:
            j = self.pos
            while j < n and text[j] != quote and text[j] != "\\":
                j += 1
            out.append(text[self.pos:j])
            if j >= n:
                self.fail("unterminated string", start)
            if text[j] == quote:
                self.pos = j + 1
                return "".join(out)
            # backslash escape
            e = text[j + 1: j + 2]
            if e in _ESCAPES:
                out.append(_ESCAPES[e])
                self.pos = j + 2
            elif e in _HEX_ESCAPES:
                width = _HEX_ESCAPES[e]
                digits = text[j + 2: j + 2 + width]
                if len(digits) != width or not all(d in "0123456789abcdefABCDEF" for d in digits):
                    self.fail(f"\\{e} needs {width} hex digits", j)
                code = int(digits, 16)
                if code > 0x10FFFF:
                    self.fail("code point out of range", j)
                out.append(chr(code))
                self.pos = j + 2 + width
            else:
                self.fail(f"unknown escape \\{e}" if e else "unterminated string", j)


def parse(text: str):
    """Parse spec text into a :class:`Spec` (or a literal value).

    Parameters
    ----------
    text : str
        Spec text such as ``"adam(lr=1e-3)"``. At most ``MAX_SPEC_LENGTH`` characters
        and ``MAX_DEPTH`` levels of nesting.

    Returns
    -------
    Spec or literal
        A :class:`Spec` for a call or bare name; a Python literal otherwise.

    Raises
    ------
    SpecSyntaxError
        With the column of the offending character. Nothing is ever evaluated.

    Examples
    --------
    >>> str(parse("adam(lr=1e-3, eps=-1E-8, clip_norm=None)"))
    'adam(lr=0.001, eps=-1e-08, clip_norm=None)'
    >>> parse("[1, (2,), {a: 'x'}]")
    [1, (2,), {'a': 'x'}]
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes spec text (str), not {type(text).__name__}")
    if len(text) > MAX_SPEC_LENGTH:
        raise SpecSyntaxError(f"spec is {len(text)} characters, over the limit of {MAX_SPEC_LENGTH}",
                              text, MAX_SPEC_LENGTH + 1)
    return _Parser(text).parse()
