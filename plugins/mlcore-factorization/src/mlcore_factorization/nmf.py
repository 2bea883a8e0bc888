"""Non-negative matrix factorisation by fast hierarchical alternating least squares."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator, Interval, Options
from mlcore.progress import progress_iter
from mlcore.validation import check_random_state

from ._common import _Factorization, check_factor, random_factors

__all__ = ["NMF"]

_EPS = 1e-16   # floor of the factors: keeps every component alive (Cichocki and Phan 2009)


def _hals_update(W, XHt, HHt):
    """One HALS sweep over the columns of ``W`` (in place) for ``min ||X - W H||`` with H fixed.

    ``w_k <- max(eps, w_k + (XH^T[:, k] - W HH^T[:, k]) / HH^T[k, k])``, column after column
    (each uses the columns already updated: a loop over the K components, K is small).
    """
    for k in range(W.shape[1]):
        hkk = HHt[k, k]
        if hkk <= 0:
            continue
        step = XHt[:, k] - W @ HHt[:, k]
        step /= hkk
        W[:, k] += step
        np.maximum(W[:, k], _EPS, out=W[:, k])


class NMF(_Factorization, Estimator):
    """Non-negative matrix factorisation ``X ~ W H`` (W, H >= 0) by fast HALS.

    Parameters
    ----------
    n_components : int, default 2
        Rank ``K``.
    max_iter : int, default 200
        Maximum number of sweeps (all columns of W, then all rows of H).
    tol : float, default 1e-4
        Stop when a sweep lowers the Frobenius error ``err`` by less than ``tol * err``.
    n_init : int, default 1
        Random restarts; the lowest error is kept.
    init : {"random"}, default "random"
        Uniform factors scaled by ``sqrt(mean(X) / K)``.
    random_state : int, numpy Generator or None

    Attributes
    ----------
    components_ : ndarray (K, m)
        ``H``.
    embedding_ : ndarray (n, K)
        ``W`` of the training data.
    reconstruction_err_ : float
        ``||X - W H||_F``.
    n_iter_ : int

    Notes
    -----
    Minimises ``1/2 ||X - W H||_F^2`` over non-negative factors. Fast HALS updates one
    column of ``W`` (then one row of ``H``) at a time in closed form, using the
    precomputed ``X H^T`` and ``H H^T`` (``W^T X`` and ``W^T W``):
    ``w_k <- [w_k + ((X H^T)_k - W (H H^T)_k) / (H H^T)_kk]_+``; after the W sweep the
    columns of W are scaled to unit norm (and the rows of H by the inverse), as in
    Cichocki and Phan's Algorithm 2. The error is tracked without forming ``W H``:
    ``||X - W H||^2 = ||X||^2 - 2 <W^T X, H> + <W^T W, H H^T>``.

    References
    ----------
    Cichocki and Phan (2009), Fast local algorithms for large scale nonnegative matrix
    and tensor factorizations, IEICE Trans. Fundamentals E92-A(3). Gillis (2014), The
    why and how of nonnegative matrix factorization, arXiv:1401.5226.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((30, 2)) @ rng.random((2, 10))
    >>> nmf = mlcore.build("nmf(n_components=2, random_state=0, tol=1e-8, max_iter=2000)").fit(X)
    >>> bool(nmf.reconstruction_err_ < 1e-3)
    True
    """

    _estimator_type = "transformer"

    _parameter_constraints = {  # noqa: RUF012 (read-only class data)
        "n_components": Interval(numbers.Integral, low=1), "max_iter": Interval(numbers.Integral, low=1),
        "tol": Interval(low=0), "n_init": Interval(numbers.Integral, low=1), "init": Options("random"),
    }
    _tags = {"positive_only": True}  # noqa: RUF012 ("Negative values in data passed to NMF")

    def __init__(self, n_components=2, *, max_iter=200, tol=1e-4, n_init=1, init="random", random_state=None):
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.init = init
        self.random_state = random_state

    def _run(self, X, W, H, x_sq, progress):
        """HALS sweeps from (W, H); returns (W, H, err, n_iter)."""
        W = np.asfortranarray(W)                                # columns of W contiguous
        H = np.ascontiguousarray(H)                             # rows of H contiguous
        err = np.sqrt(max(x_sq - 2 * np.sum((W.T @ X) * H) + np.sum((W.T @ W) * (H @ H.T)), 0.0))
        n_iter = 0
        for n_iter in progress_iter(range(1, self.max_iter + 1), progress, "nmf"):
            _hals_update(W, X @ H.T, H @ H.T)
            norms = np.linalg.norm(W, axis=0)
            norms[norms == 0] = 1.0
            W /= norms
            H *= norms[:, None]
            WtX, WtW = W.T @ X, W.T @ W
            Ht = H.T                                            # update rows of H = columns of H^T
            _hals_update(Ht, WtX.T, WtW)
            H = np.ascontiguousarray(Ht.T)
            prev = err
            err = np.sqrt(max(x_sq - 2 * np.sum(WtX * H) + np.sum(WtW * (H @ H.T)), 0.0))
            if prev - err <= self.tol * err:
                break
        return W, H, err, n_iter

    def fit(self, X, y=None, W=None, H=None, progress=None):
        """Factorise the non-negative ``X`` (n, m).

        Parameters
        ----------
        X : array (n, m), non-negative
        y : ignored
        W, H : arrays (n, K), (K, m), optional
            Starting factors (then a single run).
        progress : bool or None
            tqdm bar over iterations (None: only on a terminal).

        Returns
        -------
        self
        """
        X = self._validate_data(X)  # non-negative (positive_only tag)
        K = self.n_components
        rng = check_random_state(self.random_state)
        x_sq = float(np.sum(X * X))
        given = W is not None or H is not None
        best = None
        for _ in range(1 if given else self.n_init):  # independent restarts
            W0, H0 = random_factors(X, K, rng)
            Wc = W0 if W is None else np.maximum(check_factor(W, "W", (X.shape[0], K)), _EPS)
            Hc = H0 if H is None else np.maximum(check_factor(H, "H", (K, X.shape[1])), _EPS)
            run = self._run(X, Wc, Hc, x_sq, progress)
            if best is None or run[2] < best[2]:
                best = run
        self.embedding_, self.components_, _, self.n_iter_ = best
        self.reconstruction_err_ = float(np.linalg.norm(X - self.embedding_ @ self.components_))
        return self

    def transform(self, X):
        """Non-negative ``W`` (n, K) for new rows, with ``H`` fixed (HALS sweeps on W)."""
        X = self._check_X(X)
        H = self.components_
        XHt, HHt = X @ H.T, H @ H.T
        W = np.maximum(np.linalg.lstsq(HHt, XHt.T, rcond=None)[0].T, _EPS)
        prev = np.inf
        for _ in range(self.max_iter):  # fixed-point sweeps, each vectorised over rows
            _hals_update(W, XHt, HHt)
            cur = float(np.sum((W.T @ W) * HHt) - 2 * np.sum(W * XHt))
            if abs(prev - cur) <= self.tol * abs(cur):
                break
            prev = cur
        return W

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.random((20, 3)) @ rng.random((3, 8))
        return {"spec": "nmf(n_components=3, random_state=0)", "fit": (X,)}
