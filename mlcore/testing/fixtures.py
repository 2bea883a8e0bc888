"""pytest fixtures of mlcore, auto-loaded through the ``pytest11`` entry point.

* ``isolated_registry``: a fresh registry without installed plugins, installed as the
  process registry for the duration of the test (register test components into it
  with ``mlcore.register`` or ``registry.add``).
"""

from __future__ import annotations

import pytest


@pytest.fixture
def isolated_registry():
    from .._registry import Registry, _set_registry

    reg = Registry(autoload=False)
    old = _set_registry(reg)
    try:
        yield reg
    finally:
        _set_registry(old)
