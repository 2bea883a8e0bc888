"""Additive (Lidstone / Laplace) smoothed word n-gram language model."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.validation import check_scalar

from .base import NGramModel

__all__ = ["AdditiveNGram"]


class AdditiveNGram(NGramModel):
    """Additive-smoothing n-gram language model (Lidstone; Laplace for ``k = 1``).

    Parameters
    ----------
    n : int, default 3
        Order of the model.
    k : float, default 1.0
        Pseudo-count added to every vocabulary item in every context (``k > 0``).
    min_count, tokenizer, lowercase, bos, eos, unk
        As in :class:`MLENGram`.

    Attributes
    ----------
    vocab_, ngram_keys_, ngram_counts_, context_totals_, n_sentences_, n_words_
        As in :class:`MLENGram`.

    Notes
    -----
    .. math:: P(w \\mid h) = \\frac{c(h, w) + k}{c(h, \\cdot) + k V}

    with ``V = len(vocab_)`` (``<unk>``, ``</s>`` and ``<s>`` included), which sums to 1
    over the vocabulary for every context, seen or not (an unseen context gives the
    uniform ``1 / V``). Identical to ``nltk.lm.Lidstone(k)`` / ``nltk.lm.Laplace`` on the
    same padded data and vocabulary (``len(nltk vocab)`` also counts ``<UNK>`` and the
    padding symbols).

    References
    ----------
    Lidstone, G. J. (1920). Note on the general case of the Bayes-Laplace formula for
    inductive or a posteriori probabilities. *Transactions of the Faculty of Actuaries* 8.
    Chen, S. F. and Goodman, J. (1999). An empirical study of smoothing techniques for
    language modeling. *Computer Speech & Language* 13(4).

    Example
    -------
    >>> import mlcore
    >>> import numpy as np
    >>> lm = mlcore.build("additive_ngram(n=2, k=1.0)").fit(["the cat sat", "the dog sat"])
    >>> len(lm.vocab_), round(float(np.exp(lm.log_prob_ngram(["the"], "cat"))), 4)
    (7, 0.2222)
    """

    _registered_name = "additive_ngram"

    def __init__(self, n: int = 3, k: float = 1.0, min_count: int = 1, tokenizer: str = "whitespace",
                 lowercase: bool = False, bos: str = "<s>", eos: str = "</s>", unk: str = "<unk>"):
        self.k = k
        self._store_common(n, min_count, tokenizer, lowercase, bos, eos, unk)

    def _check_params(self):
        super()._check_params()
        check_scalar(self.k, "k", numbers.Real, low=0, low_inclusive=False)

    def _log_cond(self, ctx, w):
        m, row, total = self._context_stats(ctx)
        c = self._gram_counts(m, row, w)
        return np.log(c + self.k) - np.log(total + self.k * len(self.vocab_))
