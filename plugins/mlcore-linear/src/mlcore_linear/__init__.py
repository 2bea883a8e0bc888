"""mlcore-linear: linear models for mlcore.

Estimators (registered kind ``estimator``): ``linear_regression``, ``ridge``,
``logistic_regression``, ``bayesian_linear_regression``, ``glm``, ``gaussian_nb``.
Public classes are imported lazily, so ``import mlcore_linear`` stays cheap.

>>> import mlcore
>>> model = mlcore.build("ridge(alpha=0.5)")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__all__ = [
    "GLM",
    "BayesianLinearRegression",
    "ConvergenceWarning",
    "GaussianNB",
    "LinearRegression",
    "LogisticRegression",
    "Ridge",
]

_WHERE = {
    "LinearRegression": "linear_regression",
    "Ridge": "ridge",
    "LogisticRegression": "logistic",
    "BayesianLinearRegression": "bayesian",
    "GLM": "glm",
    "GaussianNB": "naive_bayes",
    "ConvergenceWarning": "_logloss",
}


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
