"""A counted vocabulary with special tokens, frequency cut-offs and index mapping."""

from __future__ import annotations

from collections import Counter

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_choice, check_is_fitted, check_scalar

from .tokenizers import TOKENIZERS, read_documents

__all__ = ["Vocabulary"]


def _check_text_options(obj):
    check_scalar(obj.lowercase, "lowercase", bool)
    check_scalar(obj.filter_stopwords, "filter_stopwords", bool)
    check_scalar(obj.filter_punctuation, "filter_punctuation", bool)
    check_choice(obj.tokenizer, "tokenizer", tuple(TOKENIZERS))
    check_choice(obj.input_type, "input_type", ("strings", "files"))
    check_scalar(obj.encoding, "encoding", str)


def _analyzer(obj):
    """A function ``str -> list of str`` applying the estimator's tokenizer options."""
    tok = TOKENIZERS[obj.tokenizer]
    opts = {"lowercase": obj.lowercase, "filter_stopwords": obj.filter_stopwords,
            "filter_punctuation": obj.filter_punctuation}
    if obj.tokenizer == "bytes":
        return lambda line: [str(b) for b in tok(line, **opts)]
    return lambda line: tok(line, **opts)


class Vocabulary(Estimator):
    """Token counts of a corpus, with ``<bol>``/``<eol>``/``<unk>`` tokens and index mapping.

    Parameters
    ----------
    lowercase, filter_stopwords, filter_punctuation : bool
        Tokenizer options (see :mod:`mlcore_preprocessing.tokenizers`).
    tokenizer : {"words", "whitespace", "characters", "bytes"}
    min_count : int
        Words seen fewer times are replaced by ``unk_token``.
    max_tokens : int or None
        Keep only the ``max_tokens`` most frequent words (ties: alphabetical order); the
        special tokens are kept in addition.
    bol_token, eol_token : str or None
        Added around every line (None: not used).
    unk_token : str or None
        Receives the counts of every dropped word and stands for unknown words in
        :meth:`transform` (None: unknown words are dropped).
    input_type : {"strings", "files"}
        ``fit`` receives document strings or file paths.
    encoding : str
        Encoding of the files.

    Attributes
    ----------
    tokens_ : ndarray of str, shape (V,)
        Special tokens first, then words by decreasing count (ties alphabetical).
    counts_ : ndarray of int64, shape (V,)
        Count of each token; the counts of words dropped by ``min_count`` or
        ``max_tokens`` are added to ``unk_token``.

    Notes
    -----
    Tokens are stored as a NumPy string array (saved without pickle), which cannot hold
    trailing NUL characters; only the ``whitespace`` tokenizer could produce such tokens.

    Example
    -------
    >>> v = Vocabulary(filter_stopwords=False).fit(["the cat sat", "the dog"])
    >>> v["the"], int(v.counts_[v["the"]]), len(v)
    (3, 2, 7)
    """

    _estimator_type = "transformer"
    #: input: documents, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True}

    def __init__(self, lowercase: bool = True, min_count: int = 1, max_tokens: int | None = None,
                 filter_stopwords: bool = True, filter_punctuation: bool = True, tokenizer: str = "words",
                 bol_token: str | None = "<bol>", eol_token: str | None = "<eol>",
                 unk_token: str | None = "<unk>", input_type: str = "strings", encoding: str = "utf-8"):
        self.lowercase = lowercase
        self.min_count = min_count
        self.max_tokens = max_tokens
        self.filter_stopwords = filter_stopwords
        self.filter_punctuation = filter_punctuation
        self.tokenizer = tokenizer
        self.bol_token = bol_token
        self.eol_token = eol_token
        self.unk_token = unk_token
        self.input_type = input_type
        self.encoding = encoding

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        _check_text_options(self)
        check_scalar(self.min_count, "min_count", int, low=1)
        check_scalar(self.max_tokens, "max_tokens", int, low=1, allow_none=True)
        specials = [t for t in (self.bol_token, self.eol_token, self.unk_token) if t is not None]
        for t in (self.bol_token, self.eol_token, self.unk_token):
            check_scalar(t, "special token", str, allow_none=True)
        if len(set(specials)) != len(specials):
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"special tokens must differ, got {specials!r}")

    # ------------------------------------------------------------------ fitting
    def _specials(self):
        return [t for t in (self.bol_token, self.eol_token, self.unk_token) if t is not None]

    def _lines(self, corpus):
        docs = read_documents(corpus, self.input_type, self.encoding)
        analyze = _analyzer(self)
        return [[analyze(line) for line in doc.splitlines()] for doc in docs]

    def fit(self, X, y=None):
        """Count the tokens of the documents ``X`` (strings or paths); returns self."""
        docs = self._lines(X)
        n_lines = sum(len(d) for d in docs)
        counts = Counter()
        for doc in docs:  # Counter.update runs in C over each line's token list
            for line in doc:
                counts.update(line)
        specials = self._specials()
        for t in specials:
            counts.pop(t, None)
        if not counts:
            raise ValueError("the corpus has no tokens; check the documents and the tokenizer options")
        words = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        keep = [(w, c) for w, c in words if c >= self.min_count]
        if self.max_tokens is not None:
            keep = keep[: self.max_tokens]
        dropped = sum(counts.values()) - sum(c for _, c in keep)
        special_counts = {self.bol_token: n_lines, self.eol_token: n_lines, self.unk_token: dropped}
        toks = specials + [w for w, _ in keep]
        self.tokens_ = np.array(toks, dtype=str)
        self.counts_ = np.array([special_counts[t] for t in specials] + [c for _, c in keep], dtype=np.int64)
        self._index = None
        return self

    def set_state(self, state):
        super().set_state(state)
        self._index = None

    @property
    def token2idx(self) -> dict:
        """``{token: index}``."""
        check_is_fitted(self, "tokens_")
        if getattr(self, "_index", None) is None:
            self._index = {t: i for i, t in enumerate(self.tokens_.tolist())}
        return self._index

    # ------------------------------------------------------------------ queries
    def __len__(self):
        check_is_fitted(self, "tokens_")
        return len(self.tokens_)

    def __iter__(self):
        check_is_fitted(self, "tokens_")
        return iter(self.tokens_.tolist())

    def __contains__(self, token):
        return token in self.token2idx

    def __getitem__(self, key):
        """Index of a token (str) or token at an index (int)."""
        if isinstance(key, str):
            return self.token2idx[key]
        check_is_fitted(self, "tokens_")
        return str(self.tokens_[key])

    @property
    def n_tokens(self) -> int:
        """Total number of counted tokens (specials included)."""
        check_is_fitted(self, "counts_")
        return int(self.counts_.sum())

    @property
    def n_words(self) -> int:
        """Number of distinct words (specials excluded)."""
        return len(self) - len(self._specials())

    def most_common(self, n: int = 5) -> list:
        """The ``n`` most frequent words (specials excluded) as ``(word, count)`` pairs."""
        k = len(self._specials())
        return [(str(t), int(c)) for t, c in zip(self.tokens_[k:k + n], self.counts_[k:k + n])]

    def words_with_count(self, k: int) -> list:
        """Words (specials excluded) seen exactly ``k`` times."""
        s = len(self._specials())
        return self.tokens_[s:][self.counts_[s:] == k].tolist()

    def filter(self, words, unk: bool = True) -> list:
        """``words`` with out-of-vocabulary ones replaced by ``unk_token`` (``unk``) or removed."""
        idx = self.token2idx
        if unk and self.unk_token is not None:
            return [w if w in idx else self.unk_token for w in words]
        return [w for w in words if w in idx]

    def words_to_indices(self, words) -> np.ndarray:
        """Indices of ``words``; unknown words map to ``unk_token`` (dropped if there is none)."""
        idx = self.token2idx
        unk = idx.get(self.unk_token, -1) if self.unk_token is not None else -1
        ids = np.fromiter((idx.get(w, unk) for w in words), dtype=np.int64)
        return ids[ids >= 0]

    def indices_to_words(self, indices) -> list:
        """Tokens at ``indices``."""
        check_is_fitted(self, "tokens_")
        return self.tokens_[np.asarray(indices, dtype=np.int64)].tolist()

    def transform(self, X) -> list:
        """Index arrays, one per document; each line is wrapped in ``bol``/``eol`` tokens."""
        check_is_fitted(self, "tokens_")
        bol = [self.bol_token] if self.bol_token is not None else []
        eol = [self.eol_token] if self.eol_token is not None else []
        return [self.words_to_indices([t for line in doc for t in (*bol, *line, *eol)])
                for doc in self._lines(X)]

    def inverse_transform(self, X) -> list:
        """Token lists from the index arrays of :meth:`transform`."""
        return [self.indices_to_words(ids) for ids in X]

    @classmethod
    def conformance_example(cls):
        docs = ["the quick brown fox jumps over the lazy dog", "the dog sleeps\nthe fox runs",
                "a quick brown dog"]
        return {"spec": "vocabulary(max_tokens=5, filter_stopwords=False)", "fit": (docs,)}
