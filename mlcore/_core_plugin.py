"""The core's own registration: the component kinds every family builds on.

It uses the same hook as any plugin; the core registers kinds only, never components.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from ._registry import Registry

CORE_KINDS = {
    "layer": "mlcore.interfaces:Layer",
    "optimizer": "mlcore.interfaces:Optimizer",
    "scheduler": "mlcore.interfaces:Scheduler",
    "initializer": "mlcore.interfaces:Initializer",
    "loss": "mlcore.interfaces:Loss",
    "agent": "mlcore.interfaces:Agent",
    "kernel": "mlcore.interfaces:Kernel",
    "estimator": "mlcore.interfaces:Estimator",
    "env": "mlcore.interfaces:Env",
}


@hookimpl
def mlcore_register(registry: Registry) -> None:
    for kind, interface in CORE_KINDS.items():
        registry.add_kind(kind, interface)
