"""The pluggy hook specifications of mlcore.

A plugin is a module (named by an entry point in the group ``mlcore.plugins``) that
holds functions marked with :data:`mlcore.hookimpl`. mlcore calls hooks with keyword
arguments only, so an implementation may accept any subset of the arguments listed
here, and new arguments can be added later without breaking plugins.

First-party families register through exactly these hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ._registry import Registry
    from ._spec import Spec

__all__ = ["hookspec", "hookimpl", "mlcore_register", "mlcore_component_built", "mlcore_demos", "ENTRY_POINT_GROUP"]

PROJECT = "mlcore"
#: The entry-point group that names plugin modules (the one definition; part of the plugin API).
ENTRY_POINT_GROUP = "mlcore.plugins"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def mlcore_register(registry: Registry) -> None:
    """Register a plugin's component kinds and components.

    Called once per plugin when the registry first loads. Register components as
    lazy ``"module:attr"`` strings so that listing names imports nothing heavy.

    Parameters
    ----------
    registry : mlcore.Registry
        Call ``registry.add(kind, name, target, aliases=())`` for each component and
        ``registry.add_kind(kind, interface)`` for each new kind.

    Example
    -------
    ::

        from mlcore import hookimpl

        @hookimpl
        def mlcore_register(registry):
            registry.add_kind("activation", "mlcore_acme.activations:Activation")
            registry.add("activation", "relu", "mlcore_acme.activations:ReLU")
            registry.add("optimizer", "lion", "mlcore_contrib_lion.lion:Lion")
    """


@hookspec
def mlcore_component_built(component: Any, spec: Spec, kind: str, name: str) -> None:
    """Act on every component built from a spec (nested components included).

    Called after the component's constructor returned, innermost first. Use it for
    experiment tracking or logging; the return value is ignored. An implementation
    that raises never fails the build: it is disabled for the rest of the process,
    with one ``RuntimeWarning``, and recorded in ``mlcore.registry().errors()`` (and
    ``mlcore doctor``). Hook wrappers are not called for this hook.

    Parameters
    ----------
    component : object
        The new component.
    spec : mlcore.Spec
        The spec it was built from, as written (positional arguments not yet bound).
    kind : str
        Its kind (``"optimizer"``, ``"layer"``, ...).
    name : str
        Its registered name (aliases resolved).

    Example
    -------
    ::

        @hookimpl
        def mlcore_component_built(component, spec):
            print("built", spec)
    """


@hookspec
def mlcore_demos() -> list[tuple[str, str]]:
    """Return this plugin's parts of ``mlcore demo``.

    Returns
    -------
    list of (title, target)
        ``target`` is a ``"module:function"`` string; the function takes no
        arguments, prints its results, and returns nothing. Keep each part short
        (seconds) so ``mlcore demo`` stays quick.

    Example
    -------
    ::

        @hookimpl
        def mlcore_demos():
            return [("optimizers on a quadratic", "mlcore_acme._demo:run")]
    """
    raise NotImplementedError  # a specification: the plugins implement it
