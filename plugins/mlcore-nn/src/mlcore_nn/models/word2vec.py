"""``word2vec``: skip-gram and CBOW word embeddings trained with negative sampling."""

from __future__ import annotations

import os

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.progress import progress_bar
from mlcore.validation import check_choice, check_is_fitted, check_random_state, check_scalar

from ..functional import sigmoid as _sigmoid
from ..layers._base import check_int

__all__ = ["UNK", "Word2Vec"]

UNK = "<unk>"


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _read_sentences(X, corpus_file, lowercase):
    """Token lists from ``X`` (sentences) or from ``corpus_file`` (paths), never a guess between them.

    A string in ``X`` is always a sentence, even when it happens to name a file: reading a
    file needs the explicit ``corpus_file`` argument (CONTRIBUTING, "a text is never a path").
    """
    if (X is None) == (corpus_file is None):
        raise TypeError("word2vec.fit takes sentences X or corpus_file=path(s), exactly one of them")
    out = []
    if corpus_file is not None:
        paths = [corpus_file] if isinstance(corpus_file, (str, os.PathLike)) else list(corpus_file)
        for path in paths:
            if not isinstance(path, (str, os.PathLike)):
                raise TypeError(f"corpus_file must be a path or a list of paths, got {type(path).__name__}")
            with open(path, encoding="utf-8-sig") as fh:
                out.extend(line.split() for line in fh)
    else:
        if isinstance(X, (str, bytes, os.PathLike)):
            raise TypeError(f"X must be a list of sentences, not a single {type(X).__name__}; "
                            "to read a file pass corpus_file=path")
        for s in X:
            if isinstance(s, os.PathLike):
                raise TypeError("a sentence of X is a path object; to read files pass corpus_file=[...]")
            out.append(s.split() if isinstance(s, str) else [str(t) for t in s])
    if lowercase:
        out = [[t.lower() for t in s] for s in out]
    return [s for s in out if s]


