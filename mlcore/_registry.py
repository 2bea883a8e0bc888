"""The component registry and plugin loading.

Plugins are found through the entry-point group ``mlcore.plugins``. mlcore loads each
one itself, one at a time, so a plugin that fails to import or to register is recorded
(:meth:`Registry.errors`) and never affects any other plugin. Components are registered
as lazy ``"module:attr"`` strings: listing names imports no component module, and
resolving a name imports exactly the module that defines it.

Isolation guarantees (see README, "Guarantees"):

* A plugin whose import or ``mlcore_register`` raises anything but ``KeyboardInterrupt``
  (``SystemExit`` included) is recorded with its traceback and left out.
* A ``mlcore_component_built`` implementation that raises is disabled for the rest of
  the process, with one ``RuntimeWarning``, and recorded; the build goes on.
* Two distributions that use one entry-point (plugin) name conflict: a first-party
  distribution keeps the name, otherwise the one whose name sorts first does (a rule
  that does not depend on the order of ``sys.path``); the other is not loaded and is
  recorded under ``"<distribution>:<name>"`` (so a first-party plugin's qualified names
  always mean its components when it is installed).
* First use is thread-safe: loading, hook registration and component imports happen
  under one re-entrant lock (:data:`mlcore._plugins.LOCK`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pluggy

from . import _catalog, hookspecs
from ._plugins import (  # noqa: F401 (Entry, KindInfo, LOCK and _import_target are re-exported)
    LOCAL_PLUGIN,
    LOCK,
    Entry,
    KindInfo,
    PluginError,
    PluginInfo,
    PluginLoading,
    _import_target,
)
from ._version import DISTRIBUTION
from .errors import (
    AmbiguousComponentError,
    NameConflictError,
    PluginLoadError,
    UnknownComponentError,
)

__all__ = ["Registry", "Entry", "PluginInfo", "PluginError", "registry", "register", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = hookspecs.ENTRY_POINT_GROUP
T = TypeVar("T")
CORE_PLUGIN = "mlcore"
_CONSTANT_TYPOS = {"true": "True", "false": "False", "none": "None", "null": "None", "nil": "None",
                   "infinity": "inf", "NaN": "nan", "Inf": "inf"}


class Registry(PluginLoading):
    """Process-wide table of component kinds and components.

    Parameters
    ----------
    autoload : bool
        Load the plugins of the ``mlcore.plugins`` entry-point group on first use.
    disabled : iterable of str, optional
        Plugin (entry-point) names or distribution names to skip. Defaults to the
        comma-separated environment variable ``MLCORE_DISABLE_PLUGINS``.
    use_cache : bool
        Reuse the cached list of entry points when the installed distributions' own
        metadata confirms it (see :mod:`mlcore._discovery`).

    Notes
    -----
    Use :func:`mlcore.registry` for the process registry. Tests build their own.
    """

    def __init__(self, autoload: bool = True, disabled: Iterable[str] | None = None, use_cache: bool = True) -> None:
        self._autoload = autoload
        self.use_cache = use_cache
        self._disabled_arg = None if disabled is None else set(disabled)
        self._loaded = False
        self._loading = False
        self._built_impls = None
        self._hook_failed: set[str] = set()
        self._kinds: dict[str, KindInfo] = {}
        self._entries: dict[tuple[str, str], list[Entry]] = {}
        self._plugins: dict[str, PluginInfo] = {}
        self._errors: list[PluginError] = []
        self._current = LOCAL_PLUGIN
        self._by_type: dict[type, Entry | None] = {}
        self._pending: dict[str, object] = {}
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._add_core()

    # ------------------------------------------------------------------ loading
    def _add_core(self) -> None:
        from . import _core_plugin

        self._current = CORE_PLUGIN
        self._plugins[CORE_PLUGIN] = PluginInfo(CORE_PLUGIN, _core_plugin.__name__, DISTRIBUTION, _version())
        _core_plugin.mlcore_register(registry=self)
        self._current = LOCAL_PLUGIN

    # ------------------------------------------------------------------ registration API
    def add_kind(self, kind: str, interface: type | str, doc: str | None = None) -> None:
        """Declare a component kind and its interface (a class or ``"module:attr"``)."""
        _check_name(kind, "kind")
        with LOCK:
            old = self._kinds.get(kind)
            if old is not None and old.plugin != self._current:
                return  # first declaration wins; the interface is the contract
            self._kinds[kind] = KindInfo(kind, interface, self._current, doc)

    def add(self, kind: str, name: str, target: Any, aliases: Iterable[str] = ()) -> Any:
        """Register ``target`` (a ``"module:attr"`` string or an object) as ``kind`` ``name``.

        A name registered again by the same plugin replaces the earlier entry (re-running
        a notebook cell); the same name from two plugins is kept as a conflict and
        reported on lookup.
        """
        _check_name(kind, "kind")
        for n in (name, *aliases):
            _check_name(n, "component name")
        if isinstance(target, str) and ":" not in target:
            raise ValueError(f"target must be 'module:attr' or an object, got {target!r}")
        with LOCK:
            plugin = self._current
            for n, alias_of in [(name, None)] + [(a, name) for a in aliases]:
                entries = [e for e in self._entries.get((kind, n), []) if e.plugin != plugin]
                entries.append(Entry(kind, n, target, plugin, alias_of))
                self._entries[(kind, n)] = entries
            self._by_type.clear()
            if plugin in self._plugins:
                self._plugins[plugin].n_components = sum(
                    1 for es in self._entries.values() for e in es if e.plugin == plugin and e.alias_of is None)
        return target

    # ------------------------------------------------------------------ queries
    def kinds(self) -> list[str]:
        """Sorted names of every known kind."""
        self._ensure_loaded()
        return sorted(self._kinds)

    def kind_info(self, kind: str | None = None) -> Any:
        """The :class:`KindInfo` (name, interface, plugin, doc) of ``kind``, or a dict of
        every kind's when ``kind`` is None. Interfaces given as ``"module:attr"`` are not
        imported (see :meth:`interface`)."""
        self._ensure_loaded()
        return dict(self._kinds) if kind is None else self._kinds[kind]

    def interface(self, kind: str) -> type:
        """The interface class of ``kind`` (imported on first use)."""
        self._ensure_loaded()
        info = self._kinds[kind]
        if isinstance(info.interface, str):
            info.interface = _import_target(info.interface)
        return info.interface

    def names(self, kind: str | None = None, pattern: str | None = None, aliases: bool = False) -> list[str]:
        """Sorted registered names, optionally of one kind and matching a glob ``pattern``."""
        import fnmatch

        self._ensure_loaded()
        out = {n for (k, n), es in self._entries.items()
               if (kind is None or k == kind) and (aliases or any(e.alias_of is None for e in es))}
        if pattern:
            out = {n for n in out if fnmatch.fnmatchcase(n, pattern)}
        return sorted(out)

    def entries(self, kind: str | None = None) -> list[Entry]:
        """Every primary entry (not aliases), sorted by kind and name."""
        self._ensure_loaded()
        return sorted((e for (k, _), es in self._entries.items() for e in es
                       if e.alias_of is None and (kind is None or k == kind)),
                      key=lambda e: (e.kind, e.name, e.plugin))

    def plugins(self) -> list[PluginInfo]:
        """Every plugin mlcore tried to load, the core and in-process ones included."""
        self._ensure_loaded()
        return list(self._plugins.values())

    def errors(self) -> list[PluginError]:
        """Plugins that failed to import or register, with their exceptions."""
        self._ensure_loaded()
        return list(self._errors)

    def conflicts(self) -> list[tuple[str, str, list[str]]]:
        """``(kind, name, [plugins])`` for every name provided by more than one plugin."""
        self._ensure_loaded()
        return sorted((k, n, sorted({e.plugin for e in es}))
                      for (k, n), es in self._entries.items() if len({e.plugin for e in es}) > 1)

    def lookup(self, name: str, kind: str | None = None) -> Entry:
        """Find the entry for ``name`` (optionally ``plugin/name``) in ``kind``.

        Raises
        ------
        UnknownComponentError
            With did-you-mean suggestions and, for a first-party name, the distribution
            to install.
        AmbiguousComponentError
            ``kind`` is None and the name exists in several kinds.
        NameConflictError
            Several plugins provide the name and none was picked.
        """
        self._ensure_loaded()
        plugin, _, short = name.rpartition("/")
        if kind is not None and kind not in self._kinds:
            raise UnknownComponentError(
                f"unknown kind {kind!r}; known kinds: {', '.join(sorted(self._kinds))}"
                + _install_hint_kind(kind), name, kind)
        if kind is not None:
            cands = list(self._entries.get((kind, short), ()))
        else:
            cands = [e for k in self._kinds for e in self._entries.get((k, short), ())]
        if plugin:
            picked = [e for e in cands if e.plugin == plugin]
            if not picked:
                if plugin not in self._plugins:
                    raise UnknownComponentError(
                        f"no plugin named {plugin!r} (in {name!r}); plugins: {', '.join(sorted(self._plugins))}",
                        name, kind)
                raise self._unknown(short, kind, extra=f" in plugin {plugin!r}")
            cands = picked
        if not cands:
            raise self._unknown(short, kind)
        found_kinds = sorted({e.kind for e in cands})
        if len(found_kinds) > 1:
            raise AmbiguousComponentError(
                f"{short!r} names components of several kinds: {', '.join(found_kinds)}; "
                f"say which with kind=..., e.g. build({short!r}, kind={found_kinds[0]!r})")
        providers = sorted({e.plugin for e in cands})
        if len(providers) > 1:
            described = " and ".join(
                f"plugin {p!r} ({self._plugins[p].distribution or 'in-process'})" if p in self._plugins
                else f"plugin {p!r}" for p in providers)
            raise NameConflictError(
                f"{cands[0].kind} {short!r} is provided by {described}; pick one with a qualified "
                f"name such as '{providers[0]}/{short}', or disable a plugin with "
                f"MLCORE_DISABLE_PLUGINS={providers[-1]}")
        return cands[-1]

    def get(self, name: str, kind: str | None = None) -> Any:
        """The registered object (class or factory) for ``name``, imported on demand."""
        return self.lookup(name, kind).load()

    def kind_of(self, name: str) -> str:
        return self.lookup(name).kind

    def info(self, name: str, kind: str | None = None) -> dict:
        """Describe a component: kind, name, plugin, distribution, version, signature, summary."""
        import inspect

        entry = self.lookup(name, kind)
        obj = entry.load()
        plugin = self._plugins.get(entry.plugin)
        try:
            sig = str(inspect.signature(obj))
        except (TypeError, ValueError):
            sig = "(...)"
        doc = inspect.getdoc(obj) or ""
        aliases = sorted(n for (k, n), es in self._entries.items() if k == entry.kind
                         for e in es if e.alias_of == entry.primary and e.plugin == entry.plugin)
        return {
            "kind": entry.kind,
            "name": entry.primary,
            "aliases": aliases,
            "plugin": entry.plugin,
            "distribution": plugin.distribution if plugin else None,
            "version": plugin.version if plugin else None,
            "target": entry.target_path,
            "signature": f"{entry.primary}{sig}",
            "summary": doc.split("\n", 1)[0],
            "doc": doc,
        }

    def entry_for(self, obj: Any) -> Entry | None:
        """The primary registry entry whose target is ``type(obj)`` (None if unregistered)."""
        self._ensure_loaded()
        cls = obj if isinstance(obj, type) else type(obj)
        if cls in self._by_type:
            return self._by_type[cls]
        path = f"{cls.__module__}:{cls.__qualname__}"
        found = None
        prims = [e for es in self._entries.values() for e in es if e.alias_of is None]
        for e in prims:
            if e.target is cls or e.target == path:
                found = e
                break
        if found is None:  # registered under another import path: compare objects
            top = cls.__module__.split(".")[0]
            for e in prims:
                if e.target_path.split(".")[0].split(":")[0] == top:
                    try:
                        if e.load() is cls:
                            found = e
                            break
                    except PluginLoadError:
                        continue
        self._by_type[cls] = found
        return found

    def qualified_name(self, entry: Entry) -> str:
        """The name to write in a spec: qualified only when another plugin also provides it."""
        providers = {e.plugin for e in self._entries.get((entry.kind, entry.primary), ())}
        return entry.primary if len(providers) <= 1 else f"{entry.plugin}/{entry.primary}"

    # ------------------------------------------------------------------ errors
    def _unknown(self, name: str, kind: str | None, extra: str = "") -> UnknownComponentError:
        what = kind or "component"
        pool = self.names(kind, aliases=True)
        suggestions = [c for c in _suggest(name, pool) if c != name]   # never the name typed
        msg = f"unknown {what} {name!r}{extra}"
        if name in _CONSTANT_TYPOS:
            msg += f"; did you mean the constant {_CONSTANT_TYPOS[name]}?"
        elif suggestions:
            msg += f"; did you mean {', '.join(suggestions)}?"
        dist = None
        elsewhere = sorted(k for (k, n) in self._entries if n == name and kind is not None and k != kind)
        if elsewhere:
            msg += f" ({name!r} exists as {' and '.join(elsewhere)}, which this argument does not take)"
        for d, k in _catalog.providers(name, kind):
            broken = [e for e in self._errors if e.distribution == d]
            if broken:
                msg += f"{_sep(msg)}{k} {name!r} comes from {d}, whose plugin failed to load: {broken[0]}"
            elif not any(p.distribution == d for p in self._plugins.values()):
                msg += (f"{_sep(msg)}{k} {name!r} is provided by the distribution {d}, which is not installed: "
                        f"pip install {d}")
            else:
                continue
            dist = d
            break
        if not suggestions and not dist and pool and len(pool) <= 40:
            msg += f"{_sep(msg)}Known {what} names: {', '.join(pool)}"
        return UnknownComponentError(msg, name, kind, suggestions, dist)


def _sep(msg: str) -> str:
    """The separator before a new sentence: none doubled after a question mark."""
    return " " if msg.endswith("?") else ". "


def _suggest(name: str, pool: list[str], n: int = 5) -> list[str]:
    """Rank candidate names: prefix/substring matches, then edit-distance matches."""
    import difflib

    low = name.lower()
    scored = {}
    for cand in pool:
        c = cand.lower()
        if c == low:
            scored[cand] = 2.0
        elif c.startswith(low) or low.startswith(c):
            scored[cand] = 1.5
        elif low in c or c in low or set(low.split("_")) & set(c.split("_")) - {""}:
            scored[cand] = 1.0
    for cand in difflib.get_close_matches(low, pool, n=n, cutoff=0.6):
        scored[cand] = max(scored.get(cand, 0), 1.0 + difflib.SequenceMatcher(None, low, cand).ratio())
    return [c for c, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))][:n]


def _install_hint_kind(kind: str) -> str:
    dists = _catalog.distribution_of_kind(kind)
    return f". Kind {kind!r} is provided by {', '.join(dists)}: pip install {dists[0]}" if dists else ""


def _check_name(name: object, what: str) -> None:
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii() or name.startswith("_"):
        raise ValueError(f"invalid {what} {name!r}: use an ASCII identifier not starting with '_'")
    if name in ("True", "False", "None", "inf", "nan"):
        raise ValueError(f"invalid {what} {name!r}: it is a spec constant")


def _version() -> str:
    from . import __version__

    return __version__


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The process registry (plugins load on first use)."""
    global _REGISTRY
    reg = _REGISTRY
    if reg is None:
        with LOCK:
            if _REGISTRY is None:
                _REGISTRY = Registry()
            reg = _REGISTRY
    return reg


def _set_registry(reg: Registry | None) -> Registry | None:
    """Swap the process registry (for tests); returns the previous one."""
    global _REGISTRY
    old, _REGISTRY = _REGISTRY, reg
    return old


def register(kind: str, name: str, aliases: Iterable[str] = ()) -> Callable[[T], T]:
    """Decorator registering a class or factory in the process registry.

    For notebooks and tests; the same conflict rules as plugins apply (it is
    registered under the plugin name ``"local"``).

    Example
    -------
    >>> import mlcore
    >>> @mlcore.register("scheduler", "halving")
    ... class Halving(mlcore.interfaces.Scheduler):
    ...     def learning_rate(self, step, cur_loss=None):
    ...         return 0.5 ** step
    """
    def deco(obj: T) -> T:
        reg = registry()
        reg._ensure_loaded()
        reg.add(kind, name, obj, aliases)
        return obj

    return deco
