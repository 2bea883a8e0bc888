"""Mini-batch index iterator."""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlcore.validation import check_random_state

__all__ = ["Minibatches", "minibatch"]


class Minibatches:
    """Iterable of index arrays over ``n`` samples; ``len()`` is the number of batches.

    Each iteration draws a fresh permutation (when shuffling) from the generator made
    from ``random_state`` once, so two iterators built with the same seed give the same
    batches, epoch after epoch.
    """

    def __init__(self, n, batch_size, shuffle, drop_last, random_state):
        self.n, self.batch_size, self.shuffle, self.drop_last = n, batch_size, shuffle, drop_last
        self._rng = check_random_state(random_state) if shuffle else None

    def __len__(self):
        return self.n // self.batch_size if self.drop_last else math.ceil(self.n / self.batch_size)

    def __iter__(self):
        order = self._rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        for b in range(len(self)):
            yield order[b * self.batch_size: (b + 1) * self.batch_size]


def minibatch(X, batch_size: int = 256, shuffle: bool = True, random_state=None,
              drop_last: bool = False) -> Minibatches:
    """Indices of mini-batches over the samples of ``X``.

    Parameters
    ----------
    X : array_like or int
        Data (its first axis is split) or the number of samples.
    batch_size : int
    shuffle : bool
        Random order (a new permutation each time the result is iterated).
    random_state : int, numpy.random.Generator or None
    drop_last : bool
        Drop the final incomplete batch.

    Returns
    -------
    Minibatches
        Iterable of int arrays; ``len()`` gives the number of batches.

    Example
    -------
    >>> [b.tolist() for b in minibatch(5, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    if isinstance(X, numbers.Integral) and not isinstance(X, bool):
        n = int(X)
    else:
        n = len(X)
    if n < 1:
        raise ValueError(f"need at least one sample, got {n}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return Minibatches(n, int(batch_size), bool(shuffle), bool(drop_last), random_state)
