"""The text form of a spec: a hand-written recursive-descent parser.

The parser works over characters and never evaluates anything: a name is only a
string here, resolved later through the registry. Input length and nesting depth are
capped so parsing stays linear and cannot exhaust the stack.
"""

from __future__ import annotations

import keyword
import math
import re
from typing import Any, NoReturn

from ._spec_value import _INT_BOUND, MAX_DEPTH, MAX_INT_DIGITS, MAX_SPEC_LENGTH, Spec
from .errors import SpecSyntaxError

__all__ = ["parse"]

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
    def fail(self, reason: str, pos: int | None = None) -> NoReturn:
        raise SpecSyntaxError(reason, self.text, (self.pos if pos is None else pos) + 1)

    def ws(self) -> str:
        text, n, i = self.text, self.n, self.pos
        while i < n and text[i] in " \t\r\n":
            i += 1
        self.pos = i
        return text[i] if i < n else ""

    def unexpected(self, expected: str) -> NoReturn:
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
        args: list[Any] = []
        kwargs: list[tuple[str, Any]] = []
        seen: set[str] = set()
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
                return sign * (math.inf if m.group() == "inf" else math.nan)
        m = _NUMBER.match(self.text, self.pos)
        if not m:
            self.fail("only numbers, inf and nan may follow a sign" if self.pos > start else "invalid number", start)
        self.pos = m.end()
        if self.pos < self.n and (self.text[self.pos].isalnum() or self.text[self.pos] in "_."):
            self.fail(f"invalid number {self.text[start:self.pos + 1]!r}", start)
        if m.group("float"):
            return sign * float(m.group("float"))
        literal = m.group("int")
        if literal[1:2] not in ("x", "X", "o", "O", "b", "B"):
            # checked before converting: int() of a long decimal is quadratic, and refused by Python
            if len(literal) - literal.count("_") > MAX_INT_DIGITS:
                self.fail(f"integer literal of {len(literal) - literal.count('_')} digits is over the limit "
                          f"of {MAX_INT_DIGITS}", start)
            return sign * int(literal)
        value = int(literal, 0)  # linear in the length for these bases (at most MAX_SPEC_LENGTH)
        if value >= _INT_BOUND:
            self.fail(f"integer literal over the limit of {MAX_INT_DIGITS} decimal digits", start)
        return sign * value

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
