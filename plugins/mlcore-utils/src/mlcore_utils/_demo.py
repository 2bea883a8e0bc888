"""Demo of mlcore-utils: kernels, metrics, ball tree, alias sampler and graphs (runs in about a second)."""

from __future__ import annotations

import time

import numpy as np


def run():
    import mlcore
    from mlcore_utils import BallTree, DiscreteSampler, PriorityQueue, knn_brute, random_dag

    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    for spec in ("linear", "polynomial(degree=2)", "rbf(length_scale=[0.5, 1.0, 2.0])"):
        K = mlcore.build(spec, kind="kernel")(X)
        print(f"kernel {spec:36s} Gram {K.shape}, min eigenvalue {np.linalg.eigvalsh(K).min():+.2e}")
    for spec in ("euclidean", "manhattan", "chebyshev", "minkowski(p=3)", "hamming"):
        print(f"metric {spec:16s} d(x0, x1) = {mlcore.build(spec, kind='metric')(X[0], X[1]):.4f}")

    data = rng.normal(size=(10_000, 5))
    queries = rng.normal(size=(2_000, 5))
    t0 = time.perf_counter()
    _, ind = BallTree(data, leaf_size=40).query(queries, k=5)
    t1 = time.perf_counter()
    _, ind_brute = knn_brute(data, queries, k=5)
    t2 = time.perf_counter()
    print(f"BallTree build+query 10000x5, 2000 queries, k=5: {1e3 * (t1 - t0):.0f} ms "
          f"(brute force {1e3 * (t2 - t1):.0f} ms, same neighbours: {np.array_equal(ind, ind_brute)})")

    pq = PriorityQueue(capacity=3, heap_order="min")
    for i, d in enumerate(rng.random(10)):
        pq.push(i, d)
    print("PriorityQueue(capacity=3, 'min') keeps the 3 smallest:", [round(it.priority, 3) for it in pq])

    p = np.array([0.1, 0.2, 0.3, 0.4])
    freq = np.bincount(DiscreteSampler(p, random_state=0)(100_000), minlength=4) / 100_000
    print("alias sampler frequencies", np.round(freq, 3), "for probs", p)

    dag = random_dag(8, 0.3, random_state=0)
    print(f"random DAG: {len(dag.edges)} edges, acyclic={dag.is_acyclic()}, "
          f"topological order {dag.topological_ordering()}")
