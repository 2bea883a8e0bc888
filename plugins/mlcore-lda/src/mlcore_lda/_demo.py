"""Demo: topic recovery on a synthetic corpus with both LDA estimators."""

from __future__ import annotations


def run():
    import time

    import numpy as np
    from scipy.optimize import linear_sum_assignment

    import mlcore

    rng = np.random.default_rng(0)
    V, K = 60, 3
    topics = np.zeros((K, V))
    for k in range(K):                                 # each topic mostly on its own 20 words
        topics[k, 20 * k: 20 * (k + 1)] = rng.dirichlet(np.ones(20))
    topics = 0.97 * topics + 0.03 / V
    docs = [rng.permutation(np.repeat(np.arange(V), rng.multinomial(rng.integers(10, 60),
                                                                     rng.dirichlet([0.2] * K) @ topics)))
            for _ in range(150)]
    vocab = [f"{'abc'[i // 20]}{i % 20}" for i in range(V)]

    def cosine(learned):
        a = learned / np.linalg.norm(learned, axis=1, keepdims=True)
        b = topics / np.linalg.norm(topics, axis=1, keepdims=True)
        c = a @ b.T
        r, col = linear_sum_assignment(-c)
        return c[r, col].mean()

    for spec in ("lda(n_topics=3, random_state=0)", "smoothed_lda(n_topics=3, alpha=0.2, n_iter=60, random_state=0)"):
        t0 = time.perf_counter()
        est = mlcore.build(spec).fit(docs)
        dt = time.perf_counter() - t0
        print(f"{spec}: {dt * 1e3:.0f} ms, matched cosine to the true topics {cosine(est.topic_word_):.3f}, "
              f"perplexity {est.perplexity(docs[:30]):.1f}")
        for k, words in enumerate(est.top_words(vocab, 5)):
            print(f"  topic {k}: {' '.join(words)}")
