"""mlcore-lda: latent Dirichlet allocation by variational EM and by collapsed Gibbs sampling.

Public names are imported lazily so that ``import mlcore_lda`` stays cheap.
"""

__all__ = ["LDA", "SmoothedLDA"]

_WHERE = {"LDA": "lda", "SmoothedLDA": "smoothed_lda"}


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'mlcore_lda' has no attribute {name!r}")
