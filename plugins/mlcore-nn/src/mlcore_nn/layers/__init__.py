"""Layers (kind ``layer``): channels last, batch first; ``forward(X)`` / ``backward(dY)``.

Modules: :mod:`.dense`, :mod:`.merge` (add, multiply), :mod:`.reshape` (flatten),
:mod:`.softmax`, :mod:`.embedding`, :mod:`.dropout`, :mod:`.conv` (conv1d, conv2d,
deconv2d), :mod:`.pool`, :mod:`.norm` (batch and layer normalisation),
:mod:`.attention`. Classes are exposed lazily.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Dense": "dense", "Add": "merge", "Multiply": "merge", "Flatten": "reshape", "Softmax": "softmax",
    "Embedding": "embedding", "Dropout": "dropout", "Conv1D": "conv", "Conv2D": "conv", "Deconv2D": "conv",
    "Pool2D": "pool", "BatchNorm1D": "norm", "BatchNorm2D": "norm", "LayerNorm1D": "norm",
    "LayerNorm2D": "norm", "DotProductAttention": "attention",
}
__all__ = ["Add", "BatchNorm1D", "BatchNorm2D", "Conv1D", "Conv2D", "Deconv2D", "Dense", "DotProductAttention",
           "Dropout", "Embedding", "Flatten", "LayerNorm1D", "LayerNorm2D", "Multiply", "Pool2D", "Softmax"]


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
