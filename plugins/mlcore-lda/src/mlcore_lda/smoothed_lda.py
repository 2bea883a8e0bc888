"""Smoothed (fully Bayesian) LDA by collapsed Gibbs sampling (Griffiths and Steyvers 2004)."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.progress import progress_iter
from mlcore.validation import check_is_fitted, check_random_state, check_scalar

from ._corpus import as_corpus
from ._topics import TopicModel

__all__ = ["SmoothedLDA"]


class _Slots:
    """Tokens laid out as a (documents x position) grid, longest document first.

    The documents still having a token at position ``p`` are the prefix ``[:active[p]]``.
    """

    def __init__(self, corpus, rng):
        doc, word = corpus.tokens()
        # random order inside each document, so that the documents updated together at
        # one position hold unrelated words (the counts they share are then rarely stale)
        perm = np.lexsort((rng.random(len(doc)), doc))
        doc, word = doc[perm], word[perm]
        lens = np.bincount(doc, minlength=corpus.n_docs).astype(np.intp)
        self.order = np.argsort(-lens, kind="stable")                 # grid row -> document
        self.lens = lens[self.order]
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        width = int(self.lens.max()) if len(lens) else 0
        p = np.arange(width)
        self.valid = p[None, :] < self.lens[:, None]
        idx = np.where(self.valid, starts[self.order][:, None] + p[None, :], 0)
        self.word = np.where(self.valid, word[idx] if word.size else 0, 0)   # (D, width) int ids
        self.active = self.valid.sum(axis=0)                            # (width,)
        self.width = width


def _draw(prob, u):
    """One categorical draw per row of the unnormalised ``prob`` (n, K) with uniforms ``u`` (n,)."""
    cum = np.cumsum(prob, axis=1)
    k = (cum < (u * cum[:, -1])[:, None]).sum(axis=1)
    return np.minimum(k, prob.shape[1] - 1)


class SmoothedLDA(TopicModel, Estimator):
    """LDA with Dirichlet priors on both the topics and the proportions, by collapsed Gibbs.

    Parameters
    ----------
    n_topics : int, default 10
        Number of topics ``K``.
    alpha : float, optional
        Symmetric prior of the document-topic proportions; ``50 / K`` when omitted
        (Griffiths and Steyvers).
    beta : float, default 0.01
        Symmetric prior of the topic-word distributions.
    n_iter : int, default 200
        Gibbs sweeps over the corpus.
    burn_in : int, optional
        Sweeps discarded before averaging the estimates (default ``n_iter // 2``).
    n_words : int, optional
        Vocabulary size; inferred from the training corpus when omitted.
    random_state : int, numpy Generator or None

    Attributes
    ----------
    topic_word_ : ndarray (K, V)
        Posterior mean ``phi_kw = (n_kw + beta) / (n_k + V beta)``, averaged over the kept sweeps.
    doc_topic_ : ndarray (D, K)
        ``theta_dk = (n_dk + alpha) / (n_d + K alpha)``, averaged likewise.
    alpha_ : ndarray (K,)
        The (fixed) prior, as an array.
    assignments_ : ndarray of int (N,)
        Topic of every token after the last sweep (tokens grouped by document, in a
        random order inside each document).
    word_topic_counts_ : ndarray of int (V, K)
    n_words_ : int

    Notes
    -----
    Collapsed Gibbs: each token's topic is drawn from
    ``p(z = k | rest) ∝ (n_dk + alpha) (n_kw + beta) / (n_k + V beta)``, all counts
    excluding the token itself. All counts are integers and all indices integer arrays
    (numpy-ml defect 7). One sweep visits token position ``p = 0, 1, ...`` of every
    document at once: within a document tokens are visited sequentially (exact
    document counts), while documents are processed in parallel and see each other's
    word-topic counts from the start of the step, the approximate distributed scheme of
    Newman et al. (AD-LDA), which samples the same posterior in practice and removes
    the Python loop over tokens.

    References
    ----------
    Griffiths and Steyvers (2004), Finding scientific topics, PNAS 101 suppl. 1.
    Newman, Asuncion, Smyth and Welling (2009), Distributed algorithms for topic models,
    JMLR 10.

    Example
    -------
    >>> import mlcore
    >>> docs = [[0, 1, 0, 2], [3, 4, 3], [0, 2, 1, 1, 0], [4, 3, 4, 4]]
    >>> lda = mlcore.build("smoothed_lda(n_topics=2, n_iter=50, random_state=0)").fit(docs)
    >>> lda.topic_word_.shape
    (2, 5)
    """

    _estimator_type = "transformer"
    #: input: documents as lists of word ids, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "categorical": True}

    def __init__(self, n_topics=10, *, alpha=None, beta=0.01, n_iter=200, burn_in=None, n_words=None,
                 random_state=None):
        self.n_topics = n_topics
        self.alpha = alpha
        self.beta = beta
        self.n_iter = n_iter
        self.burn_in = burn_in
        self.n_words = n_words
        self.random_state = random_state

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        check_scalar(self.n_topics, "n_topics", numbers.Integral, low=1)
        check_scalar(self.alpha, "alpha", low=0, low_inclusive=False, allow_none=True)
        check_scalar(self.beta, "beta", low=0, low_inclusive=False)
        check_scalar(self.n_iter, "n_iter", numbers.Integral, low=1)
        check_scalar(self.burn_in, "burn_in", numbers.Integral, low=0, high=self.n_iter - 1, allow_none=True)
        check_scalar(self.n_words, "n_words", numbers.Integral, low=1, allow_none=True)

    def _alpha(self):
        return 50.0 / self.n_topics if self.alpha is None else float(self.alpha)

    def _burn(self):
        return self.n_iter // 2 if self.burn_in is None else self.burn_in

    def fit(self, X, y=None, progress=None):
        """Run the Gibbs sampler on the corpus ``X``.

        Parameters
        ----------
        X : array (D, V) of counts, scipy sparse matrix, or list of 1-D token-id arrays
        y : ignored
        progress : bool or None
            tqdm bar over sweeps (None: only on a terminal).

        Returns
        -------
        self
        """
        corpus = as_corpus(X, self.n_words, need_tokens="fit")
        K, V, D = self.n_topics, corpus.n_words, corpus.n_docs
        a, b = self._alpha(), float(self.beta)
        rng = check_random_state(self.random_state)
        g = _Slots(corpus, rng)
        z = np.where(g.valid, rng.integers(0, K, g.word.shape), 0)
        ndk = np.zeros((D, K), dtype=np.int64)
        np.add.at(ndk, (np.nonzero(g.valid)[0], z[g.valid]), 1)
        nwk = np.bincount(g.word[g.valid] * K + z[g.valid], minlength=V * K).reshape(V, K)
        nk = nwk.sum(axis=0)
        phi_sum, theta_sum, kept = np.zeros((K, V)), np.zeros((D, K)), 0
        for sweep in progress_iter(range(self.n_iter), progress, "smoothed_lda Gibbs"):
            # loop over token positions; each step updates one token of every document
            for p in range(g.width):
                n = g.active[p]
                w, old = g.word[:n, p], z[:n, p].copy()
                rows = np.arange(n)
                nw = nwk[w]
                prob = (ndk[:n] + a) * (nw + b) / (nk + V * b)
                # the token's own (current) topic: counts without the token itself
                prob[rows, old] = ((ndk[rows, old] - 1 + a) * (nw[rows, old] - 1 + b)
                                   / (nk[old] - 1 + V * b))
                new = _draw(prob, rng.random(n))
                z[:n, p] = new
                ndk[rows, old] -= 1
                ndk[rows, new] += 1
                delta = np.bincount(w * K + new, minlength=V * K) - np.bincount(w * K + old, minlength=V * K)
                nwk += delta.reshape(V, K)
                nk += np.bincount(new, minlength=K) - np.bincount(old, minlength=K)
            if sweep >= self._burn():
                phi_sum += ((nwk + b) / (nk + V * b)).T
                theta_sum += (ndk + a) / (g.lens[:, None] + K * a)
                kept += 1
        theta = np.empty((D, K))
        theta[g.order] = theta_sum / kept
        self.topic_word_ = phi_sum / kept
        self.doc_topic_ = theta
        self.alpha_ = np.full(K, a)
        inverse = np.empty(D, dtype=np.intp)
        inverse[g.order] = np.arange(D)
        self.assignments_ = np.concatenate([z[inverse[d], : g.lens[inverse[d]]] for d in range(D)]) \
            if D else np.zeros(0, np.int64)                              # loop over documents, once
        self.word_topic_counts_ = nwk
        self.n_words_ = V
        return self

    def transform(self, X):
        """Document-topic proportions (D, K) of new documents, by Gibbs sampling with the
        learned topics fixed (``p(z = k) ∝ (n_dk + alpha) phi_kw``), averaged after burn-in."""
        check_is_fitted(self, "topic_word_")
        corpus = as_corpus(X, self.n_words_)
        K, D, a = self.n_topics, corpus.n_docs, self.alpha_[0]
        rng = check_random_state(self.random_state)
        phiT = self.topic_word_.T                                       # (V, K)
        g = _Slots(corpus, rng)
        z = np.where(g.valid, rng.integers(0, K, g.word.shape), 0)
        ndk = np.zeros((D, K), dtype=np.int64)
        np.add.at(ndk, (np.nonzero(g.valid)[0], z[g.valid]), 1)
        theta_sum, kept = np.zeros((D, K)), 0
        for sweep in range(self.n_iter):  # Gibbs sweeps
            for p in range(g.width):  # token positions, every document at once
                n = g.active[p]
                rows = np.arange(n)
                w, old = g.word[:n, p], z[:n, p].copy()
                ndk[rows, old] -= 1
                new = _draw((ndk[:n] + a) * phiT[w], rng.random(n))
                ndk[rows, new] += 1
                z[:n, p] = new
            if sweep >= self._burn():
                theta_sum += (ndk + a) / (g.lens[:, None] + K * a)
                kept += 1
        theta = np.empty((D, K))
        theta[g.order] = theta_sum / kept
        return theta

    def perplexity(self, X):
        """``exp(-sum_d sum_w n_dw log sum_k theta_dk phi_kw / N)`` with ``theta`` from :meth:`transform`."""
        corpus = as_corpus(X, self.n_words_, need_tokens="perplexity")
        theta = self.transform(X)
        p = np.einsum("nk,kn->n", theta[corpus.doc], self.topic_word_[:, corpus.word])
        return float(np.exp(-(corpus.count * np.log(p)).sum() / corpus.count.sum()))

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        docs = [rng.integers(0, 12, n) for n in (5, 9, 3, 12, 7, 8)]
        return {"spec": "smoothed_lda(n_topics=3, n_iter=10, random_state=0)", "fit": (docs,)}
