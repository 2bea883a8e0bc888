"""Exceptions raised by mlcore.

Every error derives from :class:`MlcoreError`, so ``except mlcore.errors.MlcoreError``
catches anything mlcore raises on purpose. Each also derives from the built-in
exception a Python user would expect (``ValueError``, ``LookupError``, ...), so
existing ``except ValueError`` code keeps working.
"""

from __future__ import annotations

__all__ = [
    "MlcoreError",
    "SpecSyntaxError",
    "UnknownComponentError",
    "AmbiguousComponentError",
    "ComponentArgumentError",
    "NameConflictError",
    "PluginLoadError",
    "NotFittedError",
    "FileFormatError",
]


class MlcoreError(Exception):
    """Base class of every error mlcore raises on purpose."""


class SpecSyntaxError(MlcoreError, ValueError):
    """A spec string is not valid spec syntax.

    Attributes
    ----------
    text : str
        The spec text that failed to parse.
    column : int
        1-based column of the offending character.
    reason : str
        What was wrong, without the caret picture.
    """

    def __init__(self, reason: str, text: str, column: int):
        self.reason = reason
        self.text = text
        self.column = column
        shown = text if len(text) <= 200 else text[: 200] + "..."
        caret = " " * (min(column, 201) - 1) + "^"
        super().__init__(f"{reason} (column {column})\n  {shown}\n  {caret}")


class UnknownComponentError(MlcoreError, LookupError):
    """No registered component has the requested name (in the requested kind).

    Attributes
    ----------
    name, kind : str
        What was looked up.
    suggestions : list of str
        Close registered names, best first.
    distribution : str or None
        A first-party distribution that provides the name but is not installed.
    """

    def __init__(self, message: str, name: str, kind: str | None,
                 suggestions: list[str] | None = None, distribution: str | None = None):
        self.name = name
        self.kind = kind
        self.suggestions = list(suggestions or [])
        self.distribution = distribution
        super().__init__(message)

    def __str__(self) -> str:  # LookupError would repr() a lone argument
        return self.args[0]


class AmbiguousComponentError(MlcoreError, LookupError):
    """A name given without a kind exists in several kinds; the message lists them."""

    def __str__(self) -> str:
        return self.args[0]


class ComponentArgumentError(MlcoreError, TypeError, ValueError):
    """An argument to a component is unknown, missing, or has an invalid value.

    The message names the argument and shows the component's signature.
    """


class NameConflictError(MlcoreError, LookupError):
    """Two plugins provide the same (kind, name); the message names both.

    Pick one with the qualified form ``plugin/name`` or disable a plugin with
    ``MLCORE_DISABLE_PLUGINS=plugin``.
    """

    def __str__(self) -> str:
        return self.args[0]


class PluginLoadError(MlcoreError, ImportError):
    """A plugin, or the module of a registered component, failed to import."""


class NotFittedError(MlcoreError, ValueError, AttributeError):
    """A method that needs learned state was called before ``fit``."""


class FileFormatError(MlcoreError, ValueError):
    """A file given to :func:`mlcore.load` is not a valid mlcore save file."""
