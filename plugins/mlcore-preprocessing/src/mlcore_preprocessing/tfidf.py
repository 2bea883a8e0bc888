"""TF-IDF document-term matrices (scikit-learn's ``TfidfVectorizer`` options)."""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_choice, check_is_fitted, check_scalar

from .tokenizers import WORD_PATTERN, read_documents
from .vocabulary import _analyzer, _check_text_options

__all__ = ["TFIDF"]

#: documents tokenised at once (their token strings are the only per-token objects alive)
_DOC_BLOCK = 2048


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
    Counting streams over blocks of documents: a block's tokens are mapped to ids with one
    dictionary pass and reduced to distinct (document, term) pairs with counts before the
    next block is read; terms below ``min_count`` or beyond ``max_tokens`` are pruned from
    the pairs before the matrix is built. Memory is O(distinct pairs) (plus the output),
    never O(tokens) nor a dense document-term temporary in sparse mode.

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

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        _check_text_options(self)
        check_scalar(self.min_count, "min_count", int, low=1)
        check_scalar(self.max_tokens, "max_tokens", int, low=1, allow_none=True)
        check_scalar(self.smooth_idf, "smooth_idf", bool)
        check_scalar(self.sublinear_tf, "sublinear_tf", bool)
        check_scalar(self.sparse, "sparse", bool)
        check_choice(self.norm, "norm", ("l2", "l1", None))

    # ------------------------------------------------------------------ helpers
    def _tokenize_fn(self):
        if self.tokenizer == "words" and self.filter_punctuation and not self.filter_stopwords:
            findall = WORD_PATTERN.findall  # fast path: the pattern alone
            return (lambda d: findall(d.lower())) if self.lowercase else findall
        return _analyzer(self)

    def _pairs(self, X, index=None):
        """Distinct (document, term) pairs and their counts, a block of documents at a time.

        The tokens of only ``_DOC_BLOCK`` documents exist at once; each block is reduced
        to its distinct (document, term) pairs (``np.unique`` of ``doc * V + term``) before
        the next is read, so memory is O(distinct pairs), never O(tokens) nor a dense
        document-term array. With ``index=None`` (fit) terms get ids in order of first
        appearance and the vocabulary dict is returned; otherwise unknown terms are
        dropped. Returns ``(cols int32, counts int32, nnz per document int64, vocab)``.
        """
        docs = read_documents(X, self.input_type, self.encoding)
        tokenize = self._tokenize_fn()
        fitting = index is None
        vocab = {} if fitting else index
        cols, cnts, nnz = [], [], []
        for b in range(0, len(docs), _DOC_BLOCK):  # loop over blocks of documents
            toks = [tokenize(d) for d in docs[b:b + _DOC_BLOCK]]
            lengths = np.fromiter(map(len, toks), dtype=np.intp, count=len(toks))
            flat = list(chain.from_iterable(toks))
            del toks
            if fitting:
                new = [t for t in dict.fromkeys(flat) if t not in vocab]  # distinct new terms of the block
                vocab.update(zip(new, range(len(vocab), len(vocab) + len(new))))
                ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
            else:
                ids = np.fromiter(map(vocab.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
            del flat
            doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
            keep = ids >= 0
            if not keep.all():
                ids, doc = ids[keep], doc[keep]
            V = max(len(vocab), 1)
            key, count = np.unique(doc * V + ids, return_counts=True)
            cols.append((key % V).astype(np.int32))
            cnts.append(count.astype(np.int32))
            nnz.append(np.bincount(key // V, minlength=len(lengths)))
        if not nnz:
            return np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64), vocab
        return np.concatenate(cols), np.concatenate(cnts), np.concatenate(nnz), vocab

    def _matrix(self, cols, counts, nnz, V):
        """Count matrix (D, V) float64 from the pairs (CSR, or dense without ``sparse``)."""
        D = len(nnz)
        if self.sparse:
            import scipy.sparse as sp

            idt = np.int32 if max(len(cols), V) < 2**31 - 1 else np.int64
            indptr = np.zeros(D + 1, dtype=idt)
            np.cumsum(nnz, out=indptr[1:])
            C = sp.csr_matrix((counts.astype(np.float64), cols.astype(idt, copy=False), indptr), shape=(D, V))
            C.has_canonical_format = False
            C.sort_indices()                    # rows were ordered by first-appearance ids
            return C
        C = np.zeros((D, V))
        C[np.repeat(np.arange(D), nnz), cols] = counts
        return C

    def _weight(self, C):
        """tf (optionally sublinear) times idf, then row normalisation."""
        if self.sparse:
            # a block of rows at a time: temporaries of O(_DOC_BLOCK rows), not O(nnz)
            data, ind, ptr = C.data, C.indices, C.indptr
            D = C.shape[0]
            for r0 in range(0, D, _DOC_BLOCK):  # loop over blocks of rows
                r1 = min(r0 + _DOC_BLOCK, D)
                s, e = ptr[r0], ptr[r1]
                d = data[s:e]
                if self.sublinear_tf:
                    np.log(d, out=d)
                    d += 1
                d *= self.idf_[ind[s:e]]
                if self.norm is not None:
                    row_of = np.repeat(np.arange(r1 - r0), np.diff(ptr[r0:r1 + 1]))
                    rows = np.bincount(row_of, weights=d * d if self.norm == "l2" else np.abs(d),
                                       minlength=r1 - r0)
                    scale = np.sqrt(rows) if self.norm == "l2" else rows
                    scale[scale == 0] = 1.0
                    d /= scale[row_of]
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
        cols, counts, nnz, vocab = self._pairs(X)
        if not len(nnz):
            raise ValueError("fit needs at least one document")
        if not vocab:
            raise ValueError("the documents contain no tokens; check the tokenizer options")
        first_seen = list(vocab)
        del vocab
        V0 = len(first_seen)
        alpha = sorted(range(V0), key=first_seen.__getitem__)   # first-seen id -> alphabetical
        terms = [first_seen[i] for i in alpha]
        del first_seen
        alpha = np.asarray(alpha, dtype=np.int64)
        total = np.bincount(cols, weights=counts, minlength=V0).astype(np.int64)[alpha]
        keep = total >= self.min_count
        if self.max_tokens is not None and keep.sum() > self.max_tokens:
            order = np.lexsort((np.arange(V0), -total))  # by count, then alphabetical
            order = order[keep[order]][: self.max_tokens]
            keep = np.zeros(V0, dtype=bool)
            keep[order] = True
        if not keep.any():
            raise ValueError(f"no term reaches min_count={self.min_count}")
        # prune the vocabulary before the matrix exists: pairs of dropped terms are removed
        newcol = np.empty(V0, dtype=np.int32)                     # first-seen id -> column or -1
        newcol[alpha] = np.where(keep, np.cumsum(keep) - 1, -1)
        del alpha
        cols = newcol[cols]
        if not keep.all():
            kept = cols >= 0
            row = np.repeat(np.arange(len(nnz)), nnz)[kept]
            nnz = np.bincount(row, minlength=len(nnz))
            del row
            cols, counts = cols[kept], counts[kept]
        V = int(keep.sum())
        C = self._matrix(cols, counts, nnz, V)
        df = np.bincount(cols, minlength=V)
        D = len(nnz)
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
        return self._weight(self._fit_counts(X))

    def set_state(self, state):
        super().set_state(state)
        self._index = None

    def transform(self, X):
        """TF-IDF matrix ``(n_documents, V)`` of documents ``X``."""
        check_is_fitted(self, "idf_")
        if getattr(self, "_index", None) is None:
            self._index = dict(zip(self.tokens_.tolist(), range(len(self.tokens_))))
        cols, counts, nnz, _ = self._pairs(X, self._index)
        return self._weight(self._matrix(cols, counts, nnz, len(self.tokens_)))

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
