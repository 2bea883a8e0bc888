"""Simple Good-Turing (Gale and Sampson, 1995) smoothed word n-gram language model."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.validation import check_scalar

from . import _counts
from .base import NGramModel

__all__ = ["GoodTuringNGram", "simple_good_turing"]


def simple_good_turing(r, n_r, confidence: float = 1.96) -> dict:
    """Simple Good-Turing estimates from a frequency-of-frequencies table.

    Parameters
    ----------
    r : array-like of int, shape (R,)
        The distinct non-zero frequencies, strictly increasing.
    n_r : array-like of int, shape (R,)
        ``N_r``: how many types occur exactly ``r`` times (all > 0).
    confidence : float, default 1.96
        Width, in standard deviations, of the band within which the Turing and the
        smoothed estimates count as "not significantly different" (1.96: 95 %).

    Returns
    -------
    dict with
        ``r_star`` (R,) adjusted counts; ``smoothed_n_r`` (R,) ``S(r) = exp(a + b log r)``;
        ``z`` (R,) averaged ``Z_r``; ``intercept`` a and ``slope`` b of the log-log fit;
        ``p`` (R,) probability of ONE type of frequency r; ``p0`` total probability of
        the unseen types ``N_1 / N``; ``n_turing`` how many of the smallest r use the
        Turing estimate.

    Notes
    -----
    With ``N = sum_r r N_r``:

    1. Averaging (Church and Gale): ``Z_r = 2 N_r / (t - q)`` where q and t are the
       previous and next frequencies in the table (``q = 0`` for the first one,
       ``t = 2 r - q`` for the last one).
    2. Least-squares line ``log Z_r = a + b log r``; ``S(r) = exp(a + b log r)``.
    3. Turing estimate ``x_r = (r + 1) N_{r+1} / N_r``, smoothed estimate
       ``y_r = (r + 1) S(r + 1) / S(r)``. Starting at the smallest r, ``r* = x_r`` while
       ``|x_r - y_r| > confidence * sqrt((r + 1)^2 (N_{r+1} / N_r^2) (1 + N_{r+1} / N_r))``
       and ``r + 1`` is in the table; from the first r where this fails on, ``r* = y_r``.
    4. ``p0 = N_1 / N``; ``p_r = (1 - p0) r* / N'`` with ``N' = sum_r N_r r*``, so
       ``p0 + sum_r N_r p_r = 1``.

    With fewer than two distinct frequencies no line can be fitted: ``r* = r``
    (``slope`` and ``intercept`` are NaN), the unseen mass ``N_1 / N`` is still reserved.

    References
    ----------
    Gale, W. A. and Sampson, G. (1995). Good-Turing frequency estimation without tears.
    *Journal of Quantitative Linguistics* 2(3), 217-237.
    Church, K. W. and Gale, W. A. (1991). A comparison of the enhanced Good-Turing and
    deleted estimation methods for estimating probabilities of English bigrams.
    *Computer Speech & Language* 5(1), 19-54.

    Example
    -------
    >>> out = simple_good_turing([1, 2, 3], [10, 4, 1])
    >>> round(out["p0"], 4)    # N_1 / N = 10 / 21
    0.4762
    """
    r = np.asarray(r, dtype=np.float64)
    n_r = np.asarray(n_r, dtype=np.float64)
    if r.ndim != 1 or r.shape != n_r.shape or len(r) == 0:
        raise ValueError(f"r and n_r must be 1-D of the same non-zero length, got {r.shape} and {n_r.shape}")
    if np.any(np.diff(r) <= 0) or r[0] < 1 or np.any(n_r <= 0):
        raise ValueError("r must be strictly increasing positive frequencies and n_r positive counts")
    check_scalar(confidence, "confidence", numbers.Real, low=0)
    N = float(np.dot(r, n_r))
    p0 = float(n_r[0] / N) if r[0] == 1 else 0.0
    R = len(r)
    if R < 2:
        r_star = r.copy()
        smoothed = n_r.copy()
        z = n_r.copy()
        a = b = float("nan")
        n_turing = 0
    else:
        q = np.concatenate([[0.0], r[:-1]])
        t = np.concatenate([r[1:], [2 * r[-1] - q[-1]]])
        z = 2 * n_r / (t - q)
        lx, ly = np.log(r), np.log(z)
        b = float(np.sum((lx - lx.mean()) * (ly - ly.mean())) / np.sum((lx - lx.mean()) ** 2))
        a = float(ly.mean() - b * lx.mean())
        smoothed = np.exp(a + b * np.log(r))
        y = (r + 1) * np.exp(b * (np.log(r + 1) - np.log(r)))   # (r+1) S(r+1) / S(r)
        # Turing estimate where r + 1 is in the table (N_{r+1} of the next row)
        has_next = np.concatenate([r[1:] == r[:-1] + 1, [False]])
        n_next = np.where(has_next, np.concatenate([n_r[1:], [0.0]]), 0.0)
        x = (r + 1) * n_next / n_r
        band = confidence * np.sqrt((r + 1) ** 2 * n_next / n_r ** 2 * (1 + n_next / n_r))
        keep_turing = has_next & (np.abs(x - y) > band)
        # the switch is one-way: Turing up to the first failure, smoothed from there on
        n_turing = int(np.argmin(keep_turing)) if not keep_turing.all() else R
        r_star = np.where(np.arange(R) < n_turing, x, y)
    n_prime = float(np.dot(n_r, r_star))
    p = (1 - p0) * r_star / n_prime
    return {"r_star": r_star, "smoothed_n_r": smoothed, "z": z, "intercept": a, "slope": b,
            "p": p, "p0": p0, "n_turing": n_turing}


class GoodTuringNGram(NGramModel):
    """Simple Good-Turing n-gram language model with properly conditional probabilities.

    Parameters
    ----------
    n : int, default 3
        Order of the model.
    confidence : float, default 1.96
        Confidence factor of the Turing-to-smoothed switch rule (Gale and Sampson).
    min_count, tokenizer, lowercase, bos, eos, unk
        As in :class:`MLENGram`.

    Attributes
    ----------
    vocab_, ngram_keys_, ngram_counts_, context_totals_, n_sentences_, n_words_
        As in :class:`MLENGram`.
    gt_r_, gt_n_r_ : list of n arrays
        Per order m (index m - 1): distinct frequencies r and ``N_r``.
    gt_r_star_, gt_smoothed_n_r_, gt_prob_ : list of n float arrays
        Adjusted counts r*, smoothed ``S(r)`` and the joint probability ``p_r`` of one
        m-gram seen r times.
    gt_p0_ : ndarray, shape (n,)
        ``N_1 / N`` per order: total joint mass of the unseen m-grams.
    gt_p_unseen_ : ndarray, shape (n,)
        Joint mass of ONE unseen m-gram, ``p0 / (V^m - #seen m-grams)``.
    gt_slope_, gt_intercept_ : ndarray, shape (n,)
        The log-log fit per order (NaN when it cannot be fitted).
    gt_log_norm_ : list of n float arrays
        ``log Z_h`` for each row h of the order-(m-1) table.

    Notes
    -----
    For each order m, Simple Good-Turing (:func:`simple_good_turing`) turns the m-gram
    counts into joint probabilities: ``p_{c(h,w)}`` for a seen m-gram, and the unseen
    mass ``N_1 / N`` shared equally by the ``V^m - S_m`` unseen m-grams. The conditional
    probability renormalises the joint over the vocabulary,

    .. math:: P(w \\mid h) = \\frac{p(h, w)}{Z_h}, \\qquad
              Z_h = \\sum_{w: c(h,w)>0} p_{c(h,w)} + (V - s_h)\\, p_{unseen},

    (``s_h`` distinct continuations of h), so it sums to 1 over the vocabulary for every
    seen context. **Back-off for unseen contexts**: if h was never followed by a token
    (``c(h, .) = 0``), ``P(w | h) = P(w | h')`` with h' = h without its first token,
    recursively down to the unigram distribution (context always seen); each of these
    is normalised, so the result is too.

    References
    ----------
    Gale, W. A. and Sampson, G. (1995). Good-Turing frequency estimation without tears.
    *Journal of Quantitative Linguistics* 2(3), 217-237.
    Good, I. J. (1953). The population frequencies of species and the estimation of
    population parameters. *Biometrika* 40(3/4), 237-264.

    Example
    -------
    >>> import mlcore
    >>> import numpy as np
    >>> lm = mlcore.build("good_turing_ngram(n=2)").fit(["a b a b", "a c", "b a"])
    >>> p = np.exp([lm.log_prob_ngram(["a"], w) for w in lm.vocab_])
    >>> round(float(p.sum()), 12)
    1.0
    """

    _registered_name = "good_turing_ngram"

    def __init__(self, n: int = 3, confidence: float = 1.96, min_count: int = 1,
                 tokenizer: str = "whitespace", lowercase: bool = False, bos: str = "<s>",
                 eos: str = "</s>", unk: str = "<unk>"):
        self.confidence = confidence
        self._store_common(n, min_count, tokenizer, lowercase, bos, eos, unk)

    def _check_params(self):
        super()._check_params()
        check_scalar(self.confidence, "confidence", numbers.Real, low=0)

    def _fit_smoothing(self):
        V = len(self.vocab_)
        names = ("r", "n_r", "r_star", "smoothed_n_r", "prob", "log_norm")
        tables = {k: [] for k in names}
        p0s, p_unseen, slopes, intercepts = [], [], [], []
        for m, (keys, counts) in enumerate(zip(self.ngram_keys_, self.ngram_counts_), start=1):
            r, n_r = np.unique(counts, return_counts=True)   # each order on its own
            sgt = simple_good_turing(r, n_r, self.confidence)
            n_unseen = float(V) ** m - len(keys)
            pu = sgt["p0"] / n_unseen if n_unseen > 0 else 0.0
            p_gram = sgt["p"][np.searchsorted(r, counts)]
            n_ctx = 1 if m == 1 else len(self.ngram_keys_[m - 2])
            seen_sum = _counts.context_sums(keys, p_gram, V, n_ctx)
            n_types = np.bincount(keys // V, minlength=n_ctx)
            with np.errstate(divide="ignore"):
                log_norm = np.log(seen_sum + (V - n_types) * pu)
            for k, v in zip(names, (r.astype(np.int64), n_r.astype(np.int64), sgt["r_star"],
                                    sgt["smoothed_n_r"], sgt["p"], log_norm)):
                tables[k].append(v)
            p0s.append(sgt["p0"])
            p_unseen.append(pu)
            slopes.append(sgt["slope"])
            intercepts.append(sgt["intercept"])
        for k in names:
            setattr(self, f"gt_{k}_", tables[k])
        self.gt_p0_ = np.array(p0s)
        self.gt_p_unseen_ = np.array(p_unseen)
        self.gt_slope_ = np.array(slopes)
        self.gt_intercept_ = np.array(intercepts)

    def _log_cond(self, ctx, w):
        m, row, total = self._context_stats(ctx)
        out = np.empty(len(w))
        seen = total > 0
        if m > 1 and not seen.all():   # back-off: drop the oldest context token
            out[~seen] = self._log_cond(ctx[~seen, 1:], w[~seen])
        if seen.any():
            rs, ws = row[seen], w[seen]
            c = self._gram_counts(m, rs, ws)
            p_seen = self.gt_prob_[m - 1][np.searchsorted(self.gt_r_[m - 1], c)
                                          .clip(0, len(self.gt_r_[m - 1]) - 1)]
            with np.errstate(divide="ignore"):
                logp = np.where(c > 0, np.log(p_seen), np.log(self.gt_p_unseen_[m - 1]))
            out[seen] = logp - self.gt_log_norm_[m - 1][rs]
        return out
