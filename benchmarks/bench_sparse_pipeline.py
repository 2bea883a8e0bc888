"""Sparse text pipeline: tfidf then logistic_regression against scikit-learn (issue 18).

100,000 short synthetic documents (5 to 15 words from a Zipf vocabulary of 5,000; two
classes that differ in how often 200 of the words appear), 80 % to fit, 20 % to score.
mlcore: ``tfidf(sparse=True)`` -> CSR -> ``logistic_regression`` (L-BFGS on the sparse
matrix, never densified); reference: ``TfidfVectorizer`` -> ``LogisticRegression``
(lbfgs), both with their defaults (C = 1, 100 iterations). Time: fit on the training
documents plus predict on the test documents, median of a few runs in this process.
Target: at most 2x scikit-learn's time, accuracy within 1 % of its accuracy.
"""

from __future__ import annotations

import numpy as np
from _harness import median_time


def make_documents(n_docs: int, vocab: int = 5000, seed: int = 0):
    """``n_docs`` documents and binary labels: class 1 boosts 200 words, class 0 another 200."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(vocab)])
    base = 1.0 / np.arange(1, vocab + 1)
    p = [base.copy(), base.copy()]
    p[0][100:300] *= 3.0
    p[1][300:500] *= 3.0
    p = [q / q.sum() for q in p]
    y = rng.integers(0, 2, size=n_docs)
    lengths = rng.integers(5, 16, size=n_docs)
    draws = [rng.choice(words, size=lengths.sum(), p=p[k]) for k in (0, 1)]
    docs, start = [], 0
    for label, n in zip(y, lengths):
        docs.append(" ".join(draws[label][start:start + n]))
        start += n
    return docs, y


def _mlcore(train, y_train, test):
    import mlcore

    enc = mlcore.build("tfidf(sparse=True)")
    clf = mlcore.build("logistic_regression").fit(enc.fit_transform(train), y_train)
    return clf.predict(enc.transform(test))


def _sklearn(train, y_train, test):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    enc = TfidfVectorizer()
    clf = LogisticRegression().fit(enc.fit_transform(train), y_train)
    return clf.predict(enc.transform(test))


def workloads(quick: bool = False):
    import warnings

    n = 20_000 if quick else 100_000
    docs, y = make_documents(n)
    cut = int(0.8 * n)
    train, test, y_train, y_test = docs[:cut], docs[cut:], y[:cut], y[cut:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of either solver
        acc = float(np.mean(_mlcore(train, y_train, test) == y_test))
        ref_acc = float(np.mean(_sklearn(train, y_train, test) == y_test))
        repeat = 1 if quick else 3
        t = median_time(lambda: _mlcore(train, y_train, test), repeat=repeat, warmup=0)
        r = median_time(lambda: _sklearn(train, y_train, test), repeat=repeat, warmup=0)
    ok = "ok" if abs(acc - ref_acc) <= 0.01 else "MISS"
    yield {"workload": f"tfidf -> logistic_regression, {n:,} short docs (sparse)", "mlcore": t,
           "reference": "sklearn TfidfVectorizer+LogisticReg", "ref": r,
           "quality": f"accuracy {acc:.4f} vs {ref_acc:.4f} (within 1 %: {ok})", "target": 2.0}
