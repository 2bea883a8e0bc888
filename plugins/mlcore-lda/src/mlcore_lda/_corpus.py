"""Corpus input: a document-term count matrix or a list of token-id arrays of any lengths."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_array


class Corpus:
    """A corpus as sparse (document, word, count) triples sorted by document.

    Attributes
    ----------
    n_docs, n_words : int
    doc, word : ndarray of intp (nnz,)
    count : ndarray of float (nnz,)
    doc_len : ndarray (n_docs,)
        Tokens per document.
    """

    def __init__(self, doc, word, count, n_docs, n_words):
        self.doc, self.word, self.count = doc, word, count
        self.n_docs, self.n_words = n_docs, n_words
        self.doc_len = np.bincount(doc, weights=count, minlength=n_docs)

    def matrix(self, data=None):
        """scipy CSR matrix (n_docs, n_words) with ``data`` (default the counts) at the non-zeros."""
        from scipy.sparse import csr_matrix

        indptr = np.concatenate([[0], np.cumsum(np.bincount(self.doc, minlength=self.n_docs))])
        data = self.count if data is None else data
        return csr_matrix((np.array(data, dtype=float), self.word, indptr), shape=(self.n_docs, self.n_words))

    def tokens(self):
        """Token stream: (doc (N,), word (N,)) with every count expanded, grouped by document."""
        reps = self.count.astype(np.intp)
        return np.repeat(self.doc, reps), np.repeat(self.word, reps)


def as_corpus(X, n_words=None, *, need_tokens=None) -> Corpus:
    """Read ``X``: a 2-D count array / scipy sparse matrix (documents x words), or a
    list/tuple of 1-D integer token-id arrays (documents of any lengths).

    ``n_words`` fixes the vocabulary size (ids must be below it); otherwise it is the
    number of columns, or the largest id + 1. ``need_tokens`` (a description of the use,
    e.g. ``"fit"``) raises a ValueError when the corpus holds no token at all (every
    document empty, an all-zero count matrix): topics estimated from nothing and a
    per-token perplexity of nothing are 0/0.
    """
    corpus = _as_corpus(X, n_words)
    if need_tokens and not corpus.count.sum() > 0:
        raise ValueError(f"X holds no tokens (all {corpus.n_docs} documents are empty): "
                         f"{need_tokens} needs at least one token")
    return corpus


def _as_corpus(X, n_words=None) -> Corpus:
    if hasattr(X, "tocoo") and not isinstance(X, np.ndarray):          # scipy sparse
        coo = X.tocoo()
        counts = check_array(coo.data, name="X", min_samples=0)
        if np.any(counts < 0) or np.any(counts != np.round(counts)):
            raise ValueError("X must hold non-negative integer counts")
        n_docs, V = coo.shape
        doc, word, count = coo.row.astype(np.intp), coo.col.astype(np.intp), counts.astype(float)
    elif isinstance(X, (list, tuple)):
        docs = []
        for i, d in enumerate(X):
            a = np.asarray(d)
            if a.ndim != 1 or (a.size and not np.issubdtype(a.dtype, np.integer)):
                raise TypeError(f"document {i} must be a 1-D array of integer token ids, got {a.dtype} "
                                f"with shape {a.shape}")
            docs.append(a.astype(np.intp))
        if not docs:
            raise ValueError("the corpus is empty")
        lens = np.array([len(a) for a in docs])
        ids = np.concatenate(docs) if lens.sum() else np.zeros(0, np.intp)
        if ids.size and ids.min() < 0:
            raise ValueError("token ids must be non-negative")
        V = int(ids.max()) + 1 if ids.size else 1
        n_docs = len(docs)
        owner = np.repeat(np.arange(n_docs), lens)
        key = owner * max(V, n_words or 0) + ids
        uniq, count = np.unique(key, return_counts=True)
        width = max(V, n_words or 0)
        doc, word, count = uniq // width, uniq % width, count.astype(float)
    else:
        M = check_array(X, name="X", ndim=2)
        if np.any(M < 0) or np.any(M != np.round(M)):
            raise ValueError("a count matrix must hold non-negative integer counts")
        n_docs, V = M.shape
        doc, word = np.nonzero(M)
        count = M[doc, word].astype(float)
        doc, word = doc.astype(np.intp), word.astype(np.intp)
    if n_words is not None:
        if V > n_words:
            raise ValueError(f"the corpus uses {V} word ids but the model has a vocabulary of {n_words}")
        V = n_words
    order = np.argsort(doc, kind="stable")
    return Corpus(doc[order], word[order], count[order], int(n_docs), int(V))
