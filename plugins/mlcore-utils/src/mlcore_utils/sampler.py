"""Sampling from a discrete distribution with Vose's alias method."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.validation import check_array, check_random_state, check_scalar

__all__ = ["DiscreteSampler"]


class DiscreteSampler:
    """Draw integers ``0..K-1`` with given probabilities in ``O(1)`` each (alias method).

    Parameters
    ----------
    probs : array-like (K,)
        Probabilities (non-negative, summing to 1 within 1e-8), or log-probabilities when
        ``log=True`` (normalised, ``-inf`` allowed).
    log : bool, default False
    with_replacement : bool, default True
        Without replacement, each call returns distinct outcomes (successive sampling:
        each draw is proportional to the probabilities of the outcomes not drawn yet).
    random_state : int, numpy Generator or None

    Attributes
    ----------
    probs_ : ndarray (K,)
        The normalised probabilities.
    prob_table_ : ndarray (K,)
    alias_table_ : ndarray of int (K,)
        Vose's tables: column ``i`` is kept with probability ``prob_table_[i]``, otherwise
        replaced by ``alias_table_[i]``.

    Notes
    -----
    **Vose's alias method.** Scale the probabilities to ``p_i K``; repeatedly pair a
    "small" column (``< 1``) with a "large" one, topping the small column up to 1 with
    mass from the large one (its alias). Sampling: pick a column uniformly, keep it with
    probability ``prob_table_[col]``, else take its alias. Building is ``O(K)``, each draw
    ``O(1)``; draws are vectorised.

    **Without replacement** uses the Gumbel-top-k trick (Vieira, 2014): the indices of
    the ``n`` largest ``log p_i + G_i`` with i.i.d. standard Gumbel ``G_i`` are distributed
    as ``n`` successive draws without replacement. Asking for more outcomes than have
    non-zero probability is a ValueError (numpy-ml looped forever).

    References
    ----------
    Vose, M. D. (1991). A linear algorithm for generating random numbers with a given
    distribution. IEEE Transactions on Software Engineering 17(9).

    Example
    -------
    >>> s = DiscreteSampler([0.1, 0.2, 0.7], random_state=0)
    >>> s(5).shape
    (5,)
    """

    def __init__(self, probs, log: bool = False, with_replacement: bool = True, random_state=None):
        p = check_array(probs, name="probs", ndim=1, allow_nan=log)
        if log:
            if np.any(np.isnan(p)) or np.any(p == np.inf) or not np.any(np.isfinite(p)):
                raise ValueError("log-probabilities must be finite or -inf, with at least one finite")
            p = np.exp(p - np.max(p))
            p = p / p.sum()
        if np.any(p < 0) or abs(p.sum() - 1.0) > 1e-8:
            raise ValueError(f"probs must be non-negative and sum to 1, got sum {p.sum()!r}")
        self.log = log
        self.with_replacement = with_replacement
        self.random_state = random_state
        self._rng = check_random_state(random_state)
        self.probs_ = p / p.sum()
        self.prob_table_, self.alias_table_ = self._build(self.probs_)

    @staticmethod
    def _build(p):
        K = len(p)
        scaled = p * K
        prob = np.ones(K)
        alias = np.arange(K)
        small = list(np.flatnonzero(scaled < 1.0))
        large = list(np.flatnonzero(scaled >= 1.0))
        # Vose's pairing is a sequential stack algorithm: one O(1) step per outcome
        while small and large:
            s, g = small.pop(), large.pop()
            prob[s], alias[s] = scaled[s], g
            scaled[g] = scaled[g] + scaled[s] - 1.0
            (small if scaled[g] < 1.0 else large).append(g)
        for i in small + large:  # left-overs are 1 up to rounding
            prob[i] = 1.0
        return prob, alias

    def sample(self, n_samples: int = 1):
        """``n_samples`` outcomes as an int array of shape ``(n_samples,)``."""
        n_samples = check_scalar(n_samples, "n_samples", numbers.Integral, low=0)
        rng = self._rng
        if not self.with_replacement:
            support = int(np.count_nonzero(self.probs_))
            if n_samples > support:
                raise ValueError(f"cannot draw {n_samples} distinct outcomes without replacement: only "
                                 f"{support} have non-zero probability")
            with np.errstate(divide="ignore"):
                keys = np.log(self.probs_) + rng.gumbel(size=len(self.probs_))
            return np.argsort(-keys, kind="stable")[:n_samples]
        cols = rng.integers(len(self.probs_), size=n_samples)
        keep = rng.random(n_samples) < self.prob_table_[cols]
        return np.where(keep, cols, self.alias_table_[cols])

    def __call__(self, n_samples: int = 1):
        return self.sample(n_samples)
