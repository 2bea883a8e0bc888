"""mlcore-hmm: discrete hidden Markov models (forward-backward, Viterbi, Baum-Welch).

Public names are imported lazily so that ``import mlcore_hmm`` stays cheap.
"""

__all__ = ["MultinomialHMM"]


def __getattr__(name):
    if name == "MultinomialHMM":
        from .hmm import MultinomialHMM

        return MultinomialHMM
    raise AttributeError(f"module 'mlcore_hmm' has no attribute {name!r}")
