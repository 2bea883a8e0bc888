"""Ridge regression (L2-penalised least squares) with an unpenalised intercept."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.linalg as sla

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Estimator, RegressorMixin
from mlcore.validation import check_scalar

from ._base import is_sparse, sparse_least_squares
from ._gram import centred_gram

__all__ = ["Ridge", "solve_ridge"]


def solve_ridge(G, H, alpha):
    """Solve ``(G + alpha I) B = H`` for SPD ``G + alpha I`` (Cholesky), else least squares.

    ``alpha`` is a scalar or one value per column of ``H``.
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    m = G.shape[0]
    if alpha.ndim == 0 or np.all(alpha == alpha.flat[0]):
        A = G.copy()
        A.flat[::m + 1] += float(alpha.flat[0])
        try:
            return sla.cho_solve(sla.cho_factor(A, lower=False, check_finite=False), H, check_finite=False)
        except np.linalg.LinAlgError:       # alpha = 0 with a singular Gram: minimum-norm solution
            return np.linalg.lstsq(A, H, rcond=None)[0]
    return np.column_stack([solve_ridge(G, H[:, [j]], a)[:, 0] for j, a in enumerate(alpha)])


class Ridge(RegressorMixin, Estimator):
    """Ridge regression: least squares with an L2 penalty on the weights (not the intercept).

    Parameters
    ----------
    alpha : float or list of float, default 1.0
        Penalty strength (>= 0); a list gives one value per target.
    fit_intercept : bool, default True
        Fit an unpenalised intercept (the data are centred first).

    Attributes
    ----------
    coef_ : ndarray (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray (n_targets,)
    n_features_in_ : int

    Notes
    -----
    Minimises ``sum_i w_i (y_i - b - x_i^T beta)^2 + alpha ||beta||^2`` (scikit-learn's
    ``Ridge`` objective). Centring with the weighted means removes ``b``; then
    ``beta = (Xc^T W Xc + alpha I)^{-1} Xc^T W yc`` is solved by a Cholesky factorisation
    (primal form, ``n_samples >= n_features``), or in the dual form
    ``beta = Xc^T W^{1/2} (W^{1/2} Xc Xc^T W^{1/2} + alpha I)^{-1} W^{1/2} yc`` when there are
    fewer samples than features; ``b = y_bar - x_bar^T beta``. The centred Gram matrix is
    accumulated block-wise (no centred copy of X).

    References
    ----------
    Hoerl, A. E. and Kennard, R. W. (1970). Ridge regression: biased estimation for
    nonorthogonal problems. *Technometrics* 12(1), 55-67.
    Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The Elements of Statistical
    Learning*, 2nd ed., section 3.4.1.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(12.0).reshape(6, 2) ** 0.5; y = X @ [1.0, -1.0] + 2
    >>> Ridge(alpha=1e-9).fit(X, y).coef_.round(4)
    array([ 1., -1.])
    """

    _parameter_constraints = {"fit_intercept": bool}
    _tags = {"multi_output": True, "sparse": True}

    def __init__(self, alpha=1.0, fit_intercept: bool = True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def _check_params(self):
        if isinstance(self.alpha, (list, tuple)):
            if not self.alpha:
                raise ComponentArgumentError("alpha must be a number or a non-empty list of numbers")
            for a in self.alpha:
                check_scalar(a, "alpha", numbers.Real, low=0)
        else:
            check_scalar(self.alpha, "alpha", numbers.Real, low=0)

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(30, 3))
        return {"spec": "ridge(alpha=0.5)", "fit": (X, X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=30))}

    def fit(self, X, y, sample_weight=None):
        """Fit the ridge solution.

        Parameters
        ----------
        X : array (n_samples, n_features)
        y : array (n_samples,) or (n_samples, n_targets)
        sample_weight : array (n_samples,), optional

        Returns
        -------
        self
        """
        X, y = self._validate_data(X, y)
        n, m = X.shape
        sw = self._check_sample_weight(sample_weight, n)
        Y = y.reshape(n, -1)
        alpha = np.asarray(self.alpha, dtype=np.float64)
        if alpha.ndim == 1 and alpha.shape[0] != Y.shape[1]:
            raise ValueError(f"alpha has {alpha.shape[0]} values but y has {Y.shape[1]} targets")
        if is_sparse(X):                          # LSQR, X never densified
            B, x_off, y_off = sparse_least_squares(X, Y, sw, self.fit_intercept, alpha)
        elif n >= m:
            G, H, x_off, y_off = centred_gram(X, Y, sw, self.fit_intercept)
            B = solve_ridge(G, H, alpha)
        else:                                     # dual (kernel) form: an n x n system
            x_off = np.average(X, axis=0, weights=sw) if self.fit_intercept else np.zeros(m)
            y_off = np.average(Y, axis=0, weights=sw) if self.fit_intercept else np.zeros(Y.shape[1])
            Xc, Yc = X - x_off, Y - y_off
            s = np.ones((n, 1)) if sw is None else np.sqrt(sw)[:, None]
            Xc, Yc = Xc * s, Yc * s
            B = Xc.T @ solve_ridge(Xc @ Xc.T, Yc, alpha)
        b = y_off - x_off @ B
        if y.ndim == 1:
            self.coef_, self.intercept_ = B[:, 0], float(b[0]) if self.fit_intercept else 0.0
        else:
            self.coef_, self.intercept_ = B.T.copy(), b if self.fit_intercept else np.zeros(Y.shape[1])
        return self

    def predict(self, X):
        """Predictions ``X coef^T + intercept``: (n,) or (n, n_targets)."""
        X = self._check_X(X)
        return np.asarray(X @ self.coef_.T) + self.intercept_
