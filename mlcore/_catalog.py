"""Which first-party distribution provides which (kind, name).

Used only to tell a user which distribution to install when a name is unknown, to let a
first-party plugin keep its entry-point name in a conflict, and by the contract test
that checks each installed family registers the names it promises.

The names are data that the build derives from the plugins, not a list kept by hand:
``mlcore/_catalog_data.py`` is written by ``python -m mlcore._catalog_gen --write`` from the
registrations of the installed first-party families (the distributions under
``plugins/`` of the repository), and ``tests/test_catalog.py`` fails when it is out of
step. Adding a component to a family is one edit (its line in the family's
``plugin.py``) and a regeneration. Nothing here imports a plugin at run time; the data
module is read on first use.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

__all__ = ["providers", "distribution_of_kind", "is_first_party"]


def _data() -> ModuleType:
    from . import _catalog_data

    return _catalog_data


def __getattr__(name: str) -> Any:
    """``FIRST_PARTY`` (``{distribution: {kind: "name name ..."}}``), ``CORE`` (the core's
    distribution) and ``META`` (the one that installs every family), read on first use."""
    if name in ("FIRST_PARTY", "CORE", "META"):
        return getattr(_data(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def providers(name: str, kind: str | None = None) -> list[tuple[str, str]]:
    """First-party ``(distribution, kind)`` pairs that provide ``name``."""
    out = []
    for dist, kinds in _data().FIRST_PARTY.items():
        for k, names in kinds.items():
            if (kind is None or k == kind) and name in names.split():
                out.append((dist, k))
    return out


def distribution_of_kind(kind: str) -> list[str]:
    """First-party distributions that register components of ``kind``."""
    return [dist for dist, kinds in _data().FIRST_PARTY.items() if kind in kinds]


def is_first_party(distribution: str | None) -> bool:
    """Whether ``distribution`` (any spelling: ``Foo_Bar``, ``foo-bar``) is the core, a family or the meta-distribution.

    The core's distribution is ``mlcore-core``: ``mlcore`` on the package index is an
    unrelated project, so a plugin shipped by a distribution called ``mlcore`` is not ours.
    """
    if not distribution:
        return False
    data = _data()
    norm = re.sub(r"[-_.]+", "-", distribution).lower()
    return norm in (data.CORE, data.META) or norm in data.FIRST_PARTY
