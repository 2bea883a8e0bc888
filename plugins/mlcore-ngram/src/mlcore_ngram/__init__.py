"""mlcore-ngram: word n-gram language models with MLE, additive and simple Good-Turing smoothing.

Public names are imported lazily so that ``import mlcore_ngram`` stays cheap.
"""

__all__ = [
    "AdditiveNGram",
    "GoodTuringNGram",
    "MLENGram",
    "NGramModel",
    "simple_good_turing",
    "tokenize",
]

_WHERE = {
    "NGramModel": "base",
    "MLENGram": "mle",
    "AdditiveNGram": "additive",
    "GoodTuringNGram": "good_turing",
    "simple_good_turing": "good_turing",
    "tokenize": "_text",
}


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'mlcore_ngram' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
