"""What ``mlcore doctor`` checks: plugins, conflicts, kinds, every registered target, hooks.

Each check imports what a build would import, so a plugin that passes here builds; a
problem is reported naming the plugin (and its distribution), never raised.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._plugins import Entry, _fatal
from ._version import IncompatiblePluginError
from .errors import NameConflictError

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["problems"]


def problems(reg: Registry) -> list[tuple[str, str]]:
    """``(message, traceback or "")`` for every problem of the registry ``reg``.

    Checks, in order: plugins that failed to load or register (``SystemExit`` included),
    plugin names claimed by two distributions, component names provided by several
    plugins, each kind's interface imports, and each registered target imports, exists,
    is callable and implements its kind's interface (for a class: every abstract method of
    the interface present, none left abstract). If a plugin implements
    ``mlcore_component_built``, one component is built to exercise the hooks: a hook that
    raises is reported as well.
    """
    reg.validate_plugins()
    out = []
    interfaces = {}
    for kind in reg.kinds():
        info = reg.kind_info(kind)
        target = info.interface if isinstance(info.interface, str) else None
        try:
            interfaces[kind] = reg.interface(kind)
        except BaseException as exc:
            if _fatal(exc):
                raise
            out.append((f"BROKEN kind {kind!r} from plugin {info.plugin!r}: its interface {target!r} "
                        f"does not import: {type(exc).__name__}: {exc}", ""))
    entries = reg.entries()
    known = set(reg.kinds())
    for entry in entries:
        if entry.kind not in known:
            out.append((f"UNKNOWN KIND {entry.kind!r} used by {entry.name!r} from plugin {entry.plugin!r}", ""))
            continue
        why = _check_target(entry, interfaces.get(entry.kind))
        if why:
            out.append((f"BROKEN {entry.kind} {entry.name!r} from plugin {entry.plugin!r}"
                        f"{_dist(reg, entry.plugin)}: {why}", ""))
    _exercise_built_hooks(reg, entries)
    for err in reg.errors():
        tag = ("CONFLICT plugin" if isinstance(err.exception, NameConflictError) else
               "INCOMPATIBLE plugin" if isinstance(err.exception, IncompatiblePluginError) else "BROKEN plugin")
        out.insert(0, (f"{tag} {err}", err.traceback))
    for kind, name, plugins in reg.conflicts():
        out.append((f"CONFLICT {kind} {name!r} provided by {', '.join(plugins)} "
                    f"(pick with '{plugins[0]}/{name}' or MLCORE_DISABLE_PLUGINS)", ""))
    return out


def _dist(reg: Registry, plugin: str) -> str:
    info = reg._plugins.get(plugin)
    return f" ({info.distribution})" if info is not None and info.distribution else ""


def _check_target(entry: Entry, interface: Any) -> str | None:
    """Why ``entry``'s target is unusable, or None."""
    target = entry.target
    if isinstance(target, str):
        module, _, attr = target.partition(":")
        try:
            obj = importlib.import_module(module)
        except BaseException as exc:
            if _fatal(exc):
                raise
            return f"module {module!r} of target {target!r} does not import: {type(exc).__name__}: {exc}"
        for part in attr.split(".") if attr else ():
            if not hasattr(obj, part):
                return f"target {target!r}: {getattr(obj, '__name__', obj)!r} has no attribute {part!r}"
            obj = getattr(obj, part)
    else:
        obj = target
    if not callable(obj):
        return f"target {entry.target_path!r} is not callable (a {type(obj).__name__})"
    if isinstance(obj, type) and isinstance(interface, type):
        from .interfaces import missing_methods

        missing = missing_methods(obj, interface)   # the interface's _required and abstract methods
        if missing:
            return (f"target {entry.target_path!r} does not implement {interface.__name__}: "
                    f"missing {', '.join(missing)}")
        abstract = sorted(getattr(obj, "__abstractmethods__", ()))
        if abstract:
            return f"target {entry.target_path!r} is abstract: {', '.join(abstract)} not implemented"
    return None


def _exercise_built_hooks(reg: Registry, entries: list[Entry], tries: int = 25) -> None:
    """Build one component (the first that builds without arguments) to run the built hooks."""
    import warnings

    if not reg._hook("mlcore_component_built").get_hookimpls():
        return
    from ._build import build

    for entry in entries[:tries]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a raising hook is recorded; doctor reports it
            try:
                build(f"{entry.plugin}/{entry.primary}", kind=entry.kind, registry=reg)
            except Exception:
                continue
        return
