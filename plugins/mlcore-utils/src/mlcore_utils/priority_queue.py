"""A bounded priority queue with explicit min/max semantics."""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
from typing import Any, NamedTuple

from mlcore.validation import check_choice, check_scalar

__all__ = ["PQItem", "PriorityQueue"]


class PQItem(NamedTuple):
    """One queue entry: ``key``, ``val``, ``priority`` and ``entry_id`` (insertion counter)."""

    key: Any
    val: Any
    priority: float
    entry_id: int


class PriorityQueue:
    """Priority queue, optionally bounded, that pops the best item first.

    Parameters
    ----------
    capacity : int or None, default None
        Maximum number of items; None means unbounded.
    heap_order : {"max", "min"}, default "max"
        ``"max"``: :meth:`pop` returns the item with the **largest** priority;
        ``"min"``: the **smallest**. Equal priorities leave in insertion order (FIFO).

    Notes
    -----
    **Capacity eviction.** A full queue keeps the ``capacity`` items that would be popped
    *first*: pushing one more item removes the item that would be popped *last* (for
    ``"max"`` the smallest priority, for ``"min"`` the largest; among equal priorities
    the most recently inserted), which may be the new item itself. So a ``"min"`` queue
    of capacity ``k`` fed with distances holds the ``k`` nearest neighbours, and a
    ``"max"`` queue of capacity ``k`` holds the ``k`` highest scores. (numpy-ml's queue
    did the opposite of what its docstring said; this one does what it says.)

    Items are kept in a sorted list (``bisect``): push is ``O(log n)`` comparisons plus a
    memory move, pop and peek are ``O(1)``, eviction is ``O(1)`` amortised at the far end.

    Example
    -------
    >>> pq = PriorityQueue(capacity=2, heap_order="min")
    >>> for key, dist in [("a", 3.0), ("b", 1.0), ("c", 2.0)]:
    ...     _ = pq.push(key, dist)
    >>> [item.key for item in pq]          # pop order; "a" (largest) was evicted
    ['b', 'c']
    """

    def __init__(self, capacity: int | None = None, heap_order: str = "max"):
        self.capacity = check_scalar(capacity, "capacity", numbers.Integral, low=1, allow_none=True)
        self.heap_order = check_choice(heap_order, "heap_order", ("max", "min"))
        self._items: list = []  # sorted ascending by _rank: the best item is the LAST one
        self._counter = itertools.count()

    def _rank(self, priority, entry_id):
        # best last: larger priority (max) or smaller priority (min), then earlier insertion
        return (priority, -entry_id) if self.heap_order == "max" else (-priority, -entry_id)

    def push(self, key, priority, val=None):
        """Insert an item; returns the evicted :class:`PQItem` when over capacity, else None."""
        priority = float(priority)
        if math.isnan(priority):
            raise ValueError("priority must not be NaN")
        item = PQItem(key, val, priority, next(self._counter))
        bisect.insort(self._items, (self._rank(priority, item.entry_id), item), key=lambda t: t[0])
        if self.capacity is not None and len(self._items) > self.capacity:
            return self._items.pop(0)[1]
        return None

    def pop(self):
        """Remove and return the best item (largest priority for "max"); IndexError if empty."""
        if not self._items:
            raise IndexError("pop from an empty PriorityQueue")
        return self._items.pop()[1]

    def peek(self):
        """The best item without removing it (None if the queue is empty)."""
        return self._items[-1][1] if self._items else None

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return bool(self._items)

    def __iter__(self):
        """Items in pop order (best first), without removing them."""
        return (item for _, item in reversed(self._items))

    def __repr__(self):
        return f"PriorityQueue(capacity={self.capacity!r}, heap_order={self.heap_order!r}, n_items={len(self)})"
