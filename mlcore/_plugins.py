"""Plugin and component records: what the registry stores about each registration.

Hand-written record classes rather than attrs or dataclasses: importing those costs more
than the whole rest of ``import mlcore``, and start-up matters.
"""

from __future__ import annotations

import _thread
import importlib
import os
from typing import Any

import pluggy

from . import _catalog, hookspecs
from ._version import check_plugin_api
from .errors import NameConflictError, PluginLoadError

__all__ = ["Entry", "PluginInfo", "PluginError", "KindInfo", "LOCK", "PluginLoading"]

LOCAL_PLUGIN = "local"

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

    __slots__: tuple[str, ...] = ()
    _defaults: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        values = dict(zip(self.__slots__, args), **kwargs)
        for name in self.__slots__:
            setattr(self, name, values[name] if name in values else self._defaults[name])

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__ if not n.startswith("_"))
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable records are unhashable (like dataclasses with eq)


class Entry(_Record):
    """One registration: ``(kind, name)`` provided by ``plugin``, resolving to ``target``."""

    __slots__ = ("kind", "name", "target", "plugin", "alias_of", "_obj")
    _defaults = {"alias_of": None, "_obj": None}
    kind: str
    name: str
    target: Any  # "module:attr" or the object itself
    plugin: str
    alias_of: str | None
    _obj: Any
    __eq__ = object.__eq__  # identity: two registrations of the same name are different entries
    __hash__ = object.__hash__  # type: ignore[assignment]

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
    name: str
    module: str
    distribution: str | None
    version: str | None
    n_components: int
    error: str | None


class PluginError(_Record):
    """Why a plugin failed to load: plugin, distribution, version, exception, traceback."""

    __slots__ = ("plugin", "distribution", "version", "exception", "traceback")
    plugin: str
    distribution: str | None
    version: str | None
    exception: BaseException
    traceback: str

    def __str__(self) -> str:
        return f"{self.plugin} ({self.distribution or '?'} {self.version or ''}): " \
               f"{type(self.exception).__name__}: {self.exception}"


class KindInfo(_Record):
    """A component kind: name, interface (class or ``"module:attr"``), plugin, doc."""

    __slots__ = ("name", "interface", "plugin", "doc")
    _defaults = {"doc": None}
    name: str
    interface: Any  # a class or "module:attr"
    plugin: str
    doc: str | None


