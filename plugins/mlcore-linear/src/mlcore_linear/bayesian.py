"""Bayesian linear regression: conjugate Gaussian (known noise) and normal-inverse-gamma priors."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.linalg as sla

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Estimator, Interval, RegressorMixin
from mlcore.validation import check_is_fitted, check_random_state, check_scalar

from ._gram import centred_gram

__all__ = ["BayesianLinearRegression"]


def _check_prior(mu, V):
    for name, val in (("mu", mu), ("V", V)):
        try:
            arr = np.asarray(val, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond the float range
            raise ComponentArgumentError(f"{name} must be a number or a (nested) list of numbers, got {val!r}")
        if not np.isfinite(arr).all():
            raise ComponentArgumentError(f"{name} must be finite, got {val!r}")
    if np.ndim(mu) > 1:
        raise ComponentArgumentError(f"mu must be a number or a list (one value per feature), got {mu!r}")
    Va = np.asarray(V, dtype=np.float64)
    if Va.ndim <= 1:
        if np.any(Va <= 0):
            raise ComponentArgumentError(f"V (prior variances) must be positive, got {V!r}")
    elif Va.ndim == 2:
        if Va.shape[0] != Va.shape[1] or not np.allclose(Va, Va.T):
            raise ComponentArgumentError(f"V must be a symmetric square matrix, got shape {Va.shape}")
        try:
            np.linalg.cholesky(Va)
        except np.linalg.LinAlgError:
            raise ComponentArgumentError("V must be positive definite (its Cholesky factorisation failed)")
    else:
        raise ComponentArgumentError(f"V must be a number, a list (diagonal) or a matrix, got {Va.ndim}-D")


class BayesianLinearRegression(RegressorMixin, Estimator):
    """Conjugate Bayesian linear regression, with known or unknown noise variance.

    Parameters
    ----------
    mu : float or list of float (n_features,), default 0.0
        Prior mean of the weights.
    V : float, list (n_features,) or nested list (n_features, n_features), default 1.0
        Prior covariance of the weights in units of the noise variance:
        ``w | sigma^2 ~ N(mu, sigma^2 V)``; a number means ``V * I``, a list a diagonal.
        Must be positive (definite). Never modified.
    noise_variance : float or None, default 1.0
        Known noise variance ``sigma^2 > 0``; ``None`` puts the prior
        ``sigma^2 ~ InvGamma(a0, b0)`` on it (normal-inverse-gamma model).
    a0, b0 : float, default 1.0
        Shape and scale of the inverse-gamma prior (used when ``noise_variance`` is None).
    fit_intercept : bool, default True
        Fit an intercept with a flat prior (see Notes); the data are centred.

    Attributes
    ----------
    coef_ : ndarray (n_features,) or (n_targets, n_features)
        Posterior mean of the weights ``m_N``.
    intercept_ : float or ndarray (n_targets,)
        Posterior mean of the intercept.
    V_ : ndarray (n_features, n_features)
        Posterior scale ``V_N = (V^{-1} + Xc^T Xc)^{-1}``: ``w | sigma^2, y ~ N(m_N, sigma^2 V_N)``.
    coef_cov_ : ndarray (n_features, n_features) or (n_targets, n_features, n_features)
        Marginal posterior covariance of the weights: ``sigma^2 V_N`` (known variance) or
        ``b_N / (a_N - 1) V_N`` (Student-t marginal, defined for ``a_N > 1``).
    a_, b_ : float and float or ndarray (n_targets,)
        Posterior inverse-gamma parameters ``a_N, b_N`` (None when the variance is known).
    sigma2_ : float or ndarray (n_targets,)
        Known noise variance, or its posterior mean ``b_N / (a_N - 1)``.
    n_features_in_, n_samples_ : int

    Notes
    -----
    Known variance (Murphy 2012, section 7.6.1): the posterior of the weights is
    ``N(m_N, sigma^2 V_N)`` with ``V_N^{-1} = V^{-1} + X^T X`` and
    ``m_N = V_N (V^{-1} mu + X^T y)``. With ``mu = 0`` and ``V = v I`` the posterior mean is
    the ridge solution with ``alpha = 1 / v``.

    Unknown variance (Murphy 2012, section 7.6.3, normal-inverse-gamma prior
    ``NIG(mu, V, a0, b0)``): same ``V_N`` and ``m_N``, and
    ``a_N = a0 + n / 2``, ``b_N = b0 + (y^T y + mu^T V^{-1} mu - m_N^T V_N^{-1} m_N) / 2``,
    computed as ``b0 + (||y - X m_N||^2 + (m_N - mu)^T V^{-1} (m_N - mu)) / 2``.

    With ``fit_intercept`` the intercept ``b`` gets the limit of the conjugate prior
    ``N(0, sigma^2 v_b)`` as ``v_b -> infinity`` (flat, unpenalised). Because
    ``sum (y_i - b - x_i^T w)^2 = ||yc - Xc w||^2 + n (y_bar - b - x_bar^T w)^2``, the weights'
    posterior is the above on centred data, ``b | w, sigma^2 ~ N(y_bar - x_bar^T w, sigma^2 / n)``,
    and ``a_N = a0 + n / 2`` as in the textbook model with a column of ones.

    Posterior predictive at ``x`` (``xc = x - x_bar``; ``h = 1 + 1/n + xc^T V_N xc``, the
    ``1/n`` only with an intercept): ``N(y_bar + xc^T m_N, sigma^2 h)`` for known variance,
    Student-t with ``2 a_N`` degrees of freedom, location ``y_bar + xc^T m_N`` and scale^2
    ``(b_N / a_N) h`` for unknown variance (std ``sqrt(b_N h / (a_N - 1))``). The standard
    deviation is computed row by row (``O(n m^2)``); no ``n x n`` matrix is formed.

    References
    ----------
    Murphy, K. P. (2012). *Machine Learning: A Probabilistic Perspective*, MIT Press,
    sections 7.6.1 and 7.6.3.
    Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*, section 3.3.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(20.0).reshape(10, 2) % 7; y = X @ [1.0, 2.0]
    >>> m = BayesianLinearRegression(V=100.0).fit(X, y)
    >>> mean, std = m.predict(X[:2], return_std=True)
    """

    _parameter_constraints = {
        "noise_variance": Interval(numbers.Real, low=0, low_inclusive=False, allow_none=True),
        "a0": Interval(numbers.Real, low=0, low_inclusive=False),
        "b0": Interval(numbers.Real, low=0, low_inclusive=False), "fit_intercept": bool,
    }
    _tags = {"multi_output": True}
    n_features_in_: int  # set by fit (validate_data)

    def _check_params(self):
        _check_prior(self.mu, self.V)

    def __init__(self, mu=0.0, V=1.0, noise_variance: float | None = 1.0, a0: float = 1.0,
                 b0: float = 1.0, fit_intercept: bool = True):
        self.mu = mu
        self.V = V
        self.noise_variance = noise_variance
        self.a0 = a0
        self.b0 = b0
        self.fit_intercept = fit_intercept

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(30, 3))
        return {"spec": "bayesian_linear_regression(noise_variance=None)",
                "fit": (X, X @ [1.0, -2.0, 0.5] + 0.1 * rng.normal(size=30))}

    def _prior(self, m):
        mu = np.broadcast_to(np.asarray(self.mu, dtype=np.float64), (m,)) if np.ndim(self.mu) == 0 \
            else np.asarray(self.mu, dtype=np.float64)
        V = np.asarray(self.V, dtype=np.float64)
        if mu.shape != (m,) or (V.ndim >= 1 and V.shape[0] != m):
            raise ValueError(f"the prior (mu {np.shape(self.mu)}, V {V.shape}) does not match X's {m} features")
        if V.ndim == 0:
            V_inv = np.eye(m) / float(V)
        elif V.ndim == 1:
            V_inv = np.diag(1.0 / V)
        else:
            V_inv = sla.cho_solve(sla.cho_factor(V), np.eye(m))
        return mu, V_inv

    def fit(self, X, y):
        """Compute the posterior.

        Parameters
        ----------
        X : array (n_samples, n_features)
        y : array (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self
        """
        X, y = self._validate_data(X, y)
        n, m = X.shape
        Y = y.reshape(n, -1)
        mu, V_inv = self._prior(m)
        G, H, x_off, y_off = centred_gram(X, Y, None, self.fit_intercept)
        Lam = V_inv + G                                          # V_N^{-1}
        cf = sla.cho_factor(Lam, lower=True, check_finite=False)
        M = sla.cho_solve(cf, (V_inv @ mu)[:, None] + H, check_finite=False)      # (m, K)
        V_N = sla.cho_solve(cf, np.eye(m), check_finite=False)
        V_N = 0.5 * (V_N + V_N.T)
        if self.noise_variance is None:
            Yc = Y - y_off
            D = M - mu[:, None]
            rss = np.einsum("ik,ik->k", Yc, Yc) - 2 * np.einsum("ik,ik->k", M, H) \
                + np.einsum("ik,ik->k", M, G @ M)
            quad = np.einsum("ik,ik->k", D, V_inv @ D)
            a_N = float(self.a0) + 0.5 * n
            b_N = float(self.b0) + 0.5 * (np.maximum(rss, 0.0) + quad)
            sigma2 = b_N / (a_N - 1.0) if a_N > 1 else np.full_like(b_N, np.inf)
            cov = sigma2[:, None, None] * V_N
            self.a_, self.b_ = a_N, (float(b_N[0]) if y.ndim == 1 else b_N)
            self.sigma2_ = float(sigma2[0]) if y.ndim == 1 else sigma2
            self.coef_cov_ = cov[0] if y.ndim == 1 else cov
        else:
            self.a_ = self.b_ = None
            self.sigma2_ = float(self.noise_variance)
            self.coef_cov_ = self.sigma2_ * V_N
        b = y_off - x_off @ M
        if y.ndim == 1:
            self.coef_, self.intercept_ = M[:, 0], float(b[0]) if self.fit_intercept else 0.0
        else:
            self.coef_, self.intercept_ = M.T.copy(), b if self.fit_intercept else np.zeros(Y.shape[1])
        self.V_ = V_N
        self.x_offset_ = x_off
        self.n_samples_ = n
        return self

    def predict(self, X, return_std: bool = False):
        """Posterior predictive mean, and optionally its standard deviation.

        Parameters
        ----------
        X : array (n, n_features)
        return_std : bool
            Also return the posterior predictive standard deviation of a new
            observation (noise included).

        Returns
        -------
        mean : ndarray (n,) or (n, n_targets)
        std : ndarray, same shape (only if ``return_std``)
        """
        X = self._check_X(X)
        mean = X @ self.coef_.T + self.intercept_
        if not return_std:
            return mean
        Xc = X - self.x_offset_
        h = 1.0 + np.einsum("ij,ij->i", Xc @ self.V_, Xc)
        if self.fit_intercept:
            h += 1.0 / self.n_samples_
        std = np.sqrt(np.multiply.outer(h, np.asarray(self.sigma2_)))
        return mean, std

    def sample(self, n_samples: int = 1, random_state=None):
        """Draw weights and intercepts from the posterior.

        Parameters
        ----------
        n_samples : int
        random_state : int, numpy Generator or None

        Returns
        -------
        coef : ndarray (n_samples, n_features) or (n_samples, n_targets, n_features)
        intercept : ndarray (n_samples,) or (n_samples, n_targets)

        Notes
        -----
        ``sigma^2`` is fixed (known) or drawn from ``InvGamma(a_N, b_N)``; then
        ``w ~ N(m_N, sigma^2 V_N)`` and ``b ~ N(y_bar - x_bar^T w, sigma^2 / n)``.
        """
        check_is_fitted(self, "V_")
        check_scalar(n_samples, "n_samples", numbers.Integral, low=1)
        rng = check_random_state(random_state)
        M = self.coef_.reshape(-1, self.n_features_in_)                    # (K, m)
        K, m = M.shape
        if self.a_ is None:
            s2 = np.full((n_samples, K), self.sigma2_)
        else:
            s2 = np.asarray(self.b_, dtype=np.float64) / rng.gamma(self.a_, 1.0, size=(n_samples, K))
        L = np.linalg.cholesky(self.V_)
        W = M + np.sqrt(s2)[..., None] * (rng.standard_normal((n_samples, K, m)) @ L.T)
        if self.fit_intercept:
            ybar = np.reshape(self.intercept_, (K,)) + M @ self.x_offset_
            b = ybar - W @ self.x_offset_ + np.sqrt(s2 / self.n_samples_) * rng.standard_normal((n_samples, K))
        else:
            b = np.zeros((n_samples, K))
        if self.coef_.ndim == 1:
            return W[:, 0], b[:, 0]
        return W, b
