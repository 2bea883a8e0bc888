"""Ordinary and weighted least squares, with recursive least squares updates."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Estimator, RegressorMixin
from mlcore.validation import check_is_fitted

from ._base import is_sparse, sparse_least_squares, weighted_mean

__all__ = ["LinearRegression"]


class LinearRegression(RegressorMixin, Estimator):
    """Least-squares linear regression (OLS / WLS) with online recursive updates.

    Parameters
    ----------
    fit_intercept : bool, default True
        Fit an (unpenalised) intercept; the data are centred (weighted means) first.

    Attributes
    ----------
    coef_ : ndarray (n_features,) or (n_targets, n_features)
        Weights; 2-D when ``y`` was 2-D (scikit-learn layout).
    intercept_ : float or ndarray (n_targets,)
    rank_ : int
        Numerical rank of the (centred, weighted) design.
    singular_ : ndarray (min(n_samples, n_features),)
        Its singular values.
    gram_inv_ : ndarray (p, p)
        ``(A^T W A)^{-1}`` for the design ``A = [X, 1]`` (or ``X``), ``p = n_features (+1)``;
        the intercept is the last coordinate. Used by :meth:`update`.
    n_features_in_ : int
    n_samples_seen_ : int

    Notes
    -----
    With weights ``w`` the estimate minimises ``sum_i w_i (y_i - b - x_i^T beta)^2``. The
    intercept is removed by weighted centring, ``X_c = X - x_bar_w``; then
    ``beta = argmin ||W^{1/2}(X_c beta - y_c)||`` is computed from the thin SVD
    ``W^{1/2} X_c = U S V^T`` (minimum-norm solution for rank-deficient designs, singular
    values below ``eps * max(n, m) * s_max`` treated as zero), and ``b = y_bar_w - x_bar_w^T beta``.

    ``update(X, y)`` applies the recursive least squares (Woodbury) step for a block of
    ``b`` new rows ``Z = W^{1/2} [X, 1]``, ``r = W^{1/2} y``:
    ``P <- P - P Z^T (I_b + Z P Z^T)^{-1} Z P``, ``theta <- theta + P Z^T (r - Z theta)``,
    which equals the batch solution on all rows seen (one row: Sherman-Morrison).

    References
    ----------
    Golub, G. H. and Van Loan, C. F. (2013). *Matrix Computations*, 4th ed., sections 5.3-5.5.
    Haykin, S. (2002). *Adaptive Filter Theory*, 4th ed., chapter 9 (recursive least squares).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 3.0], [3.0, 1.0], [4.0, 4.0]])
    >>> model = LinearRegression().fit(X[:3], X[:3] @ [1.0, 2.0] + 3)
    >>> model = model.update(X[3:], X[3:] @ [1.0, 2.0] + 3)       # recursive least squares
    >>> round(model.intercept_, 6), model.coef_.round(6).tolist()
    (3.0, [1.0, 2.0])
    """

    _parameter_constraints = {"fit_intercept": bool}
    _tags = {"sparse": True, "multi_output": True}

    def __init__(self, fit_intercept: bool = True):
        self.fit_intercept = fit_intercept

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(30, 3))
        return {"spec": "linear_regression", "fit": (X, X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=30))}

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None):
        """Fit by (weighted) least squares.

        Parameters
        ----------
        X : array (n_samples, n_features)
        y : array (n_samples,) or (n_samples, n_targets)
        sample_weight : array (n_samples,), optional
            Non-negative weights.

        Returns
        -------
        self
        """
        X, y = self._validate_data(X, y)
        n, m = X.shape
        sw = self._check_sample_weight(sample_weight, n)
        Y = y.reshape(n, -1)
        if is_sparse(X):  # LSQR on the implicitly centred design; no recursive update state
            B, x_off, y_off = sparse_least_squares(X, Y, sw, self.fit_intercept)
            self._set_solution(B, y_off - x_off @ B, y.ndim)
            for stale in ("gram_inv_", "rank_", "singular_"):
                self.__dict__.pop(stale, None)
            self.n_samples_seen_ = n
            return self
        if self.fit_intercept:
            x_off, y_off = weighted_mean(X, sw), weighted_mean(Y, sw)
            Xc, Yc = X - x_off, Y - y_off
        else:
            x_off, y_off = np.zeros(m), np.zeros(Y.shape[1])
            Xc, Yc = X, Y
        if sw is not None:
            s = np.sqrt(sw)[:, None]
            Xc, Yc = Xc * s, Yc * s
        U, sv, Vt = np.linalg.svd(Xc, full_matrices=False)
        cutoff = np.finfo(np.float64).eps * max(n, m) * (sv[0] if sv.size else 0.0)
        keep = sv > cutoff
        inv_s = np.zeros_like(sv)
        inv_s[keep] = 1.0 / sv[keep]
        B = Vt.T @ (inv_s[:, None] * (U.T @ Yc))            # (m, K)
        G_inv = (Vt.T * inv_s ** 2) @ Vt                     # pseudo-inverse of Xc^T W Xc
        if self.fit_intercept:
            total = float(n if sw is None else sw.sum())
            gx = G_inv @ x_off
            P = np.empty((m + 1, m + 1))
            P[:m, :m] = G_inv
            P[:m, m] = P[m, :m] = -gx
            P[m, m] = 1.0 / total + x_off @ gx
        else:
            P = G_inv
        self._set_solution(B, y_off - x_off @ B, y.ndim)
        self.gram_inv_ = P
        self.rank_ = int(keep.sum())
        self.singular_ = sv
        self.n_samples_seen_ = n
        return self

    def _set_solution(self, B, b, y_ndim):
        if y_ndim == 1:
            self.coef_, self.intercept_ = B[:, 0].copy(), float(b[0]) if self.fit_intercept else 0.0
        else:
            self.coef_ = B.T.copy()
            self.intercept_ = b.copy() if self.fit_intercept else np.zeros(B.shape[1])

    def update(self, X, y, sample_weight=None):
        """Add observations by recursive least squares; equals refitting on all data.

        Parameters
        ----------
        X : array (n_new, n_features)
        y : array (n_new,) or (n_new, n_targets), same layout as in ``fit``
        sample_weight : array (n_new,), optional

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If the model was fitted on a rank-deficient design (the recursion needs
            ``(A^T W A)^{-1}`` to exist): refit with more samples first.
        """
        check_is_fitted(self, "coef_")
        if not hasattr(self, "gram_inv_"):
            raise ValueError("update needs a model fitted on a dense X (a sparse fit keeps no inverse Gram "
                             "matrix); refit on dense data or refit on all the data")
        X, y = self._validate_data(X, y, reset=False, accept_sparse=False)
        if (y.ndim == 2) != (self.coef_.ndim == 2) or (y.ndim == 2 and y.shape[1] != self.coef_.shape[0]):
            raise ValueError(f"y has shape {y.shape}; update needs the target layout used in fit")
        n, m = X.shape
        p = self.gram_inv_.shape[0]
        if self.rank_ < m:
            raise ValueError(f"recursive update needs a full-rank initial fit (rank {self.rank_} < "
                             f"{m} features); fit on more samples before calling update")
        sw = self._check_sample_weight(sample_weight, n)
        Z = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X
        R = y.reshape(n, -1)
        if sw is not None:
            s = np.sqrt(sw)[:, None]
            Z, R = Z * s, R * s
        theta = np.vstack([self.coef_.reshape(-1, m).T,
                           np.reshape(self.intercept_, (1, -1))])[:p]     # (p, K)
        P = self.gram_inv_
        PZt = P @ Z.T                                                     # (p, n)
        S = np.eye(n) + Z @ PZt                                           # SPD (n, n)
        K = np.linalg.solve(S, PZt.T).T                                   # gain P Z^T S^{-1}
        P = P - K @ PZt.T
        P = 0.5 * (P + P.T)
        theta = theta + K @ (R - Z @ theta)
        B, b = theta[:m], (theta[m] if self.fit_intercept else np.zeros(theta.shape[1]))
        self._set_solution(B, b, y.ndim)
        self.gram_inv_ = P
        self.n_samples_seen_ = self.n_samples_seen_ + n
        return self

    def predict(self, X):
        """Predictions ``X coef^T + intercept``: (n,) or (n, n_targets)."""
        X = self._check_X(X)
        return np.asarray(X @ self.coef_.T) + self.intercept_
