"""mlcore-factorization: regularised alternating least squares and fast-HALS NMF.

Public names are imported lazily so that ``import mlcore_factorization`` stays cheap.
"""

__all__ = ["ALS", "NMF"]

_WHERE = {"ALS": "als", "NMF": "nmf"}


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'mlcore_factorization' has no attribute {name!r}")
