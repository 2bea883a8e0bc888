"""mlcore-nn: neural-network building blocks for mlcore.

Registers activations (a new kind ``activation``), initializers, losses, layers and
the ``sequential`` network estimator. Public names are imported lazily, so
``import mlcore_nn`` stays cheap.

>>> import mlcore
>>> net = mlcore.build("sequential(layers=[dense(n_out=64, act_fn=relu), dense(n_out=10)], "
...                    "loss=softmax_cross_entropy, optimizer=adam(lr=1e-3), random_state=0)")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Activation": "activations",
    "Dense": "layers.dense", "Add": "layers.merge", "Multiply": "layers.merge",
    "Flatten": "layers.reshape", "Softmax": "layers.softmax", "Embedding": "layers.embedding",
    "Dropout": "layers.dropout", "Conv1D": "layers.conv", "Conv2D": "layers.conv",
    "Deconv2D": "layers.conv", "Pool2D": "layers.pool", "BatchNorm1D": "layers.norm",
    "BatchNorm2D": "layers.norm", "LayerNorm1D": "layers.norm", "LayerNorm2D": "layers.norm",
    "DotProductAttention": "layers.attention", "Sequential": "sequential",
}
__all__ = ["Activation", "Add", "BatchNorm1D", "BatchNorm2D", "Conv1D", "Conv2D", "Deconv2D", "Dense",
           "DotProductAttention", "Dropout", "Embedding", "Flatten", "LayerNorm1D", "LayerNorm2D", "Multiply",
           "Pool2D", "Sequential", "Softmax", "activations", "functional", "initializers", "layers", "losses"]


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    if name in ("activations", "initializers", "losses", "functional", "layers"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
