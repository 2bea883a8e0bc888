"""Versions: the core's release, its plugin API, and whether a plugin is compatible with it.

The plugin API version ``(major, minor)`` changes independently of the release: the
minor number grows when the core adds to what plugins may use (a kind, a hook, a
registry method), the major number when something a plugin may use changes or goes.
A plugin states the range it is written for in its registration module, as a
specifier over that version::

    MLCORE_PLUGIN_API = ">=1,<2"

and in its dependency on the core distribution (``mlcore-core>=0.2,<0.3``). A plugin
whose range excludes this core's API is reported by ``mlcore plugins`` and ``mlcore
doctor`` and not loaded; a plugin that states no range is loaded as before.
"""

from __future__ import annotations

import re

from .errors import PluginLoadError

__all__ = ["__version__", "DISTRIBUTION", "PLUGIN_API", "IncompatiblePluginError", "api_supported",
           "check_plugin_api"]

#: The core's release (the version of the distribution :data:`DISTRIBUTION`).
__version__ = "0.2.0"
#: The name of the core's distribution on the package index (the import name is ``mlcore``).
DISTRIBUTION = "mlcore-core"
#: The plugin API this core provides, ``(major, minor)``.
PLUGIN_API: tuple[int, int] = (1, 0)

_CLAUSE = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(\d+(?:\.\d+)?)\s*")


class IncompatiblePluginError(PluginLoadError):
    """A plugin states a plugin-API range that excludes this core's :data:`PLUGIN_API`."""


def _parse(spec: str) -> list[tuple[str, tuple[int, int]]]:
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"MLCORE_PLUGIN_API must be a non-empty string like '>=1,<2'; got {spec!r}")
    out = []
    for clause in spec.split(","):
        m = _CLAUSE.fullmatch(clause)
        if m is None:
            raise ValueError(f"MLCORE_PLUGIN_API {spec!r}: cannot read {clause.strip()!r} "
                             "(use clauses like '>=1', '<2', '==1.0' separated by commas)")
        major, _, minor = m.group(2).partition(".")
        out.append((m.group(1), (int(major), int(minor or 0))))
    return out


def api_supported(spec: str, api: tuple[int, int] = PLUGIN_API) -> bool:
    """Whether the plugin-API range ``spec`` (e.g. ``">=1,<2"``) includes ``api``.

    A version written without a minor number means ``.0``: ``"<2"`` excludes 2.0 and
    later, ``">=1"`` includes 1.0.

    Examples
    --------
    >>> api_supported(">=1,<2", (1, 3))
    True
    >>> api_supported(">=1.1,<2", (1, 0))
    False
    >>> api_supported("==1", (1, 0))
    True
    """
    ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
           "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
    return all(ops[op](tuple(api), version) for op, version in _parse(spec))


def check_plugin_api(plugin: object, name: str) -> None:
    """Raise :class:`IncompatiblePluginError` if ``plugin`` (its registration module) excludes this core.

    A plugin without ``MLCORE_PLUGIN_API`` is accepted; a malformed one is an error
    naming the plugin.
    """
    spec = getattr(plugin, "MLCORE_PLUGIN_API", None)
    if spec is None:
        return
    try:
        ok = api_supported(spec)
    except ValueError as exc:
        raise IncompatiblePluginError(f"plugin {name!r}: {exc}") from None
    if not ok:
        have = ".".join(map(str, PLUGIN_API))
        raise IncompatiblePluginError(
            f"plugin {name!r} is written for mlcore plugin API {spec}, but this core ({DISTRIBUTION} "
            f"{__version__}) provides plugin API {have}: not loaded; install a release of the plugin "
            f"made for this core, or a core it supports")
