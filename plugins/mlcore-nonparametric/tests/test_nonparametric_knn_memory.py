"""Memory of knn / BallTree queries (issue 23): blocks of bounded size, same neighbours.

Bounds (defaults of :mod:`mlcore_utils.ball_tree`): a query chunk holds at most
``_PAIR_BUDGET`` = 2^22 candidate (query, leaf) pairs (24 bytes each: 96 MiB at worst,
far less when the bounds prune), and the dense bound matrix is built ``_PAIR_BLOCK`` =
2^18 pairs (2 MiB per array) at a time. The tests shrink both so that moderate data is
in the regime of large data.
"""

from __future__ import annotations

import tracemalloc

import mlcore_utils.ball_tree as bt
import numpy as np
import pytest
from mlcore_utils.neighbors import knn_brute

import mlcore

#: peak allocation of knn fit + predict (n/40 queries) / X.nbytes, X float64 (n, 6):
#: what the fitted model holds (stored X, tree-ordered data, centred data: about 3.6x),
#: the build's transient copies, and the query chunk's pair arrays, bounded by the
#: (shrunken) budget whatever n. Measured 8.4x at n=20000, 5.3x at n=80000; before
#: issue 23: 13.5x at n=20000.
LIMIT = 10.0


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(bt, "_PAIR_BLOCK", 1 << 12)
    monkeypatch.setattr(bt, "_PAIR_BUDGET", 1 << 17)


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int), rng.normal(size=(n // 40, 6))


def test_knn_peak_allocation_linear_and_bounded(small_blocks):
    mlcore.build("knn(k=5)").fit(*_data(60)[:2]).predict(_data(60)[2])   # imports and caches
    peaks = {}
    for n in (20000, 80000):
        X, y, Q = _data(n)
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            mlcore.build("knn(k=5)").fit(X, y).predict(Q)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peaks[n] <= LIMIT * X.nbytes, (n, peaks[n] / X.nbytes)
    assert peaks[80000] <= 1.25 * 4 * peaks[20000], peaks


def test_blocked_dense_bounds_find_the_exact_neighbours(monkeypatch):
    # Reference: exhaustive search (knn_brute), same (distance, index) order.
    monkeypatch.setattr(bt, "_PAIR_BLOCK", 300)          # a few leaves per block
    calls = []
    dense = bt.BallTree._dense_pairs
    monkeypatch.setattr(bt.BallTree, "_dense_pairs", lambda self, *a: calls.append(1) or dense(self, *a))
    X, _, Q = _data(6000, seed=1)
    dist, ind = bt.BallTree(X, leaf_size=20).query(Q, k=7)
    assert calls, "the dense path was not exercised"
    d_ref, i_ref = knn_brute(X, Q, k=7)
    np.testing.assert_array_equal(ind, i_ref)
    np.testing.assert_allclose(dist, d_ref, rtol=1e-12, atol=1e-12)
    counts = bt.BallTree(X, leaf_size=20).query_radius(Q[:50], 0.8, count_only=True)
    D = np.sqrt(((Q[:50, None, :] - X[None]) ** 2).sum(-1))
    np.testing.assert_array_equal(counts, (D <= 0.8).sum(axis=1))