class PluginLoading:
    """The plugin-loading half of :class:`mlcore.Registry`: entry points, pluggy, hooks, errors.

    Every method that changes the registry during first use holds :data:`LOCK`.
    """

    # The registry state this half works on (created by Registry.__init__).
    pm: pluggy.PluginManager
    use_cache: bool
    _autoload: bool
    _disabled_arg: set[str] | None
    _loaded: bool
    _loading: bool
    _built_impls: Any
    _hook_failed: set[str]
    _kinds: dict[str, KindInfo]
    _entries: dict[tuple[str, str], list[Entry]]
    _plugins: dict[str, PluginInfo]
    _errors: list[PluginError]
    _current: str
    _by_type: dict[type, Entry | None]
    _pending: dict[str, object]

    @property
    def disabled(self) -> set[str]:
        if self._disabled_arg is not None:
            return self._disabled_arg
        env = os.environ.get("MLCORE_DISABLE_PLUGINS", "")
        return {p.strip() for p in env.split(",") if p.strip()}

    def _ensure_loaded(self):
        if self._loaded:  # the fast path, without the lock
            return
        with LOCK:
            if self._loaded or self._loading:  # done by another thread, or a re-entrant call while loading
                return
            self._loading = True
            try:
                if self._autoload:
                    self._load_entry_points()
            finally:
                self._loaded, self._loading = True, False

    def _load_entry_points(self):
        from ._discovery import find_entry_points

        disabled = self.disabled
        by_name: dict[str, list] = {}
        for ep in find_entry_points(use_cache=self.use_cache):
            if ep.name in disabled or (ep.distribution and ep.distribution in disabled):
                continue
            same = by_name.setdefault(ep.name, [])
            if not any(e.distribution == ep.distribution for e in same):
                same.append(ep)
        for name, eps in by_name.items():
            # First-party keeps its name; otherwise the distribution whose name sorts first.
            winner = min(eps, key=lambda e: (not _catalog.is_first_party(e.distribution),
                                             (e.distribution or "").lower()))
            for ep in eps:
                if ep is not winner:
                    self._shadowed(ep, winner)
            self.load_plugin(name, winner.load, distribution=winner.distribution, version=winner.version,
                             module=winner.value)

    def _shadowed(self, ep, winner):
        """Record (and do not load) ``ep``, whose plugin name ``winner``'s distribution holds."""
        key = f"{ep.distribution}:{ep.name}"
        info = PluginInfo(key, ep.value, ep.distribution, ep.version)
        self._plugins[key] = info
        why = "first-party" if _catalog.is_first_party(winner.distribution) else "sorts first"
        self._record_error(info, NameConflictError(
            f"plugin name {ep.name!r} is used by two distributions, {winner.distribution} ({why}, loaded) "
            f"and {ep.distribution} (not loaded: its entry point {ep.name} = {ep.value} must be renamed)"))

    def load_plugin(self, name: str, loader, distribution=None, version=None, module=None):
        """Load one plugin: ``loader()`` returns the module (or object) with hookimpls.

        Failures are recorded in :meth:`errors` and never raised.
        """
        with LOCK:
            info = PluginInfo(name, module or "?", distribution, version)
            self._plugins[name] = info
            try:
                plugin = loader()
                check_plugin_api(plugin, name)  # a plugin written for another plugin API is not loaded
            except BaseException as exc:  # SystemExit too: a plugin never ends the process
                if _fatal(exc):
                    raise
                self._record_error(info, exc)
                return
            # Registering with pluggy inspects every attribute of the module: it is deferred until
            # one of the plugin's behaviour hooks is first needed (see _hook), to keep start-up fast.
            self._pending[name] = plugin
            self._call_register(name, info, plugin)

    def add_plugin(self, plugin, name: str | None = None):
        """Register an in-process pluggy plugin (a module or object with hookimpls).

        Its ``mlcore_register`` runs at once; its behaviour hooks apply from then on.
        """
        self._ensure_loaded()
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        info = PluginInfo(name, getattr(plugin, "__name__", type(plugin).__name__))
        with LOCK:
            self._plugins[name] = info
            self.pm.register(plugin, name=name)  # validated at once: in-process plugins are few
            self._built_impls = None
            self._call_register(name, info, plugin)
        return plugin

    def _call_register(self, name, info, plugin):
        fn = getattr(plugin, "mlcore_register", None)
        opts = getattr(fn, f"{hookspecs.PROJECT}_impl", None)
        if fn is not None and opts is not None:
            self._current = name
            try:
                # pluggy's own reading of the implementation's arguments (as pm.register
                # would do, without registering the whole module yet: see load_plugin)
                impl = pluggy.HookImpl(plugin, name, fn, opts)
                spec = self.pm.hook.mlcore_register.spec
                allowed = spec.argnames if spec is not None else ("registry",)
                unknown = [a for a in impl.argnames if a not in allowed]
                if unknown:
                    raise TypeError(f"mlcore_register takes only {list(allowed)}, not {unknown}")
                impl.function(*[self for _ in impl.argnames])
            except BaseException as exc:
                if _fatal(exc):
                    raise
                self._drop_plugin_entries(name)
                self._record_error(info, exc)
            finally:
                self._current = LOCAL_PLUGIN
        info.n_components = sum(1 for es in self._entries.values() for e in es
                                if e.plugin == name and e.alias_of is None)

    def _register_pending(self, name: str) -> None:
        with LOCK:
            plugin = self._pending.pop(name, None)
            if plugin is None:  # registered meanwhile by another thread
                return
            try:
                self.pm.register(plugin, name=name)
            except Exception as exc:  # an invalid hook implementation breaks only its plugin
                self._drop_plugin_entries(name)
                self._record_error(self._plugins[name], exc)
            self._built_impls = None

    def _hook(self, hook_name: str):
        """pluggy's caller for ``hook_name``, registering the plugins that implement it first."""
        with LOCK:
            for name in [n for n, p in self._pending.items() if hasattr(p, hook_name)]:
                self._register_pending(name)
        return getattr(self.pm.hook, hook_name)

    def validate_plugins(self) -> None:
        """Register every loaded plugin with pluggy now, recording invalid hook implementations."""
        self._ensure_loaded()
        with LOCK:
            for name in list(self._pending):
                self._register_pending(name)

    def _record_error(self, info: PluginInfo, exc: BaseException):
        import traceback

        info.error = f"{type(exc).__name__}: {exc}"
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self._errors.append(PluginError(info.name, info.distribution, info.version, exc, tb))
        self._pending.pop(info.name, None)
        if self.pm.has_plugin(info.name):
            self.pm.unregister(name=info.name)

    def _drop_plugin_entries(self, plugin: str):
        for key in list(self._entries):
            kept = [e for e in self._entries[key] if e.plugin != plugin]
            if kept:
                self._entries[key] = kept
            else:
                del self._entries[key]
        for kind in [k for k, v in self._kinds.items() if v.plugin == plugin]:
            del self._kinds[kind]
        self._by_type.clear()

    # ------------------------------------------------------------------ hooks
    def notify_built(self, component, spec, kind, name):
        """Call every ``mlcore_component_built`` implementation; one that raises is disabled."""
        impls = self._built_impls
        if impls is None:
            with LOCK:
                hook = self._hook("mlcore_component_built")
                for i in hook.get_hookimpls():  # a wrapper cannot be called on its own: refused
                    if (i.wrapper or i.hookwrapper) and i.plugin_name not in self._hook_failed:
                        self._hook_raised(i.plugin_name, TypeError(
                            "mlcore_component_built cannot be a hook wrapper (wrapper=True/hookwrapper=True)"))
                # pluggy's call order: last registered first
                impls = self._built_impls = [i for i in reversed(hook.get_hookimpls())
                                             if i.plugin_name not in self._hook_failed]
        if not impls:
            return
        values = {"component": component, "spec": spec, "kind": kind, "name": name}
        for impl in impls:
            try:
                impl.function(*[values[a] for a in impl.argnames])
            except BaseException as exc:  # SystemExit too: a hook never ends the process
                if _fatal(exc):
                    raise
                self._hook_raised(impl.plugin_name, exc)

    def _hook_raised(self, plugin: str, exc: BaseException):
        import traceback
        import warnings

        with LOCK:
            if plugin in self._hook_failed:
                return  # another thread got there first: one warning only
            self._hook_failed.add(plugin)
            self._built_impls = None
            info = self._plugins.get(plugin) or PluginInfo(plugin, "?")
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            self._errors.append(PluginError(plugin, info.distribution, info.version, exc, tb))
            info.error = f"mlcore_component_built raised {type(exc).__name__}: {exc} (hook disabled)"
        warnings.warn(f"plugin {plugin!r}: its mlcore_component_built hook raised {type(exc).__name__}: {exc}; "
                      "the hook is disabled for the rest of this process (see mlcore doctor)",
                      RuntimeWarning, stacklevel=4)

    def demos(self) -> list[tuple[str, str, str]]:
        """``(plugin, title, target)`` for every demo part of every loaded plugin."""
        self._ensure_loaded()
        out = []
        for impl in self._hook("mlcore_demos").get_hookimpls():
            try:
                parts = impl.function()
            except Exception as exc:
                parts = [(f"(demo list failed: {exc})", "")]
            out += [(impl.plugin_name, title, target) for title, target in parts]
        return sorted(out)
