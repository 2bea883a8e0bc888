"""Demo: a Gaussian mixture on three elongated blobs."""

from __future__ import annotations


def run():
    import time

    import numpy as np

    import mlcore

    rng = np.random.default_rng(0)
    X = np.vstack([rng.multivariate_normal(m, c, 400) for m, c in [
        ([0, 0], [[2.0, 1.5], [1.5, 2.0]]), ([6, 0], [[0.5, 0.0], [0.0, 0.5]]), ([3, 5], [[1.0, -0.6], [-0.6, 1.0]])]])
    t0 = time.perf_counter()
    gm = mlcore.build("gmm(n_components=3, random_state=0)").fit(X)
    dt = time.perf_counter() - t0
    print(f"{mlcore.to_spec(gm)}: {gm.n_iter_} EM iterations in {dt * 1e3:.1f} ms, converged={gm.converged_}")
    print(f"  avg log-likelihood {gm.score(X):.4f}; weights {np.round(gm.weights_, 3).tolist()}")
    for k in np.argsort(gm.means_[:, 0]):
        print(f"  component {k}: mean {np.round(gm.means_[k], 2).tolist()}, "
              f"cov {np.round(gm.covariances_[k], 2).tolist()}")
