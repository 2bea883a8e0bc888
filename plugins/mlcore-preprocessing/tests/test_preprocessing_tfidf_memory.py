"""Memory of tfidf (issue 23): streamed counting, pruning before the matrix, same result."""

from __future__ import annotations

import tracemalloc

import mlcore_preprocessing.tfidf as tfidf_mod
import numpy as np
import pytest
from mlcore_preprocessing import TFIDF

pytest.importorskip("scipy")

#: peak allocation of fit_transform(sparse=True) / bytes of document text (Zipf corpus,
#: 3,000 words): the CSR output itself is about 2.1x; counting adds about 2.3x (distinct
#: (document, term) pairs). Before issue 23: 24x (every token a Python string at once).
LIMIT = 6.0


def _docs(n, seed=0, vocab=3000):
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(vocab)])
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    lens = rng.integers(20, 120, n)
    toks = words[rng.choice(vocab, size=int(lens.sum()), p=p)]
    ends = np.cumsum(lens)
    return [" ".join(toks[e - k:e]) for e, k in zip(ends, lens)]


def test_tfidf_peak_allocation_linear_and_bounded(monkeypatch):
    monkeypatch.setattr(tfidf_mod, "_DOC_BLOCK", 256, raising=False)
    TFIDF(sparse=True).fit_transform(_docs(20))                 # imports and caches
    peaks = {}
    for n in (2000, 8000):
        docs = _docs(n)
        size = sum(map(len, docs))
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            TFIDF(sparse=True).fit_transform(docs)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peaks[n] <= LIMIT * size, (n, peaks[n] / size)
    assert peaks[8000] <= 1.25 * 4 * peaks[2000], peaks


@pytest.mark.parametrize("kw", [{}, {"max_tokens": 150}, {"min_count": 5, "sublinear_tf": True, "norm": "l1"},
                                {"tokenizer": "whitespace", "smooth_idf": False, "norm": None}])
@pytest.mark.parametrize("sparse", [True, False])
def test_blocked_counting_gives_the_same_matrix(monkeypatch, kw, sparse):
    docs = _docs(300, seed=1, vocab=500) + ["", "w1 zzz-new w1"]
    new_docs = _docs(40, seed=2, vocab=700) + ["never seen words", ""]
    ref = TFIDF(sparse=sparse, **kw)
    A_ref, T_ref = ref.fit_transform(docs), ref.transform(new_docs)
    monkeypatch.setattr(tfidf_mod, "_DOC_BLOCK", 7)          # many blocks, vocabulary grows across them
    est = TFIDF(sparse=sparse, **kw)
    A, T = est.fit_transform(docs), est.transform(new_docs)
    np.testing.assert_array_equal(est.tokens_, ref.tokens_)
    np.testing.assert_array_equal(est.idf_, ref.idf_)
    if sparse:
        assert A.has_sorted_indices and T.has_sorted_indices
        A, A_ref, T, T_ref = A.toarray(), A_ref.toarray(), T.toarray(), T_ref.toarray()
    np.testing.assert_array_equal(A, A_ref)
    np.testing.assert_array_equal(T, T_ref)


def test_blocked_equals_sklearn(monkeypatch):
    # Reference: scikit-learn TfidfVectorizer (defaults), exact equality up to 1e-15.
    text = pytest.importorskip("sklearn.feature_extraction.text")
    monkeypatch.setattr(tfidf_mod, "_DOC_BLOCK", 16)
    docs = _docs(200, seed=3, vocab=400) + ["The Quick, brown fox!", "a b c"]
    A = TFIDF(sparse=True).fit_transform(docs)
    vec = text.TfidfVectorizer()
    B = vec.fit_transform(docs)
    np.testing.assert_array_equal(TFIDF(sparse=True).fit(docs).tokens_, vec.get_feature_names_out())
    np.testing.assert_allclose(A.toarray(), B.toarray(), rtol=0, atol=1e-15)
