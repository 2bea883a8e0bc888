"""Data-driven initialisation of mixture components: k-means++ seeding and Lloyd steps."""

from __future__ import annotations

import numpy as np

__all__ = ["initial_responsibilities", "kmeans_plusplus", "lloyd"]


def _sq_dist(X, C, X_sq=None):
    """Squared Euclidean distances (n, k) between the rows of X and of C (clipped at 0)."""
    if X_sq is None:
        X_sq = np.einsum("ij,ij->i", X, X)
    d = X_sq[:, None] - 2.0 * (X @ C.T) + np.einsum("ij,ij->i", C, C)[None, :]
    return np.maximum(d, 0.0, out=d)


def kmeans_plusplus(X, n_clusters, rng):
    """Greedy k-means++ seeding (Arthur and Vassilvitskii 2007).

    Each new centre is drawn with probability proportional to the squared distance to
    the nearest chosen centre; ``2 + log(k)`` candidates are drawn and the one that
    lowers the potential most is kept.

    Parameters
    ----------
    X : ndarray (n_samples, n_features)
    n_clusters : int
    rng : numpy.random.Generator

    Returns
    -------
    centers : ndarray (n_clusters, n_features)
    """
    n = X.shape[0]
    n_trials = 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, X.shape[1]))
    first = rng.integers(n)
    centers[0] = X[first]
    X_sq = np.einsum("ij,ij->i", X, X)
    closest = _sq_dist(X, centers[:1], X_sq)[:, 0]
    # loop over centres: each one depends on the previous ones (k is small)
    for k in range(1, n_clusters):
        total = closest.sum()
        if total <= 0:  # every point coincides with a centre: pick uniformly
            cand = rng.integers(n, size=n_trials)
        else:
            cand = rng.choice(n, size=n_trials, p=closest / total)
        d_cand = np.minimum(_sq_dist(X, X[cand], X_sq), closest[:, None])
        best = int(np.argmin(d_cand.sum(axis=0)))
        centers[k] = X[cand[best]]
        closest = d_cand[:, best]
    return centers


def lloyd(X, centers, n_iter=20):
    """A few Lloyd (k-means) iterations from ``centers``; empty clusters keep their centre."""
    centers = centers.copy()
    X_sq = np.einsum("ij,ij->i", X, X)
    labels = None
    k = len(centers)
    for _ in range(n_iter):  # iterations of a fixed-point method, each one vectorised
        new = np.argmin(_sq_dist(X, centers, X_sq), axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)
        sums = np.eye(k)[labels].T @ X  # per-cluster sums as one matrix product
        nonempty = counts > 0
        centers[nonempty] = sums[nonempty] / counts[nonempty, None]
    return centers


def initial_responsibilities(X, n_components, method, rng):
    """Hard responsibilities (n_samples, n_components) from a data-driven initialisation.

    ``method`` is ``"kmeans"`` (k-means++ seeding refined by Lloyd iterations),
    ``"kmeans++"`` (seeding only) or ``"random"`` (centres = random distinct data points).
    Each point is assigned to its nearest centre. Distances are computed on the data
    centred on its mean (the expansion ``|x|^2 - 2 x.c + |c|^2`` cancels far from 0).
    """
    X = X - X.mean(axis=0)
    if method == "random":
        centers = X[rng.choice(X.shape[0], size=n_components, replace=False)]
    else:
        centers = kmeans_plusplus(X, n_components, rng)
        if method == "kmeans":
            centers = lloyd(X, centers)
    labels = np.argmin(_sq_dist(X, centers), axis=1)
    resp = np.zeros((X.shape[0], n_components))
    resp[np.arange(X.shape[0]), labels] = 1.0
    return resp
