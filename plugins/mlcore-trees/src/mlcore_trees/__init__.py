"""mlcore-trees: CART decision trees, random forests and gradient boosting in vectorised NumPy.

Registered estimators: ``decision_tree``, ``random_forest``, ``gbdt``. Public classes are
imported lazily so that ``import mlcore_trees`` stays cheap.
"""

__all__ = ["GBDT", "DecisionTree", "RandomForest"]

_LAZY = {"DecisionTree": "mlcore_trees.tree", "RandomForest": "mlcore_trees.forest",
         "GBDT": "mlcore_trees.gbdt"}


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mlcore_trees' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
