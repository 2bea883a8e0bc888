"""mlcore-optim: optimizers and learning-rate schedulers for mlcore.

Build them from specs (``mlcore.build("adam(lr=1e-3)")``); the classes are also
importable from here. Importing this package imports no component module: each
public name is loaded on first access.
"""

from __future__ import annotations

import importlib

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "ConstantScheduler",
    "CosineScheduler",
    "ExponentialScheduler",
    "KingScheduler",
    "NoamScheduler",
    "RMSprop",
]

_MODULES = {
    "SGD": "sgd", "Adagrad": "adagrad", "RMSprop": "rmsprop", "Adam": "adam", "AdamW": "adam",
    "ConstantScheduler": "schedulers", "ExponentialScheduler": "schedulers", "NoamScheduler": "schedulers",
    "CosineScheduler": "schedulers", "KingScheduler": "king",
}


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name: str):
    if name in _MODULES:
        return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
