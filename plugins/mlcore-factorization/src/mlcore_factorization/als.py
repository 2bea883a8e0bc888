"""Regularised alternating least squares matrix factorisation."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator, Interval
from mlcore.progress import progress_iter
from mlcore.validation import check_is_fitted, check_random_state

from ._common import _Factorization, check_factor, random_factors

__all__ = ["ALS"]


def _ridge_rows(X, F, alpha):
    """Rows ``w_i`` minimising ``||x_i - w_i F||^2 + alpha ||w_i||^2``: ``X F^T (F F^T + alpha I)^{-1}``."""
    G = F @ F.T
    G[np.diag_indices_from(G)] += alpha
    return np.linalg.solve(G, F @ X.T).T          # G is symmetric


class ALS(_Factorization, Estimator):
    """Regularised low-rank factorisation ``X ~ W H`` by alternating least squares.

    Parameters
    ----------
    n_components : int, default 2
        Rank ``K`` of the factorisation.
    alpha : float, default 1.0
        Ridge penalty on both factors.
    max_iter : int, default 200
        Maximum number of (W, H) sweeps.
    tol : float, default 1e-4
        Stop when the objective decreases by less than ``tol`` times its value.
    n_init : int, default 1
        Random restarts; the lowest objective is kept.
    random_state : int, numpy Generator or None

    Attributes
    ----------
    components_ : ndarray (K, m)
        ``H``.
    embedding_ : ndarray (n, K)
        ``W`` of the training data.
    reconstruction_err_ : float
        Frobenius norm ``||X - W H||_F``.
    loss_ : float
        Final objective ``||X - W H||_F^2 + alpha (||W||_F^2 + ||H||_F^2)``.
    n_iter_ : int

    Notes
    -----
    Each half-step is the closed-form ridge solution with the other factor fixed:
    ``W <- X H^T (H H^T + alpha I)^{-1}`` then ``H <- (W^T W + alpha I)^{-1} W^T X``; the
    objective never increases. ``transform`` solves the W half-step for new rows.

    References
    ----------
    Hastie, Mazumder, Lee and Zadeh (2015), Matrix completion and low-rank SVD via fast
    alternating least squares, JMLR 16. Koren, Bell and Volinsky (2009), Matrix
    factorization techniques for recommender systems, IEEE Computer 42(8).

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = np.outer(np.arange(1.0, 5.0), np.arange(1.0, 4.0))
    >>> als = mlcore.build("als(n_components=1, alpha=0.0, random_state=0)").fit(X)
    >>> bool(als.reconstruction_err_ < 1e-8)
    True
    """

    _estimator_type = "transformer"

    _parameter_constraints = {  # noqa: RUF012 (read-only class data)
        "n_components": Interval(numbers.Integral, low=1), "alpha": Interval(low=0),
        "max_iter": Interval(numbers.Integral, low=1), "tol": Interval(low=0), "n_init": Interval(numbers.Integral, low=1),
    }

    def __init__(self, n_components=2, *, alpha=1.0, max_iter=200, tol=1e-4, n_init=1, random_state=None):
        self.n_components = n_components
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.random_state = random_state

    def _loss(self, X, W, H):
        return float(np.sum((X - W @ H) ** 2) + self.alpha * (np.sum(W * W) + np.sum(H * H)))

    def fit(self, X, y=None, W=None, H=None, progress=None):
        """Factorise ``X`` (n, m).

        Parameters
        ----------
        X : array (n, m)
        y : ignored
        W, H : arrays (n, K) and (K, m), optional
            Starting factors (then a single run; the first half-step replaces ``W``).
        progress : bool or None
            tqdm bar over iterations (None: only on a terminal).

        Returns
        -------
        self
        """
        X = self._validate_data(X)
        K = self.n_components
        rng = check_random_state(self.random_state)
        given = W is not None or H is not None
        best = None
        for _ in range(1 if given else self.n_init):  # independent restarts
            W0, H0 = random_factors(X, K, rng)
            Wc = W0 if W is None else check_factor(W, "W", (X.shape[0], K))
            Hc = H0 if H is None else check_factor(H, "H", (K, X.shape[1]))
            loss, n_iter = np.inf, 0
            for n_iter in progress_iter(range(1, self.max_iter + 1), progress, "als"):
                Wc = _ridge_rows(X, Hc, self.alpha)
                Hc = _ridge_rows(X.T, Wc.T, self.alpha).T
                prev, loss = loss, self._loss(X, Wc, Hc)
                if prev - loss <= self.tol * loss:
                    break
            if best is None or loss < best[0]:
                best = (loss, Wc, Hc, n_iter)
        self.loss_, self.embedding_, self.components_, self.n_iter_ = best
        self.reconstruction_err_ = float(np.linalg.norm(X - self.embedding_ @ self.components_))
        return self

    def transform(self, X):
        """Ridge factor rows ``W`` (n, K) of ``X`` given the learned ``H``."""
        check_is_fitted(self, "components_")
        X = self._check_X(X)
        return _ridge_rows(X, self.components_, self.alpha)

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.random((20, 3)) @ rng.random((3, 8))
        return {"spec": "als(n_components=3, alpha=0.1, random_state=0)", "fit": (X,)}
