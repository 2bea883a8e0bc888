"""Plugin and component records: what the registry stores about each registration.

Hand-written record classes rather than attrs or dataclasses: importing those costs more
than the whole rest of ``import mlcore``, and start-up matters.
"""

from __future__ import annotations

import _thread
import importlib

from .errors import PluginLoadError

__all__ = ["Entry", "PluginInfo", "PluginError", "KindInfo", "LOCK"]

#: One re-entrant lock for every first use: loading plugins, registering their hooks and
#: importing a component module. Held only until the first use is done (the fast paths
#: read without it); re-entrant so that a plugin module that uses the registry while it
#: is imported does not deadlock.
LOCK = _thread.RLock()


def _fatal(exc: BaseException) -> bool:
    """Whether ``exc`` must propagate instead of being recorded as a plugin's failure."""
    return isinstance(exc, (KeyboardInterrupt, GeneratorExit))


def _import_target(target: str):
    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


class _Record:
    """A small record class. Hand-written rather than attrs: importing attrs and building
    attrs classes costs more than the whole rest of ``import mlcore``, and start-up matters."""

    __slots__ = ()
    _defaults: dict = {}

    def __init__(self, *args, **kwargs):
        values = dict(zip(self.__slots__, args), **kwargs)
        for name in self.__slots__:
            setattr(self, name, values[name] if name in values else self._defaults[name])

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__ if not n.startswith("_"))
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None


class Entry(_Record):
    """One registration: ``(kind, name)`` provided by ``plugin``, resolving to ``target``."""

    __slots__ = ("kind", "name", "target", "plugin", "alias_of", "_obj")
    _defaults = {"alias_of": None, "_obj": None}
    __eq__ = object.__eq__  # identity: two registrations of the same name are different entries
    __hash__ = object.__hash__

    @property
    def primary(self) -> str:
        """The canonical name (the name itself, or what an alias points to)."""
        return self.alias_of or self.name

    @property
    def target_path(self) -> str:
        t = self.target
        return t if isinstance(t, str) else f"{t.__module__}:{t.__qualname__}"

    def load(self):
        """Import and return the registered object (cached)."""
        obj = self._obj
        if obj is not None:
            return obj
        if not isinstance(self.target, str):
            self._obj = self.target
            return self.target
        with LOCK:  # one thread imports; the others wait for the finished module
            if self._obj is None:
                try:
                    self._obj = _import_target(self.target)
                except BaseException as exc:  # the plugin's bug (even SystemExit), reported with its name
                    if _fatal(exc):
                        raise
                    raise PluginLoadError(
                        f"{self.kind} {self.name!r} from plugin {self.plugin!r} failed to import "
                        f"{self.target!r}: {type(exc).__name__}: {exc}"
                    ) from exc
        return self._obj


class PluginInfo(_Record):
    """A loaded (or failed) plugin: name, module, distribution, version, n_components, error."""

    __slots__ = ("name", "module", "distribution", "version", "n_components", "error")
    _defaults = {"distribution": None, "version": None, "n_components": 0, "error": None}


class PluginError(_Record):
    """Why a plugin failed to load: plugin, distribution, version, exception, traceback."""

    __slots__ = ("plugin", "distribution", "version", "exception", "traceback")

    def __str__(self) -> str:
        return f"{self.plugin} ({self.distribution or '?'} {self.version or ''}): " \
               f"{type(self.exception).__name__}: {self.exception}"


class KindInfo(_Record):
    """A component kind: name, interface (class or ``"module:attr"``), plugin, doc."""

    __slots__ = ("name", "interface", "plugin", "doc")
    _defaults = {"doc": None}
