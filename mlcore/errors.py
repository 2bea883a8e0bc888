"""Exceptions raised by mlcore.

Every error derives from :class:`MlcoreError`, so ``except mlcore.errors.MlcoreError``
catches anything mlcore raises on purpose. Each also derives from the built-in
exception a Python user would expect (``ValueError``, ``LookupError``, ...), so
existing ``except ValueError`` code keeps working.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

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
    "DataConversionWarning",
    "data_conversion_warning",
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

    #: The argument at fault, when known (lets :func:`mlcore.build` point at it in the spec text).
    argument: str | None = None


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
    """A method that needs learned state was called before ``fit``.

    When scikit-learn is importable, ``NotFittedError(...)`` creates an instance of a
    subclass that also derives from ``sklearn.exceptions.NotFittedError``, so both
    ``except mlcore.errors.NotFittedError`` and ``except sklearn.exceptions.NotFittedError``
    catch it. scikit-learn is imported only then (never by ``import mlcore``).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> NotFittedError:
        if cls is NotFittedError:
            cls = _sklearn_variant("NotFittedError", NotFittedError) or cls
        return super().__new__(cls, *args, **kwargs)


class DataConversionWarning(UserWarning):
    """Input was converted to the expected form (a column-vector ``y`` raveled).

    Like :class:`NotFittedError`, an instance also derives from scikit-learn's
    ``DataConversionWarning`` when scikit-learn is importable (use
    :func:`data_conversion_warning` to get the class to warn with).
    """


def data_conversion_warning() -> type:
    """The warning class to issue: ours, also scikit-learn's when it is importable."""
    return _sklearn_variant("DataConversionWarning", DataConversionWarning) or DataConversionWarning


_VARIANTS: dict = {}


def _sklearn_exceptions() -> ModuleType | None:
    """``sklearn.exceptions`` when scikit-learn is importable, else None (imported lazily)."""
    import sys

    mod = sys.modules.get("sklearn.exceptions")
    if mod is not None:
        return mod
    try:
        import importlib.util

        if importlib.util.find_spec("sklearn") is None:
            return None
        import sklearn.exceptions as mod  # type: ignore[no-redef]
    except Exception:  # not installed, blocked (sys.modules["sklearn"] = None) or broken
        return None
    return mod


def _sklearn_variant(name: str, ours: type) -> type | None:
    """A cached subclass of ``ours`` and of scikit-learn's class ``name``, or None."""
    if name not in _VARIANTS:
        mod = _sklearn_exceptions()
        theirs = getattr(mod, name, None) if mod is not None else None
        if theirs is None:
            return None  # not cached: scikit-learn may become importable later
        _VARIANTS[name] = type(name, (ours, theirs), {
            "__module__": __name__, "__qualname__": f"_Sklearn{name}", "__doc__": ours.__doc__})
    return _VARIANTS[name]


def __getattr__(attr: str) -> type:  # lets pickle find the lazily created classes by name
    if attr.startswith("_Sklearn") and attr[8:] in ("NotFittedError", "DataConversionWarning"):
        cls = _sklearn_variant(attr[8:], globals()[attr[8:]])
        if cls is not None:
            return cls
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


class FileFormatError(MlcoreError, ValueError):
    """A file given to :func:`mlcore.load` is not a valid mlcore save file."""
