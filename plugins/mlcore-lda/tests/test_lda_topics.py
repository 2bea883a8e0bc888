"""Tests of lda (variational EM) and smoothed_lda (collapsed Gibbs).

Oracles: topics of a synthetic corpus drawn from known topics (matched with
scipy.optimize.linear_sum_assignment), scipy.optimize for the alpha Newton step,
closed-form properties of the variational bound.
"""

import numpy as np
import pytest

import mlcore
from mlcore.errors import NotFittedError

scipy_optimize = pytest.importorskip("scipy.optimize")


def _corpus(seed=0, D=150, V=120, K=4, alpha=0.1, eta=0.05, lo=15, hi=90):
    """Documents of different lengths (lists of token ids) drawn from K known topics."""
    rng = np.random.default_rng(seed)
    topics = rng.dirichlet(np.full(V, eta), K)
    docs = []
    for _ in range(D):
        theta = rng.dirichlet(np.full(K, alpha))
        counts = rng.multinomial(rng.integers(lo, hi), theta @ topics)
        docs.append(rng.permutation(np.repeat(np.arange(V), counts)))
    return docs, topics


def _to_matrix(docs, V):
    X = np.zeros((len(docs), V))
    for i, d in enumerate(docs):
        np.add.at(X[i], d, 1)
    return X


def _matched_cosine(learned, true):
    A = learned / np.linalg.norm(learned, axis=1, keepdims=True)
    B = true / np.linalg.norm(true, axis=1, keepdims=True)
    C = A @ B.T
    r, c = scipy_optimize.linear_sum_assignment(-C)
    return C[r, c].mean()


def test_lda_recovers_known_topics_and_bound_never_decreases():
    """Reference: the generating topics; mean matched cosine >= 0.9; bound monotone (rel 1e-10)."""
    docs, topics = _corpus(0)
    est = mlcore.build("lda(n_topics=4, tol=1e-6, random_state=0)").fit(docs)
    assert _matched_cosine(est.topic_word_, topics) >= 0.9
    b = est.bounds_
    assert len(b) >= 3
    assert np.all(np.diff(b) >= -1e-10 * np.abs(b[1:]))
    np.testing.assert_allclose(est.topic_word_.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(est.doc_topic_.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(est.alpha_ > 0)


def test_lda_random_init_bound_monotone_and_alpha_fixed():
    docs, _ = _corpus(1, D=60)
    est = mlcore.build("lda(n_topics=3, init='random', max_iter=30, tol=0.0, random_state=2)").fit(docs)
    assert np.all(np.diff(est.bounds_) >= -1e-10 * np.abs(est.bounds_[1:]))
    fixed = mlcore.build("lda(n_topics=3, fit_alpha=False, alpha=0.3, max_iter=5, random_state=2)").fit(docs)
    np.testing.assert_array_equal(fixed.alpha_, np.full(3, 0.3))


def test_lda_alpha_newton_matches_scipy_optimize():
    """Reference: scipy.optimize.minimize (L-BFGS-B) on the same concave objective; rtol 1e-5."""
    from mlcore_lda.lda import _alpha_objective, _newton_alpha

    rng = np.random.default_rng(0)
    gamma = rng.gamma(2.0, 1.0, (50, 5)) + 0.05
    from scipy.special import digamma
    s = (digamma(gamma) - digamma(gamma.sum(axis=1))[:, None]).sum(axis=0)
    ours = _newton_alpha(np.full(5, 0.1), s, 50)
    ref = scipy_optimize.minimize(lambda a: -_alpha_objective(np.exp(a), s, 50), np.zeros(5),
                                  method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-12})
    np.testing.assert_allclose(ours, np.exp(ref.x), rtol=1e-5)
    assert _alpha_objective(ours, s, 50) >= -ref.fun - 1e-9


def test_lda_count_matrix_equals_token_lists_and_ragged_documents():
    docs, _ = _corpus(2, D=40)
    docs = docs + [np.array([3]), np.array([], dtype=int)]          # length-1 and empty documents
    X = _to_matrix(docs, 120)
    a = mlcore.build("lda(n_topics=3, max_iter=10, random_state=0)").fit(docs)
    b = mlcore.build("lda(n_topics=3, max_iter=10, random_state=0)").fit(X)
    np.testing.assert_allclose(a.topic_word_, b.topic_word_, rtol=1e-10)
    np.testing.assert_allclose(a.transform(docs[:5]), b.transform(X[:5]), rtol=1e-10)
    np.testing.assert_allclose(a.transform(docs[-1:])[0], a.alpha_ / a.alpha_.sum(), rtol=1e-12)  # empty: prior
    assert np.isfinite(a.perplexity(docs[:10])) and a.perplexity(docs[:10]) < 120
    vocab = [f"w{i}" for i in range(120)]
    words = a.top_words(vocab, n=3)
    assert len(words) == 3 and all(len(t) == 3 for t in words)
    assert words[0][0] == vocab[int(np.argmax(a.topic_word_[0]))]


def test_smoothed_lda_recovers_known_topics():
    """Reference: the generating topics; mean matched cosine >= 0.9."""
    docs, topics = _corpus(3, D=120, lo=20, hi=70)
    est = mlcore.build("smoothed_lda(n_topics=4, alpha=0.1, n_iter=60, random_state=0)").fit(docs)
    assert _matched_cosine(est.topic_word_, topics) >= 0.9
    assert est.assignments_.shape == (sum(len(d) for d in docs),)
    assert np.issubdtype(est.assignments_.dtype, np.integer)
    assert est.word_topic_counts_.sum() == sum(len(d) for d in docs)
    theta = est.transform(docs[:20])
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, rtol=1e-12)
    # documents drawn mostly from one topic get it back from transform
    assert np.mean(np.argmax(theta, axis=1) == np.argmax(est.doc_topic_[:20], axis=1)) >= 0.9
    assert est.perplexity(docs[:20]) < 120


def test_errors_and_inputs_untouched():
    docs, _ = _corpus(4, D=20)
    copies = [d.copy() for d in docs]
    est = mlcore.build("smoothed_lda(n_topics=2, n_iter=4, random_state=0)")
    with pytest.raises(NotFittedError):
        est.transform(docs)
    est.fit(docs)
    for a, b in zip(docs, copies):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(est.alpha_, 25.0)                   # 50 / K default
    with pytest.raises(ValueError, match="vocabulary"):
        est.transform([np.array([500])])
    with pytest.raises(TypeError):
        mlcore.build("lda(n_topics=2)").fit([np.array([0.5, 1.2])])
    with pytest.raises(ValueError, match="non-negative"):
        mlcore.build("lda(n_topics=2)").fit([np.array([-1, 2])])
    with pytest.raises(ValueError, match="counts"):
        mlcore.build("lda(n_topics=2)").fit(np.array([[0.5, 1.0]]))
