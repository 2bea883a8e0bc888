"""Record every component mlcore builds, with its spec (opt-in).

Switch on with :func:`enable` or the environment variable ``MLCORE_TRACE`` (a JSON-lines
path, or ``1`` for memory only). The hook implementation lives in :mod:`.plugin`.
"""

from ._state import clear, disable, enable, enabled, records

__all__ = ["enable", "disable", "enabled", "records", "clear"]
