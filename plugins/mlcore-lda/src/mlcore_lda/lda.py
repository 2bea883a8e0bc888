"""Latent Dirichlet allocation fitted by variational EM (Blei, Ng and Jordan 2003)."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator, Interval, Options, TransformerMixin
from mlcore.progress import progress_iter
from mlcore.validation import check_is_fitted, check_random_state

from ._corpus import as_corpus
from ._topics import TopicModel

__all__ = ["LDA"]

_TINY = 1e-100


def _e_log_theta(gamma):
    from scipy.special import digamma

    return digamma(gamma) - digamma(gamma.sum(axis=1))[:, None]


def _alpha_objective(alpha, s, D):
    from scipy.special import gammaln

    return D * (gammaln(alpha.sum()) - gammaln(alpha).sum()) + ((alpha - 1) * s).sum()


def _seeded_topics(corpus, K, rng, smoothing=0.1):
    """Initial topics from K diverse documents (k-means++ style D^2 sampling on cosine distance).

    Topic ``k`` is the word distribution of its seed document mixed with ``smoothing / V``.
    """
    S = corpus.matrix()
    lens = np.maximum(corpus.doc_len, 1.0)
    rownorm = np.sqrt(np.asarray(S.multiply(S).sum(axis=1)).ravel()) / lens
    rownorm[rownorm == 0] = 1.0
    P = S.multiply(1.0 / lens[:, None]).tocsr()
    seeds = [int(rng.integers(corpus.n_docs))]

    def cos_dist(i):
        v = np.asarray(P[i].todense()).ravel()
        return 1.0 - (P @ v) / (rownorm * max(np.linalg.norm(v), 1e-300))

    dist = cos_dist(seeds[0])
    for _ in range(1, K):  # one seed per topic
        w = np.maximum(dist, 0.0) ** 2
        i = int(rng.choice(corpus.n_docs, p=w / w.sum())) if w.sum() > 0 else int(rng.integers(corpus.n_docs))
        seeds.append(i)
        dist = np.minimum(dist, cos_dist(i))
    beta = np.asarray(P[seeds].todense()) + smoothing / corpus.n_words
    return beta / beta.sum(axis=1, keepdims=True)


def _newton_alpha(alpha, s, D, max_iter=100, tol=1e-10):
    """Maximise ``D (log G(sum a) - sum log G(a_k)) + sum_k (a_k - 1) s_k`` over ``a > 0``.

    Newton's method with the diagonal-plus-rank-one Hessian (linear time), halving the
    step while it leaves the positive orthant or lowers the objective.
    """
    from scipy.special import digamma, polygamma

    f = _alpha_objective(alpha, s, D)
    for _ in range(max_iter):  # Newton iterations (each O(K))
        g = D * (digamma(alpha.sum()) - digamma(alpha)) + s
        h = -D * polygamma(1, alpha)
        z = D * polygamma(1, alpha.sum())
        c = (g / h).sum() / (1.0 / z + (1.0 / h).sum())
        step = (g - c) / h
        new = alpha - step
        f_new = _alpha_objective(new, s, D) if np.all(new > 0) else -np.inf
        while not f_new >= f and np.max(np.abs(step)) > 1e-15 * np.max(alpha):
            step = step / 2
            new = alpha - step
            f_new = _alpha_objective(new, s, D) if np.all(new > 0) else -np.inf
        if not f_new >= f:
            break
        done = np.max(np.abs(new - alpha)) <= tol * np.max(alpha)
        alpha, f = new, f_new
        if done:
            break
    return alpha


class LDA(TopicModel, TransformerMixin, Estimator):
    """Latent Dirichlet allocation with a learned Dirichlet prior ``alpha`` (variational EM).

    Parameters
    ----------
    n_topics : int, default 10
        Number of topics ``K``.
    alpha : float, default 0.1
        Initial symmetric Dirichlet parameter of the document-topic proportions.
    fit_alpha : bool, default True
        Re-estimate ``alpha`` (Newton-Raphson) at every M-step.
    max_iter : int, default 100
        Maximum number of EM iterations.
    tol : float, default 1e-4
        Stop when the bound improves by less than ``tol * |bound|``.
    max_doc_iter : int, default 100
        Maximum variational (E-step) iterations.
    doc_tol : float, default 1e-3
        E-step stops when every document's mean absolute change of ``gamma`` is below it.
    init : {"seeded", "random"}, default "seeded"
        Initial topics: the word distributions of ``K`` diverse documents (k-means++
        style sampling on cosine distance, smoothed), or random near-uniform rows.
    n_init : int, default 1
        EM runs from different initial topics; the highest final bound is kept.
    n_words : int, optional
        Vocabulary size; inferred from the training corpus when omitted.
    random_state : int, numpy Generator or None
        Seeds the initial topics.

    Attributes
    ----------
    topic_word_ : ndarray (K, V)
        ``beta``: word distribution of every topic (rows sum to 1).
    doc_topic_ : ndarray (D, K)
        Normalised variational ``gamma`` of the training documents.
    gamma_ : ndarray (D, K)
        Variational Dirichlet parameters of the training documents.
    alpha_ : ndarray (K,)
    bound_ : float
        Final evidence lower bound of the training corpus.
    bounds_ : ndarray ``(n_iter_,)``
        The bound after every E-step (never decreases).
    n_iter_ : int
    n_words_ : int

    Notes
    -----
    Input: a document-term count matrix (dense or scipy sparse, D x V) or a list of 1-D
    integer token-id arrays (documents of any lengths).

    E-step per document ``d``, iterated to convergence with ``beta`` fixed:
    ``phi_dwk ∝ beta_kw exp(E[log theta_dk])``, ``gamma_dk = alpha_k + sum_w n_dw phi_dwk``,
    with ``E[log theta_dk] = psi(gamma_dk) - psi(sum_j gamma_dj)``; all documents are
    updated together through sparse products. ``gamma`` is warm-started from the previous
    iteration, so EM is coordinate ascent and the bound never decreases. M-step:
    ``beta_kw ∝ sum_d n_dw phi_dwk``; ``alpha`` maximises
    ``D (log G(sum alpha) - sum log G(alpha_k)) + sum_k (alpha_k - 1) sum_d E[log theta_dk]``
    by Newton steps with the diagonal-plus-rank-one Hessian (BNJ appendix A.4.2).
    With ``phi`` at its optimum the bound per document is
    ``log G(sum alpha) - sum log G(alpha_k) + sum_k (alpha_k - gamma_dk) E[log theta_dk]
    + sum log G(gamma_dk) - log G(sum gamma_d) + sum_w n_dw log sum_k beta_kw exp(E[log theta_dk])``.
    Perplexity: ``exp(-bound / number of tokens)``.

    References
    ----------
    Blei, Ng and Jordan (2003), Latent Dirichlet allocation, JMLR 3, 993-1022.
    Minka (2000), Estimating a Dirichlet distribution.

    Example
    -------
    >>> import mlcore
    >>> docs = [[0, 1, 0, 2], [3, 4, 3], [0, 2, 1, 1, 0], [4, 3, 4, 4]]
    >>> lda = mlcore.build("lda(n_topics=2, random_state=0)").fit(docs)
    >>> lda.transform(docs).shape
    (4, 2)
    """

    _estimator_type = "transformer"
    _parameter_constraints = {  # noqa: RUF012 (read-only class data)
        "n_topics": Interval(numbers.Integral, low=1), "alpha": Interval(low=0, low_inclusive=False),
        "fit_alpha": bool, "max_iter": Interval(numbers.Integral, low=1), "tol": Interval(low=0),
        "max_doc_iter": Interval(numbers.Integral, low=1), "doc_tol": Interval(low=0),
        "init": Options("seeded", "random"), "n_init": Interval(numbers.Integral, low=1),
        "n_words": Interval(numbers.Integral, low=1, allow_none=True),
    }
    #: a document x word count matrix (dense or CSR/CSC) of non-negative integers, or token-id lists
    _tags = {"categorical": True, "positive_only": True, "sparse": True}  # noqa: RUF012

    def __init__(self, n_topics=10, *, alpha=0.1, fit_alpha=True, max_iter=100, tol=1e-4,
                 max_doc_iter=100, doc_tol=1e-3, init="seeded", n_init=1, n_words=None,
                 random_state=None):
        self.n_topics = n_topics
        self.alpha = alpha
        self.fit_alpha = fit_alpha
        self.max_iter = max_iter
        self.tol = tol
        self.max_doc_iter = max_doc_iter
        self.doc_tol = doc_tol
        self.init = init
        self.n_init = n_init
        self.n_words = n_words
        self.random_state = random_state

    # ----------------------------------------------------------------- E-step
    def _e_step(self, corpus, beta, alpha, gamma):
        """Variational updates of every document; returns gamma, E[log theta], exp of it and
        the phi normalisers ``sum_k beta_kw exp(E[log theta_dk])`` at the non-zeros.

        All documents are updated together with sparse products; documents whose mean
        change falls below ``doc_tol`` are dropped from the working set once at least half
        of it has converged (as in per-document convergence).
        """
        S_full = corpus.matrix()
        betaT = np.ascontiguousarray(beta.T)
        gamma = gamma.copy()
        K, V = beta.shape

        def work_set(docs):
            S = S_full[docs] if len(docs) < corpus.n_docs else S_full.copy()
            rows = np.repeat(np.arange(len(docs)), np.diff(S.indptr))
            dense = len(docs) * V <= 8 * max(S.nnz, 1) * K          # cheaper as a dense product
            flat = rows * V + S.indices if dense else None
            return S, rows, flat, S.data.copy(), dense, (None if dense else betaT[S.indices])

        def normalisers(Et, rows, flat, dense, bT_nz):
            if dense:
                return np.take((Et @ beta).ravel(), flat) + _TINY
            return np.einsum("nk,nk->n", Et[rows], bT_nz) + _TINY

        docs = np.arange(corpus.n_docs)
        active = np.ones(len(docs), dtype=bool)
        S, rows, cols, counts, dense, bT_nz = work_set(docs)
        for _ in range(self.max_doc_iter):  # fixed-point iterations, all documents at once
            g = gamma[docs]
            Et = np.exp(_e_log_theta(g))
            S.data = counts / normalisers(Et, rows, cols, dense, bT_nz)
            new = alpha + Et * (S @ betaT)
            # each document stops at its own convergence (so a document's result does not
            # depend on the others in the batch: transform is invariant to batching)
            gamma[docs[active]] = new[active]
            active &= np.abs(new - g).mean(axis=1) >= self.doc_tol
            n_left = int(np.count_nonzero(active))
            if n_left == 0:
                break
            if n_left <= len(docs) // 2:
                docs = docs[active]
                active = np.ones(len(docs), dtype=bool)
                S, rows, cols, counts, dense, bT_nz = work_set(docs)
        elog = _e_log_theta(gamma)
        Et = np.exp(elog)
        S, rows, cols, counts, dense, bT_nz = work_set(np.arange(corpus.n_docs))
        return gamma, elog, Et, normalisers(Et, rows, cols, dense, bT_nz)

    @staticmethod
    def _bound(corpus, alpha, gamma, elog, norm):
        from scipy.special import gammaln

        D = corpus.n_docs
        out = D * (gammaln(alpha.sum()) - gammaln(alpha).sum())
        out += ((alpha - gamma) * elog).sum()
        out += gammaln(gamma).sum() - gammaln(gamma.sum(axis=1)).sum()
        out += (corpus.count * np.log(norm)).sum()
        return float(out)

    # ----------------------------------------------------------------- fit
    def fit(self, X, y=None, progress=None):
        """Fit topics and ``alpha`` by variational EM.

        Parameters
        ----------
        X : array (D, V) of counts, scipy sparse matrix, or list of 1-D token-id arrays
        y : ignored
        progress : bool or None
            tqdm bar over EM iterations (None: only on a terminal).

        Returns
        -------
        self
        """
        if isinstance(X, (list, tuple)):  # token-id documents: no feature count
            self.__dict__.pop("n_features_in_", None)
        else:
            X = self._validate_data(X)
        corpus = as_corpus(X, self.n_words, need_tokens="fit")
        rng = check_random_state(self.random_state)
        best = None
        for _ in range(self.n_init):  # independent restarts
            run = self._em(corpus, rng, progress)
            if best is None or run[4][-1] > best[4][-1]:
                best = run
        beta, alpha, gamma, n_iter, bounds = best
        self.topic_word_ = beta
        self.alpha_ = alpha
        self.gamma_ = gamma
        self.doc_topic_ = gamma / gamma.sum(axis=1, keepdims=True)
        self.bounds_ = np.asarray(bounds)
        self.bound_ = float(bounds[-1])
        self.n_iter_ = n_iter
        self.n_words_ = corpus.n_words
        return self

    def _em(self, corpus, rng, progress):
        K, V, D = self.n_topics, corpus.n_words, corpus.n_docs
        if self.init == "seeded":
            beta = _seeded_topics(corpus, K, rng)
        else:
            beta = rng.gamma(100.0, 0.01, (K, V))
            beta /= beta.sum(axis=1, keepdims=True)
        alpha = np.full(K, float(self.alpha))
        gamma = alpha + corpus.doc_len[:, None] / K
        bounds = []
        n_iter = 0
        for n_iter in progress_iter(range(1, self.max_iter + 1), progress, "lda EM"):
            gamma, elog, Et, norm = self._e_step(corpus, beta, alpha, gamma)
            bounds.append(self._bound(corpus, alpha, gamma, elog, norm))
            # M-step: beta from the expected counts of the phi that gave this bound, then alpha
            ss = (corpus.matrix(corpus.count / norm).T @ Et).T * beta      # (K, V)
            beta = ss / ss.sum(axis=1, keepdims=True)
            if self.fit_alpha:
                alpha = _newton_alpha(alpha, elog.sum(axis=0), D)
            if len(bounds) > 1 and bounds[-1] - bounds[-2] < self.tol * abs(bounds[-1]):
                break
        return beta, alpha, gamma, n_iter, bounds

    # ----------------------------------------------------------------- inference
    def _infer(self, X, need_tokens=None):
        check_is_fitted(self, "topic_word_")
        if not isinstance(X, (list, tuple)):
            X = self._check_X(X) if hasattr(self, "n_features_in_") else self._validate_data(X, reset=False)
        corpus = as_corpus(X, self.n_words_, need_tokens=need_tokens)
        gamma0 = self.alpha_ + corpus.doc_len[:, None] / self.n_topics
        gamma, elog, _, norm = self._e_step(corpus, self.topic_word_, self.alpha_, gamma0)
        return corpus, gamma, elog, norm

    def transform(self, X):
        """Document-topic proportions ``E[theta_d]`` (D, K) of new documents."""
        _, gamma, _, _ = self._infer(X)
        return gamma / gamma.sum(axis=1, keepdims=True)

    def score(self, X, y=None):
        """Evidence lower bound of the documents ``X`` (higher is better)."""
        corpus, gamma, elog, norm = self._infer(X)
        return self._bound(corpus, self.alpha_, gamma, elog, norm)

    def perplexity(self, X):
        """``exp(-bound / number of tokens)`` on the documents ``X`` (lower is better)."""
        corpus, gamma, elog, norm = self._infer(X, need_tokens="perplexity")
        return float(np.exp(-self._bound(corpus, self.alpha_, gamma, elog, norm) / corpus.doc_len.sum()))

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        docs = [rng.integers(0, 12, n) for n in (5, 9, 3, 12, 7, 8)]
        X = np.zeros((6, 12))
        for i, d in enumerate(docs):
            np.add.at(X[i], d, 1)
        return {"spec": "lda(n_topics=3, max_iter=5, random_state=0)", "fit": (X,)}
