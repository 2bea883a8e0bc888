"""PriorityQueue semantics: pop order and capacity eviction, against sorted() of the same data."""

import numpy as np
import pytest
from mlcore_utils import PriorityQueue

from mlcore.errors import ComponentArgumentError


@pytest.mark.parametrize("order", ["max", "min"])
@pytest.mark.parametrize("capacity", [None, 1, 7])
def test_pop_order_and_eviction(order, capacity):
    rng = np.random.default_rng(3)
    prios = rng.integers(0, 10, 40).astype(float)   # many ties
    pq = PriorityQueue(capacity=capacity, heap_order=order)
    for i, p in enumerate(prios):
        pq.push(f"k{i}", p, val=i)
    # expected: stable sort by priority (descending for max), ties in insertion order
    ranked = sorted(range(len(prios)), key=lambda i: (-prios[i] if order == "max" else prios[i], i))
    expected = ranked[: capacity or len(prios)]
    assert len(pq) == len(expected)
    assert pq.peek().val == expected[0]
    assert [it.val for it in pq] == expected
    assert [pq.pop().val for _ in range(len(expected))] == expected
    with pytest.raises(IndexError):
        pq.pop()
    assert pq.peek() is None


def test_push_returns_evicted_item():
    pq = PriorityQueue(capacity=2, heap_order="min")
    assert pq.push("a", 1.0) is None and pq.push("b", 2.0) is None
    assert pq.push("c", 0.5).key == "b"          # the largest distance leaves a min queue
    assert pq.push("d", 9.0).key == "d"          # a worse newcomer is rejected at once
    assert [it.key for it in pq] == ["c", "a"]


def test_bad_arguments():
    with pytest.raises(ComponentArgumentError):
        PriorityQueue(capacity=0)
    with pytest.raises(ComponentArgumentError):
        PriorityQueue(heap_order="largest")
    with pytest.raises(ValueError):
        PriorityQueue().push("x", float("nan"))
