"""Shared machinery of the word n-gram language models: training, scoring, generation.

Subclasses only say how a conditional probability is computed from the counts
(:meth:`NGramModel._log_cond`).
"""

from __future__ import annotations

import numbers
import os
from itertools import chain

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_is_fitted, check_random_state, check_scalar

from . import _counts, _text

__all__ = ["NGramModel"]

_FIT_EXAMPLE = [
    "the cat sat on the mat", "the dog sat on the log", "a cat saw the dog",
    "the dog saw a cat", "the cat ate", "a dog ate the food", "the cat sat",
]


class NGramModel(Estimator):
    """Base of the word n-gram language models (not registered; use a subclass).

    Conventions (shared by :class:`MLENGram`, :class:`AdditiveNGram`,
    :class:`GoodTuringNGram`)
    ---------------------------------------------------------------------------
    * **Padding.** Each sentence ``w_1 .. w_k`` is padded as
      ``<s>^(n-1) w_1 .. w_k </s>`` (``n - 1`` begin symbols, one end symbol).
    * **Counts.** Every m-gram of order m = 1..n inside a padded sentence is counted
      ("everygrams", as ``nltk.lm`` counts the output of ``everygrams``), so lower
      orders include the padding symbols.
    * **Vocabulary.** ``<unk>`` (always, id 0), ``</s>``, ``<s>`` (if n > 1), then the
      words seen at least ``min_count`` times. Rarer words, and unknown words when
      scoring, become ``<unk>``. Conditional probabilities are distributions over
      this whole vocabulary (``V = len(vocab_)``, as ``len(nltk.lm.Vocabulary)``).
    * **Conditional probability** of ``w`` after context ``h`` (``|h| = m - 1 < n``)
      uses the order-m counts: ``c(h, w)`` and the context total
      ``c(h, .) = sum_v c(h, v)`` (the number of m-grams starting with ``h``).
      Contexts longer than ``n - 1`` keep their last ``n - 1`` tokens.
    * **Logs are natural** (nats). ``nltk.lm``'s ``logscore`` is base 2:
      ``log_prob_ngram(h, w) == lm.logscore(w, h) * ln 2``; note the argument order.
    * **Sentence score.** ``log_prob(s) = sum_{i=1}^{k+1} log P(t_i | t_{i-n+1} .. t_{i-1})``
      over the words and the end symbol ``t_{k+1} = </s>`` of the padded sentence (the
      begin symbols are given, never predicted). ``cross_entropy`` divides minus the total
      by the number of predicted tokens (nats per token); ``perplexity = exp(cross_entropy)``,
      which equals ``nltk``'s ``perplexity`` (``2 ** entropy``, base-2 entropy) on the same
      n-grams. ``score(X)`` is the total log probability of the sentences (like
      scikit-learn density estimators), ``score_samples(X)`` the per-sentence values.
    """

    _estimator_type = "density_estimator"
    #: input: sentences, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True}
    # Hyperparameters every subclass's constructor sets.
    tokenizer: str
    lowercase: bool

    # -- hyperparameters ------------------------------------------------------------------
    def _store_common(self, n, min_count, tokenizer, lowercase, bos, eos, unk):
        """Store (verbatim) the hyperparameters every n-gram model has (checked by
        ``_check_params`` at build and fit)."""
        self.n = n
        self.min_count = min_count
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.bos = bos
        self.eos = eos
        self.unk = unk

    def _check_params(self):
        self._check_common()

    def _check_common(self):
        check_scalar(self.n, "n", numbers.Integral, low=1, high=20)
        check_scalar(self.min_count, "min_count", numbers.Integral, low=1)
        check_scalar(self.lowercase, "lowercase", bool)
        from mlcore.errors import ComponentArgumentError

        if not isinstance(self.tokenizer, str) or not self.tokenizer:
            raise ComponentArgumentError(
                f"tokenizer must be the name of a built-in tokenizer ({', '.join(_text.BUILTIN_TOKENIZERS)}) "
                f"or a spec string, got {self.tokenizer!r}")
        for name in ("bos", "eos", "unk"):
            v = getattr(self, name)
            if not isinstance(v, str) or not v:
                raise ComponentArgumentError(f"{name} must be a non-empty str, got {v!r}")
        if len({self.bos, self.eos, self.unk}) != 3:
            raise ComponentArgumentError(f"bos, eos and unk must differ, got {self.bos!r}, {self.eos!r}, {self.unk!r}")

    # -- training -------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Count the n-grams of the sentences ``X``.

        Parameters
        ----------
        X : iterable of str or of sequences of str
            Sentences: strings are split by ``tokenizer``; token lists are used as given.
        y : ignored

        Returns
        -------
        self
        """
        self._check_common()
        sents = _text.as_token_lists(X, self.tokenizer, self.lowercase)
        if not sents:
            raise ValueError("X is empty: fit needs at least one sentence")
        specials = [self.unk, self.eos] + ([self.bos] if self.n > 1 else [])
        vocab, ids, codes = _text.build_vocabulary(sents, specials, self.min_count)
        lengths = np.fromiter(map(len, sents), np.int64, count=len(sents))
        stream, ends = _text.pad_stream(ids, lengths, self.n, 2 if self.n > 1 else 1, 1)
        V = len(vocab)
        keys, counts = _counts.count_everygrams(stream, ends, self.n, V)
        self.vocab_ = np.array(vocab, dtype=str)
        self.ngram_keys_ = keys
        self.ngram_counts_ = counts
        self.context_totals_ = [
            _counts.context_sums(k, c, V, 1 if m == 0 else len(keys[m - 1])).astype(np.int64)
            for m, (k, c) in enumerate(zip(keys, counts))]
        self.n_sentences_ = len(sents)
        self.n_words_ = int(lengths.sum())
        self._word_ids = codes
        self._fit_smoothing()
        return self

    def fit_files(self, paths, encoding: str = "utf-8"):
        """Fit on text files, one sentence per non-empty line.

        Parameters
        ----------
        paths : str, os.PathLike or list of them
        encoding : str
            Text encoding of the files.

        Returns
        -------
        self
        """
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        lines: list[str] = []
        for path in paths:
            with open(path, encoding=encoding) as fh:
                lines.extend(s for s in (line.strip() for line in fh) if s)
        if not lines:
            raise ValueError(f"no non-empty line in {[os.fspath(p) for p in paths]}")
        return self.fit(lines)

    def _fit_smoothing(self):
        """Hook for subclasses: derive smoothing tables from the counts."""

    def set_state(self, state: dict) -> None:
        super().set_state(state)
        self._word_ids = None

    # -- coding helpers -------------------------------------------------------------------
    @property
    def _order(self) -> int:
        """The order the tables were fitted with (``n`` may have been changed since)."""
        return len(self.ngram_keys_)

    @property
    def _bos_id(self) -> int:
        return 2 if self._order > 1 else 1   # order 1 has no begin symbol (no context to pad)

    def _ids(self) -> dict:
        if getattr(self, "_word_ids", None) is None:
            self._word_ids = _text._Codes((w, i) for i, w in enumerate(self.vocab_.tolist()))
        return self._word_ids

    def _encode(self, X, name="X"):
        check_is_fitted(self, "vocab_")
        sents = _text.as_token_lists(X, self.tokenizer, self.lowercase, name)
        lengths = np.fromiter(map(len, sents), np.int64, count=len(sents))
        _text._check_tokens(set(chain.from_iterable(sents)))   # also rejects unhashable tokens
        return _text.encode(sents, self._ids()), lengths

    def _context_ids(self, context) -> np.ndarray:
        if context is None:
            return np.zeros(0, dtype=np.int64)
        if isinstance(context, str):
            context = [context] if context in self._ids() else self._tokens(context)
        ids, _ = self._encode([list(context)], "context")
        return ids[len(ids) - min(len(ids), self._order - 1):]

    def _tokens(self, text: str) -> list:
        return _text.as_token_lists([text], self.tokenizer, self.lowercase)[0]

    def _word_id(self, word) -> int:
        if not isinstance(word, str):
            raise TypeError(f"word must be a str token, got {type(word).__name__}")
        if self.lowercase:
            word = word.lower()
        return self._ids().get(word, 0)

    # -- scoring --------------------------------------------------------------------------
    def _log_cond(self, ctx: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Natural-log P(w | ctx) for ctx of shape (q, m - 1) and w of shape (q,)."""
        raise NotImplementedError  # abstract

    def _context_stats(self, ctx: np.ndarray):
        """Order m, context rows (-1 if unseen) and context totals c(h, .) for ``ctx``."""
        m = ctx.shape[1] + 1
        row = _counts.lookup(self.ngram_keys_, len(self.vocab_), ctx)
        totals = self.context_totals_[m - 1]
        total = np.where(row >= 0, totals[np.maximum(row, 0)], 0)
        return m, row, total

    def _gram_counts(self, m: int, row: np.ndarray, w: np.ndarray) -> np.ndarray:
        gi = _counts.gram_index(self.ngram_keys_[m - 1], len(self.vocab_), row, w)
        return np.where(gi >= 0, self.ngram_counts_[m - 1][np.maximum(gi, 0)], 0)

    def log_prob_ngram(self, context, word) -> float:
        """Natural-log conditional probability ``log P(word | context)``.

        Parameters
        ----------
        context : sequence of str, str or None
            Preceding tokens (a string is tokenised unless it is itself a vocabulary
            token); only the last ``n - 1`` are used. ``None`` or ``()``: unigram.
        word : str

        Returns
        -------
        float
            ``-inf`` when the model gives probability 0 (MLE on unseen events).
        """
        check_is_fitted(self, "vocab_")
        ctx = self._context_ids(context)
        w = np.array([self._word_id(word)])
        return float(self._log_cond(ctx[None, :], w)[0])

    def _sentence_terms(self, X):
        """Log probability of every predicted token (words and ``</s>``) and sentence lengths."""
        ids, lengths = self._encode(X)
        stream, ends = _text.pad_stream(ids, lengths, self._order, self._bos_id, 1)
        pad = self._order - 1
        is_target = np.ones(len(stream), dtype=bool)
        if pad:   # the begin symbols are context only
            is_target[(ends - lengths - 1 - pad)[:, None] + np.arange(pad)] = False
        tgt = np.flatnonzero(is_target)
        ctx = stream[tgt[:, None] + np.arange(-pad, 0)[None, :]]
        return self._log_cond(ctx, stream[tgt]), lengths

    def token_log_probs(self, X) -> np.ndarray:
        """Natural-log probability of every predicted token (each sentence's words, then
        its ``</s>``), sentences in order; shape (n_words + n_sentences,)."""
        return self._sentence_terms(X)[0]

    def score_samples(self, X) -> np.ndarray:
        """Natural-log probability of each sentence, shape (n_sentences,)."""
        logp, lengths = self._sentence_terms(X)
        out = np.zeros(len(lengths))
        np.add.at(out, np.repeat(np.arange(len(lengths)), lengths + 1), logp)   # -inf propagates
        return out

    def log_prob(self, sentence) -> float:
        """Natural-log probability of one sentence (str or token list), end symbol included."""
        return float(self.score_samples([sentence])[0])

    def score(self, X, y=None) -> float:
        """Total natural-log probability of the sentences ``X``."""
        return float(self._sentence_terms(X)[0].sum())

    def cross_entropy(self, X) -> float:
        """Minus the mean natural-log probability per predicted token (words and ``</s>``)."""
        logp, _ = self._sentence_terms(X)
        if len(logp) == 0:
            raise ValueError("X has no sentence to score")
        return float(-logp.mean())

    def perplexity(self, X) -> float:
        """``exp(cross_entropy(X))``; ``inf`` if a token has probability 0."""
        return float(np.exp(self.cross_entropy(X)))

    def _next_log_probs(self, ctx_ids: np.ndarray) -> np.ndarray:
        """log P(v | ctx) for every vocabulary item v, shape (V,)."""
        V = len(self.vocab_)
        return self._log_cond(np.broadcast_to(ctx_ids, (V, len(ctx_ids))), np.arange(V))

    def completions(self, context, k: int = 5) -> list:
        """The ``k`` most probable next tokens after ``context``.

        Parameters
        ----------
        context : sequence of str or str
            As in :meth:`log_prob_ngram`; to condition on a sentence start include the
            begin symbols, e.g. ``["<s>", "<s>"]`` for a trigram model.
        k : int

        Returns
        -------
        list of (str, float)
            ``(token, natural-log probability)``, most probable first (ties by vocabulary
            order); tokens of probability 0 are left out.
        """
        check_is_fitted(self, "vocab_")
        k = check_scalar(k, "k", numbers.Integral, low=1)
        logp = self._next_log_probs(self._context_ids(context))
        order = np.argsort(-logp, kind="stable")[:k]
        return [(str(self.vocab_[i]), float(logp[i])) for i in order if np.isfinite(logp[i])]

    def generate(self, n_sentences: int = 1, random_state=None, max_len: int = 100) -> list:
        """Sample sentences from the model.

        Each sentence starts from ``n - 1`` begin symbols and draws tokens from
        ``P(. | last n - 1 tokens)`` until ``</s>`` or ``max_len`` tokens. The begin
        symbol itself is never drawn (its probability, non-zero under smoothing, is
        removed and the rest renormalised).

        Parameters
        ----------
        n_sentences : int
        random_state : int, numpy.random.Generator or None
        max_len : int

        Returns
        -------
        list of list of str
            Tokens without the padding symbols (``<unk>`` may appear).
        """
        check_is_fitted(self, "vocab_")
        check_scalar(n_sentences, "n_sentences", numbers.Integral, low=0)
        check_scalar(max_len, "max_len", numbers.Integral, low=1)
        rng = check_random_state(random_state)
        vocab = self.vocab_.tolist()
        n = self._order
        out = []
        for _ in range(n_sentences):
            hist = [self._bos_id] * (n - 1)
            words: list[str] = []
            while len(words) < max_len:   # sequential sampling: each draw needs the previous one
                p = np.exp(self._next_log_probs(np.array(hist[len(hist) - (n - 1):], dtype=np.int64)))
                if n > 1:
                    p[self._bos_id] = 0.0
                cdf = np.cumsum(p)
                if not cdf[-1] > 0:
                    break
                nxt = int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))
                nxt = min(nxt, len(p) - 1)
                if nxt == 1:   # </s>
                    break
                words.append(vocab[nxt])
                hist.append(nxt)
            out.append(words)
        return out

    @classmethod
    def conformance_example(cls):
        return {"spec": f"{cls._registered_name}(n=2)", "fit": (list(_FIT_EXAMPLE),)}
