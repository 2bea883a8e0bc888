"""Minimal Gymnasium-compatible spaces, and the mapping of observations to table rows.

The built-in environments use these classes so the plugin runs without Gymnasium; the
agents read any space by duck typing (``n`` and ``start`` for discrete spaces, ``spaces``
for tuples, ``low``/``high`` for boxes), so Gymnasium's own spaces work the same way.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Discrete", "Box", "TupleSpace", "discrete_radices", "is_box"]


class Discrete:
    """``{start, ..., start + n - 1}``."""

    def __init__(self, n: int, start: int = 0):
        self.n, self.start = int(n), int(start)

    def sample(self, rng=None):
        return self.start + int(np.random.default_rng(rng).integers(self.n))

    def contains(self, x) -> bool:
        return self.start <= int(x) < self.start + self.n

    def __repr__(self):
        return f"Discrete({self.n})"


class Box:
    """A box ``[low, high]`` of real vectors."""

    def __init__(self, low, high, shape=None):
        self.low = np.broadcast_to(np.asarray(low, dtype=float), shape or np.shape(low)).copy()
        self.high = np.broadcast_to(np.asarray(high, dtype=float), self.low.shape).copy()
        self.shape = self.low.shape

    def sample(self, rng=None):
        return np.random.default_rng(rng).uniform(self.low, self.high)

    def __repr__(self):
        return f"Box({self.low.tolist()}, {self.high.tolist()})"


class TupleSpace:
    """A tuple of discrete spaces."""

    def __init__(self, spaces):
        self.spaces = tuple(spaces)

    def sample(self, rng=None):
        rng = np.random.default_rng(rng)
        return tuple(s.sample(rng) for s in self.spaces)


def is_box(space) -> bool:
    return hasattr(space, "low") and hasattr(space, "high") and not hasattr(space, "n")


def discrete_radices(space):
    """``(radices, starts)`` of a Discrete or Tuple-of-Discrete space, else None."""
    if hasattr(space, "n") and not hasattr(space, "spaces"):
        return np.array([int(space.n)]), np.array([int(getattr(space, "start", 0))])
    subs = getattr(space, "spaces", None)
    if subs is not None and all(hasattr(s, "n") for s in subs):
        return (np.array([int(s.n) for s in subs]), np.array([int(getattr(s, "start", 0)) for s in subs]))
    return None


def space_description(space) -> str:
    return f"{type(space).__name__}({getattr(space, 'n', getattr(space, 'shape', ''))})"
