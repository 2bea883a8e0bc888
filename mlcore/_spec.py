"""The spec language: a safe, Python-shaped notation for building components.

Grammar (see docs/architecture.md, "Spec language")::

    spec   := value
    value  := call | number | string | None | True | False | inf | nan | list | tuple | dict
    call   := NAME [ "(" [ arg { "," arg } [","] ] ")" ]     bare NAME = call without arguments
    NAME   := [ plugin "/" ] identifier
    arg    := [ identifier "=" ] value                        positional args only before keywords

This module is the spec language's public face: the :class:`Spec` value, its canonical
printing, the mapping form and the limits come from ``_spec_value``, the text parser
:func:`parse` from ``_spec_parser`` (which builds on ``_spec_value``: no import cycle).
Input length and nesting depth are capped in every form so that nothing a user writes
can exhaust the stack or the memory.

Example
-------
>>> from mlcore import parse
>>> str(parse("adam( lr = 1e-3 )"))   # canonical text
'adam(lr=0.001)'
"""

from __future__ import annotations

from ._spec_parser import parse
from ._spec_value import MAX_DEPTH, MAX_INT_DIGITS, MAX_SPEC_LENGTH, Spec, format_value

__all__ = ["Spec", "parse", "format_value", "MAX_SPEC_LENGTH", "MAX_DEPTH", "MAX_INT_DIGITS"]
