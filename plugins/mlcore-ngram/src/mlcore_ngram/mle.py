"""Unsmoothed (maximum-likelihood) word n-gram language model."""

from __future__ import annotations

import numpy as np

from .base import NGramModel

__all__ = ["MLENGram"]


class MLENGram(NGramModel):
    """Maximum-likelihood n-gram language model (no smoothing).

    Parameters
    ----------
    n : int, default 3
        Order of the model (1 = unigram).
    min_count : int, default 1
        Words seen fewer times in training become ``unk``.
    tokenizer : str, default "whitespace"
        Built-in tokenizer for string sentences (``"whitespace"``, ``"word"``, ``"char"``)
        or an mlcore spec of a tokenizer component (built at fit time).
    lowercase : bool, default False
        Lower-case all tokens.
    bos, eos, unk : str, default "<s>", "</s>", "<unk>"
        Begin, end and unknown symbols.

    Attributes
    ----------
    vocab_ : ndarray of str, shape (V,)
        ``unk``, ``eos``, ``bos`` (if n > 1), then the words by decreasing count.
    ngram_keys_ : list of n int64 arrays
        Sorted keys of the distinct m-grams of order m = 1..n (index m - 1):
        ``key = row of the (m-1)-gram prefix * V + last token id``.
    ngram_counts_ : list of n int64 arrays
        Their counts.
    context_totals_ : list of n int64 arrays
        ``c(h, .)`` for each row ``h`` of the order-(m-1) table (index m - 1; a single
        entry, the number of tokens, for m = 1).
    n_sentences_, n_words_ : int
        Training sentences and words (padding excluded).

    Notes
    -----
    For context ``h`` of length m - 1 (at most n - 1; see :class:`NGramModel` for the
    padding, vocabulary and log conventions)

    .. math:: P(w \\mid h) = \\frac{c(h, w)}{c(h, \\cdot)},
              \\qquad c(h, \\cdot) = \\sum_v c(h, v),

    and 0 (log ``-inf``) if ``c(h, w) = 0`` or the context was never followed by a token,
    as ``nltk.lm.MLE`` (whose ``FreqDist.freq`` is 0 for an empty distribution).

    References
    ----------
    Jurafsky, D. and Martin, J. H. *Speech and Language Processing*, 3rd ed. draft,
    ch. 3 "N-gram Language Models".

    Example
    -------
    >>> import mlcore
    >>> import numpy as np
    >>> lm = mlcore.build("mle_ngram(n=2)").fit(["the cat sat", "the dog sat"])
    >>> round(float(np.exp(lm.log_prob_ngram(["the"], "cat"))), 3)
    0.5
    """

    _registered_name = "mle_ngram"

    def __init__(self, n: int = 3, min_count: int = 1, tokenizer: str = "whitespace",
                 lowercase: bool = False, bos: str = "<s>", eos: str = "</s>", unk: str = "<unk>"):
        self._store_common(n, min_count, tokenizer, lowercase, bos, eos, unk)

    def _log_cond(self, ctx, w):
        m, row, total = self._context_stats(ctx)
        c = self._gram_counts(m, row, w)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(c) - np.log(total)
        return np.where(c > 0, out, -np.inf)
