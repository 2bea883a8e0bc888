"""mlcore-hmm: discrete hidden Markov models (forward-backward, Viterbi, Baum-Welch).

Public names are imported lazily so that ``import mlcore_hmm`` stays cheap.
"""

__all__ = ["MultinomialHMM"]


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name == "MultinomialHMM":
        from .hmm import MultinomialHMM

        return MultinomialHMM
    raise AttributeError(f"module 'mlcore_hmm' has no attribute {name!r}")
