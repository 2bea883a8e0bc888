"""mlcore-nonparametric: k-nearest neighbours, Nadaraya-Watson kernel regression, Gaussian processes.

Public names are imported lazily: :class:`KNN` (``knn``), :class:`KNNRegressor`
(``knn_regressor``), :class:`KernelRegression` (``kernel_regression``) and
:class:`GPRegression` (``gp_regression``).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {"KNN": "knn", "KNNRegressor": "knn", "KernelRegression": "kernel_regression",
         "GPRegression": "gp_regression"}

__all__ = list(_LAZY)


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
