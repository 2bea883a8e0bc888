"""Record every component mlcore builds, with its spec (opt-in).

Switch on with :func:`enable` or the environment variable ``MLCORE_TRACE`` (a JSON-lines
path, or ``1`` for memory only). The hook implementation lives in :mod:`.plugin`.
"""

__all__ = ["enable", "disable", "enabled", "records", "clear"]


def __getattr__(name):
    if name in __all__:
        from . import _state

        return getattr(_state, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
