"""TF-IDF document-term matrices (scikit-learn's ``TfidfVectorizer`` options)."""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_choice, check_is_fitted, check_scalar

from .tokenizers import WORD_PATTERN, read_documents
from .vocabulary import _analyzer, _check_text_options

__all__ = ["TFIDF"]


class TFIDF(Estimator):
    """Term frequency - inverse document frequency encoding of documents.

    Parameters
    ----------
    lowercase, filter_stopwords, filter_punctuation : bool
        Tokenizer options. The defaults (``tokenizer="words"``, lowercase, punctuation
        filtered, stop words kept) tokenize exactly as scikit-learn's default
        ``token_pattern`` ``(?u)\\b\\w\\w+\\b``.
    tokenizer : {"words", "whitespace", "characters", "bytes"}
    min_count : int
        Ignore terms with a smaller total count in the training corpus.
    max_tokens : int or None
        Keep the ``max_tokens`` terms with the largest total counts (ties alphabetical).
    smooth_idf : bool
        ``idf = ln((1 + D) / (1 + df)) + 1`` instead of ``ln(D / df) + 1``.
    sublinear_tf : bool
        Replace a count ``tf > 0`` by ``1 + ln(tf)``.
    norm : {"l2", "l1", None}
        Row normalisation of the result.
    sparse : bool
        Return a ``scipy.sparse.csr_matrix`` (needs SciPy) instead of a dense array.
    input_type : {"strings", "files"}
        Documents are strings or paths of text files.
    encoding : str
        Encoding of the files.

    Attributes
    ----------
    tokens_ : ndarray of str, shape (V,)
        The vocabulary in alphabetical order (column ``j`` is ``tokens_[j]``).
    idf_ : ndarray, shape (V,)
        Inverse document frequencies.
    document_frequency_ : ndarray of int64, shape (V,)
        Number of training documents containing each term.

    Notes
    -----
    ``X[d, j] = tf(d, j) * idf_j``, then each row is divided by its ``norm``; terms absent
    from the vocabulary are ignored by :meth:`transform`. Same as
    ``sklearn.feature_extraction.text.TfidfVectorizer(norm, smooth_idf, sublinear_tf)``.
    Counting is vectorised: tokens are mapped to ids with one dictionary pass and the
    (document, term) counts are a single ``bincount`` (dense) or a CSR build (sparse).

    References
    ----------
    Sparck Jones, K. (1972). A statistical interpretation of term specificity and its
    application in retrieval. Journal of Documentation 28(1), 11-21.

    Example
    -------
    >>> X = TFIDF(norm=None).fit_transform(["the cat", "the dog"])
    >>> X.round(3).tolist()
    [[1.405, 0.0, 1.0], [0.0, 1.405, 1.0]]
    """

    _estimator_type = "transformer"
    #: input: documents (strings or token lists), not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True}

    def __init__(self, lowercase: bool = True, filter_stopwords: bool = False, filter_punctuation: bool = True,
                 tokenizer: str = "words", min_count: int = 1, max_tokens: int | None = None,
                 smooth_idf: bool = True, sublinear_tf: bool = False, norm: str | None = "l2",
                 sparse: bool = False, input_type: str = "strings", encoding: str = "utf-8"):
        self.lowercase = lowercase
        self.filter_stopwords = filter_stopwords
        self.filter_punctuation = filter_punctuation
        self.tokenizer = tokenizer
        self.min_count = min_count
        self.max_tokens = max_tokens
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.sparse = sparse
        self.input_type = input_type
        self.encoding = encoding
        _check_text_options(self)
        check_scalar(min_count, "min_count", int, low=1)
        check_scalar(max_tokens, "max_tokens", int, low=1, allow_none=True)
        check_scalar(smooth_idf, "smooth_idf", bool)
        check_scalar(sublinear_tf, "sublinear_tf", bool)
        check_scalar(sparse, "sparse", bool)
        check_choice(norm, "norm", ("l2", "l1", None))

    # ------------------------------------------------------------------ helpers
    def _tokens(self, X):
        docs = read_documents(X, self.input_type, self.encoding)
        if self.tokenizer == "words" and self.filter_punctuation and not self.filter_stopwords:
            findall = WORD_PATTERN.findall  # fast path: the pattern alone
            return [findall(d.lower()) for d in docs] if self.lowercase else [findall(d) for d in docs]
        analyze = _analyzer(self)
        return [analyze(d) for d in docs]

    @staticmethod
    def _flat(toks):
        lengths = np.fromiter(map(len, toks), dtype=np.intp, count=len(toks))
        return list(chain.from_iterable(toks)), lengths

    def _counts(self, ids, lengths, V):
        """(document, term) counts from term ids and per-document token counts."""
        D = len(lengths)
        doc = np.repeat(np.arange(D), lengths)
        keep = ids >= 0
        if not keep.all():
            ids, doc = ids[keep], doc[keep]
        if self.sparse:
            import scipy.sparse as sp

            indptr = np.zeros(D + 1, dtype=np.int64)
            np.cumsum(np.bincount(doc, minlength=D), out=indptr[1:])
            C = sp.csr_matrix((np.ones(len(ids)), ids, indptr), shape=(D, V))
            C.sum_duplicates()  # sorts each row's column indices and adds repeated terms
            return C
        return np.bincount(doc * V + ids, minlength=D * V).reshape(D, V).astype(np.float64)

    def _weight(self, C):
        """tf (optionally sublinear) times idf, then row normalisation."""
        if self.sparse:
            data = C.data
            if self.sublinear_tf:
                np.log(data, out=data)
                data += 1
            data *= self.idf_[C.indices]
            if self.norm is not None:
                sq = data * data if self.norm == "l2" else np.abs(data)
                row_of = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
                rows = np.bincount(row_of, weights=sq, minlength=C.shape[0])
                scale = np.sqrt(rows) if self.norm == "l2" else rows
                scale[scale == 0] = 1.0
                data /= scale[row_of]
            return C
        if self.sublinear_tf:
            nz = C > 0
            C[nz] = np.log(C[nz]) + 1
        C *= self.idf_
        if self.norm is not None:
            scale = np.sqrt(np.einsum("ij,ij->i", C, C)) if self.norm == "l2" else np.abs(C).sum(axis=1)
            scale[scale == 0] = 1.0
            C /= scale[:, None]
        return C

    # ------------------------------------------------------------------ API
    def fit(self, X, y=None):
        """Learn the vocabulary and the idf weights from documents ``X``; returns self."""
        self._fit_counts(X)
        return self

    def _fit_counts(self, X):
        if self.sparse:
            try:
                import scipy.sparse  # noqa: F401
            except ImportError:
                raise ImportError("sparse=True needs SciPy: pip install scipy") from None
        toks = self._tokens(X)
        if not toks:
            raise ValueError("fit needs at least one document")
        flat, lengths = self._flat(toks)
        vocab = dict.fromkeys(flat)  # insertion-ordered set, built in C
        if not vocab:
            raise ValueError("the documents contain no tokens; check the tokenizer options")
        terms = sorted(vocab)
        index = dict(zip(terms, range(len(terms))))
        ids = np.fromiter(map(index.__getitem__, flat), dtype=np.intp, count=len(flat))
        C = self._counts(ids, lengths, len(terms))
        total = np.bincount(ids, minlength=len(terms))
        keep = total >= self.min_count
        if self.max_tokens is not None and keep.sum() > self.max_tokens:
            order = np.lexsort((np.arange(len(terms)), -total))  # by count, then alphabetical
            order = order[keep[order]][: self.max_tokens]
            keep = np.zeros(len(terms), dtype=bool)
            keep[order] = True
        if not keep.any():
            raise ValueError(f"no term reaches min_count={self.min_count}")
        if not keep.all():
            C = C[:, np.flatnonzero(keep)]
        df = np.bincount(C.indices, minlength=C.shape[1]) if self.sparse else (C > 0).sum(axis=0)
        D = len(toks)
        self.tokens_ = np.array(terms, dtype=str)[keep]
        self.document_frequency_ = np.asarray(df, dtype=np.int64)
        if self.smooth_idf:
            self.idf_ = np.log((1.0 + D) / (1.0 + df)) + 1.0
        else:
            with np.errstate(divide="ignore"):
                self.idf_ = np.log(D / df) + 1.0
        self._index = None
        return C

    def fit_transform(self, X, y=None):
        """Fit and return the TF-IDF matrix of ``X`` (one tokenisation pass)."""
        C = self._fit_counts(X)
        if self.sparse:
            C = C.astype(np.float64)
        return self._weight(C)

    def set_state(self, state):
        super().set_state(state)
        self._index = None

    def transform(self, X):
        """TF-IDF matrix ``(n_documents, V)`` of documents ``X``."""
        check_is_fitted(self, "idf_")
        if getattr(self, "_index", None) is None:
            self._index = dict(zip(self.tokens_.tolist(), range(len(self.tokens_))))
        flat, lengths = self._flat(self._tokens(X))
        ids = np.fromiter(map(self._index.get, flat, repeat(-1)), dtype=np.intp, count=len(flat))
        C = self._counts(ids, lengths, len(self.tokens_))
        return self._weight(C.astype(np.float64) if self.sparse else C)

    @property
    def vocabulary_(self) -> dict:
        """``{term: column}`` (as scikit-learn's ``vocabulary_``)."""
        check_is_fitted(self, "tokens_")
        return {t: i for i, t in enumerate(self.tokens_.tolist())}

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The terms of the columns (scikit-learn's transformer API)."""
        check_is_fitted(self, "tokens_")
        return np.asarray(self.tokens_, dtype=object)

    @classmethod
    def conformance_example(cls):
        docs = ["The quick brown fox.", "The lazy dog sleeps; the fox runs!", "A quick dog and a quick fox"]
        return {"spec": "tfidf(sublinear_tf=True)", "fit": (docs,)}
