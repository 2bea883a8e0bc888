"""Demo: ALS and NMF on a noisy low-rank non-negative matrix."""

from __future__ import annotations


def run():
    import time

    import numpy as np

    import mlcore

    rng = np.random.default_rng(0)
    X = rng.random((400, 6)) @ rng.random((6, 200)) + 0.05 * rng.random((400, 200))
    s = np.linalg.svd(X, compute_uv=False)
    print(f"X 400x200, rank 6 + noise; best rank-6 error (truncated SVD) {np.sqrt((s[6:] ** 2).sum()):.4f}")
    for spec in ("als(n_components=6, random_state=0)", "nmf(n_components=6, random_state=0)"):
        t0 = time.perf_counter()
        est = mlcore.build(spec).fit(X)
        dt = time.perf_counter() - t0
        print(f"  {spec}: error {est.reconstruction_err_:.4f} after {est.n_iter_} iterations, {dt * 1e3:.0f} ms")