class Word2Vec(Estimator):
    """Word embeddings by skip-gram or CBOW with negative sampling (Mikolov et al. 2013).

    Parameters
    ----------
    embedding_dim : int, default 100
    window : int, default 5
        Maximum context distance; each centre word draws its window b ~ U{1..window}.
    architecture : {"skip_gram", "cbow"}
        Skip-gram predicts each context word from the centre; CBOW predicts the centre from
        the mean of its context vectors.
    negative : int, default 5
        Noise words per positive example, drawn from the unigram distribution raised to
        ``noise_power`` (never the special token ``<unk>``; a noise word equal to the
        target is ignored, as in word2vec.c).
    noise_power : float, default 0.75
    subsample : float, default 1e-3
        Threshold t of frequent-word subsampling: an occurrence of w (corpus frequency f)
        is kept with probability min(1, (sqrt(f / t) + 1) t / f) (word2vec.c); 0 disables.
    min_count : int, default 1
        Rarer words become ``<unk>``, which is dropped from the training windows.
    learning_rate, min_learning_rate : float
        SGD step, decayed linearly over training (0.025 / 1e-4; CBOW often uses 0.05).
    epochs : int, default 5
    batch_size : int, default 512
        Training pairs per vectorised SGD step (updates of one batch are summed, as the
        asynchronous updates of word2vec.c would be).
    lowercase : bool, default False
    random_state : int, Generator or None

    Attributes
    ----------
    vocab_ : ndarray of str (V,)
        ``<unk>`` first, then words by decreasing count.
    counts_ : ndarray of int (V,)
    embedding_ : ndarray (V, embedding_dim)
        Input ("word") vectors, the embedding; ``output_`` holds the context vectors.
    history_ : dict
        ``loss`` per epoch (mean negative-sampling loss per positive pair). Training speed
        (not part of the saved state, being timing) is the property ``words_per_second``.

    Notes
    -----
    For a positive pair (w, c) and noise words n_1..n_k:
    L = -log sigmoid(u_c . v_w) - sum_j log sigmoid(-u_nj . v_w) (``nce_loss`` without
    log-noise correction); dL/ds = sigmoid(s) - y, so dv_w = sum_j (sigmoid(s_j) - y_j) u_j
    and du_j = (sigmoid(s_j) - y_j) v_w. In CBOW v is the mean of the context vectors and
    each receives dv / |context|.

    References
    ----------
    Mikolov, Chen, Corrado, Dean (2013). Efficient estimation of word representations in
    vector space. ICLR workshop. Mikolov, Sutskever, Chen, Corrado, Dean (2013). Distributed
    representations of words and phrases and their compositionality. NeurIPS.

    Example
    -------
    >>> import mlcore
    >>> w2v = mlcore.build("word2vec(embedding_dim=16, epochs=2, random_state=0)")
    >>> w2v.fit([["the", "cat", "sat"], ["the", "dog", "sat"]]).embedding(["cat"]).shape
    (1, 16)
    """

    _estimator_type = "transformer"
    #: input: tokenised sentences, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True}

    def __init__(self, embedding_dim: int = 100, window: int = 5, architecture: str = "skip_gram",
                 negative: int = 5, noise_power: float = 0.75, subsample: float = 1e-3, min_count: int = 1,
                 learning_rate: float = 0.025, min_learning_rate: float = 1e-4, epochs: int = 5,
                 batch_size: int = 512, lowercase: bool = False, random_state=None):
        self.embedding_dim = embedding_dim
        self.window = window
        self.architecture = architecture
        self.negative = negative
        self.noise_power = noise_power
        self.subsample = subsample
        self.min_count = min_count
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.lowercase = lowercase
        self.random_state = random_state

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        check_int(self.embedding_dim, "embedding_dim")
        check_int(self.window, "window")
        check_choice(self.architecture, "architecture", ("skip_gram", "cbow"))
        check_int(self.negative, "negative")
        check_scalar(self.noise_power, "noise_power", low=0)
        check_scalar(self.subsample, "subsample", low=0)
        check_int(self.min_count, "min_count")
        check_scalar(self.learning_rate, "learning_rate", low=0, low_inclusive=False)
        check_scalar(self.min_learning_rate, "min_learning_rate", low=0)
        check_int(self.epochs, "epochs")
        check_int(self.batch_size, "batch_size")
        if not isinstance(self.lowercase, bool):
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"lowercase must be True or False, got {self.lowercase!r}")

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        words = [f"w{i}" for i in range(12)]
        sents = [[words[j] for j in rng.integers(0, 12, 8)] for _ in range(20)]
        return {"spec": "word2vec(embedding_dim=8, epochs=2, window=2, random_state=0)", "fit": (sents,)}

    # ------------------------------------------------------------------ vocabulary
    def _build_vocab(self, sents):
        words, counts = np.unique(np.concatenate([np.asarray(s, dtype=str) for s in sents]), return_counts=True)
        keep = (counts >= self.min_count) & (words != UNK)
        order = np.lexsort((words[keep], -counts[keep]))
        vocab = np.concatenate([[UNK], words[keep][order]])
        cnt = np.concatenate([[int(counts[~keep].sum())], counts[keep][order]]).astype(np.int64)
        return vocab, cnt

    def _encode(self, sents):
        index = {w: i for i, w in enumerate(self.vocab_.tolist())}
        return [np.fromiter((index.get(t, 0) for t in s), dtype=np.int64, count=len(s)) for s in sents]

    @property
    def noise_distribution_(self):
        """Noise probabilities q(w) proportional to count^noise_power, 0 for ``<unk>``."""
        check_is_fitted(self, "counts_")
        q = self.counts_.astype(np.float64) ** self.noise_power
        q[0] = 0.0
        return q / q.sum()

    # ------------------------------------------------------------------ training
    def _pairs(self, ids, sent_id, rng):
        """(centre positions, context positions) within each sentence's reduced window."""
        b = rng.integers(1, self.window + 1, size=len(ids))
        cs, xs = [], []
        for o in range(1, self.window + 1):   # loop over window offsets (<= window), vectorised over tokens
            i = np.arange(len(ids) - o)
            same = sent_id[i] == sent_id[i + o]
            for c, x in ((i, i + o), (i + o, i)):
                m = same & (b[c] >= o)
                cs.append(c[m])
                xs.append(x[m])
        return np.concatenate(cs), np.concatenate(xs)

    def fit(self, X=None, y=None, progress=None, *, corpus_file=None):
        """Train on ``X`` or on ``corpus_file``; returns self.

        Parameters
        ----------
        X : list of sentences, optional
            Each a token list or a whitespace-separated string. A string is always text,
            never opened as a file, even when it names one.
        y : ignored
        progress : bool or None
            Progress bar over the epochs (see :func:`mlcore.progress_iter`).
        corpus_file : path or list of paths, optional
            Read the sentences from these UTF-8 files, one sentence per line, instead of ``X``.
        """
        import time

        sents = _read_sentences(X, corpus_file, self.lowercase)
        if not sents:
            raise ValueError("word2vec needs at least one non-empty sentence")
        rng = check_random_state(self.random_state)
        self.vocab_, self.counts_ = self._build_vocab(sents)
        V, d = len(self.vocab_), self.embedding_dim
        if V < 2:
            raise ValueError("the vocabulary has no word with count >= min_count")
        self.embedding_ = ((rng.random((V, d)) - 0.5) / d)
        self.output_ = np.zeros((V, d))
        enc = self._encode(sents)
        ids_all = np.concatenate(enc)
        sid_all = np.repeat(np.arange(len(enc)), [len(e) for e in enc])
        keep = ids_all != 0
        ids_all, sid_all = ids_all[keep], sid_all[keep]
        total = self.counts_[1:].sum()
        if self.subsample > 0:
            f = self.counts_ / total
            with np.errstate(divide="ignore"):
                p_keep = np.minimum(1.0, (np.sqrt(f / self.subsample) + 1) * self.subsample / np.maximum(f, 1e-300))
        else:
            p_keep = np.ones(V)
        cdf = np.cumsum(self.noise_distribution_)
        cdf /= cdf[-1]
        self.history_ = {"loss": []}
        self._speed = []
        est_steps = max(1, self.epochs * int(np.ceil(len(ids_all) * self.window / self.batch_size)))
        step = 0
        bar = progress_bar(progress, self.epochs, unit="epoch")
        for _ in range(self.epochs):  # epochs and SGD steps are sequential
            t0 = time.perf_counter()
            m = rng.random(len(ids_all)) < p_keep[ids_all]
            ids, sid = ids_all[m], sid_all[m]
            c, x = self._pairs(ids, sid, rng)
            if self.architecture == "skip_gram":
                order = rng.permutation(len(c))
                centres, contexts = ids[c[order]], ids[x[order]]
                n_ex = len(centres)
            else:
                centres, ctx, cnt = self._cbow_contexts(ids, c, x, rng)
                n_ex = len(centres)
            tot_loss, n_pairs = 0.0, 0
            for s in range(0, n_ex, self.batch_size):
                frac = min(1.0, step / est_steps)
                lr = self.learning_rate + (self.min_learning_rate - self.learning_rate) * frac
                sl = slice(s, s + self.batch_size)
                if self.architecture == "skip_gram":
                    loss = self._sgd_skipgram(centres[sl], contexts[sl], cdf, lr, rng)
                else:
                    loss = self._sgd_cbow(centres[sl], ctx[sl], cnt[sl], cdf, lr, rng)
                tot_loss += loss
                n_pairs += len(centres[sl])
                step += 1
            dt = time.perf_counter() - t0
            self.history_["loss"].append(tot_loss / max(n_pairs, 1))
            self._speed.append(len(ids_all) / dt if dt > 0 else float("inf"))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{self.history_['loss'][-1]:.4f}")
        if bar is not None:
            bar.close()
        self.n_words_ = len(ids_all)
        return self

    def _negatives(self, targets, cdf, rng):
        N = np.searchsorted(cdf, rng.random((len(targets), self.negative)), side="right")
        np.minimum(N, len(cdf) - 1, out=N)
        return N

    def _scores(self, v, targets, cdf, rng):
        """Gradient factors g = sigmoid(s) - y for [target, noise...] and the loss."""
        N = self._negatives(targets, cdf, rng)
        ids = np.concatenate([targets[:, None], N], axis=1)           # (B, 1 + k)
        U = self.output_[ids]                                          # (B, 1 + k, d)
        s = np.einsum("bkd,bd->bk", U, v)
        y = np.zeros_like(s)
        y[:, 0] = 1.0
        valid = np.ones_like(s)
        valid[:, 1:] = N != targets[:, None]                           # accidental hits ignored
        loss = float((valid * (_softplus(s) - y * s)).sum())
        g = (_sigmoid(s) - y) * valid
        return ids, U, g, loss

    def _sgd_skipgram(self, centres, contexts, cdf, lr, rng):
        v = self.embedding_[centres]
        ids, U, g, loss = self._scores(v, contexts, cdf, rng)
        dv = np.einsum("bk,bkd->bd", g, U)
        dU = g[:, :, None] * v[:, None, :]
        np.add.at(self.output_, ids.reshape(-1), -lr * dU.reshape(-1, self.embedding_dim))
        np.add.at(self.embedding_, centres, -lr * dv)
        return loss

    def _cbow_contexts(self, ids, c, x, rng):
        """Per centre position: its context word ids (padded with -1) and their count."""
        order = np.lexsort((x, c))
        c, x = c[order], x[order]
        centres_pos, start, cnt = np.unique(c, return_index=True, return_counts=True)
        width = 2 * self.window
        ctx = np.full((len(centres_pos), width), -1, dtype=np.int64)
        slot = np.arange(len(c)) - np.repeat(start, cnt)
        ctx[np.repeat(np.arange(len(centres_pos)), cnt), slot] = ids[x]
        perm = rng.permutation(len(centres_pos))
        return ids[centres_pos[perm]], ctx[perm], cnt[perm]

    def _sgd_cbow(self, centres, ctx, cnt, cdf, lr, rng):
        mask = ctx >= 0
        safe = np.where(mask, ctx, 0)
        h = (self.embedding_[safe] * mask[:, :, None]).sum(axis=1) / cnt[:, None]
        ids, U, g, loss = self._scores(h, centres, cdf, rng)
        dh = np.einsum("bk,bkd->bd", g, U) / cnt[:, None]
        dU = g[:, :, None] * h[:, None, :]
        np.add.at(self.output_, ids.reshape(-1), -lr * dU.reshape(-1, self.embedding_dim))
        rows = np.repeat(np.arange(len(ctx)), mask.sum(axis=1))
        np.add.at(self.embedding_, ctx[mask], -lr * dh[rows])
        return loss

    @property
    def words_per_second(self):
        """Corpus words processed per second in each epoch of the last ``fit`` (timing)."""
        return list(self.__dict__.get("_speed", []))

    # ------------------------------------------------------------------ queries
    def _index(self, words):
        check_is_fitted(self, "embedding_")
        index = {w: i for i, w in enumerate(self.vocab_.tolist())}
        out = []
        for w in words:
            w = w.lower() if self.lowercase else w
            if w not in index or w == UNK:
                raise KeyError(f"word {w!r} is not in the vocabulary")
            out.append(index[w])
        return np.asarray(out, dtype=np.int64)

    def embedding(self, words=None):
        """Vectors of ``words`` (list of str) as (len(words), embedding_dim); all when None."""
        check_is_fitted(self, "embedding_")
        if words is None:
            return self.embedding_.copy()
        if isinstance(words, str):
            words = [words]
        return self.embedding_[self._index(words)]

    def transform(self, X):
        """Mean embedding of each sentence's known words (zeros when none), (n, embedding_dim)."""
        check_is_fitted(self, "embedding_")
        sents = [s.split() if isinstance(s, str) else list(s) for s in X]
        index = {w: i for i, w in enumerate(self.vocab_.tolist())}
        out = np.zeros((len(sents), self.embedding_dim))
        for i, s in enumerate(sents):  # ragged sentences
            ids = [index[t] for t in s if index.get(t, 0) > 0]
            if ids:
                out[i] = self.embedding_[ids].mean(axis=0)
        return out

    def most_similar(self, word, topn: int = 10):
        """The ``topn`` words of highest cosine similarity to ``word``: list of (word, cosine)."""
        i = int(self._index([word])[0])
        E = self.embedding_
        norms = np.linalg.norm(E, axis=1)
        norms[norms == 0] = 1.0
        sim = (E @ E[i]) / (norms * norms[i])
        sim[[0, i]] = -np.inf
        top = np.argsort(-sim, kind="stable")[:topn]
        return [(str(self.vocab_[j]), float(sim[j])) for j in top]
