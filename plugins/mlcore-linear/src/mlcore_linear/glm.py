"""Generalised linear models with canonical links, fitted by IRLS (Fisher scoring)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy.special import expit, xlogy

from mlcore.interfaces import Estimator, Interval, Options, RegressorMixin
from mlcore.validation import check_array, check_sample_weight, column_or_1d

from ._base import centring_shift
from ._logloss import ConvergenceWarning

__all__ = ["GLM"]

_EPS = 1e-10


def _inverse_link(link, eta):
    if link == "identity":
        return eta
    if link == "logit":
        return expit(eta)
    return np.exp(np.minimum(eta, 700.0))


def _deviance_terms(link, y, mu):
    """Unit deviances ``d(y, mu)`` (Gaussian, Bernoulli/binomial proportion, Poisson)."""
    if link == "identity":
        return (y - mu) ** 2
    if link == "logit":
        mu = np.clip(mu, _EPS, 1 - _EPS)
        return 2 * (xlogy(y, y / mu) + xlogy(1 - y, (1 - y) / (1 - mu)))
    mu = np.maximum(mu, _EPS)
    return 2 * (xlogy(y, y / mu) - (y - mu))


class GLM(RegressorMixin, Estimator):
    """Generalised linear model with a canonical link, fitted by iteratively reweighted least squares.

    Parameters
    ----------
    link : {"identity", "logit", "log"}, default "identity"
        ``identity``: Gaussian family; ``logit``: Bernoulli (targets in [0, 1]);
        ``log``: Poisson (non-negative targets).
    fit_intercept : bool, default True
    max_iter : int, default 100
    tol : float, default 1e-8
        Stop when ``|D_t - D_{t-1}| / (|D_t| + 0.1) < tol`` (``D`` the deviance).

    Attributes
    ----------
    coef_ : ndarray (n_features,)
    intercept_ : float
    bse_ : ndarray (n_features + fit_intercept,)
        Standard errors of ``[coef_, intercept_]`` from ``scale_ (A^T W A)^{-1}``.
    scale_ : float
        Dispersion: Pearson chi^2 / (sum(freq_weights) - p) for the Gaussian family (``n - p``
        without frequency weights), 1 otherwise, as statsmodels.
    deviance_, null_deviance_ : float
    n_iter_, n_features_in_ : int

    Notes
    -----
    The mean is ``mu = g^{-1}(eta)``, ``eta = X beta + b``, with variance function
    ``V(mu)`` = 1, ``mu (1 - mu)``, ``mu``. Each IRLS step (Fisher scoring; Newton's
    method for canonical links) forms the working response ``z = eta + (y - mu) g'(mu)`` and
    weights ``w = s / (V(mu) g'(mu)^2)`` (= ``s``, ``s mu (1 - mu)``, ``s mu``) and solves the
    weighted least-squares problem ``min ||W^{1/2} (z - A theta)||`` with ``A = [X, 1]`` by
    an SVD-based least-squares solver (no normal equations). ``score`` is the fraction of
    deviance explained, ``D^2 = 1 - D(y, mu) / D(y, y_bar)`` (= R^2 for the identity link).

    References
    ----------
    McCullagh, P. and Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed., chapter 2.
    Green, P. J. (1984). Iteratively reweighted least squares for maximum likelihood
    estimation. *JRSS B* 46(2), 149-192.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(0, 1, 20)[:, None]; y = np.round(np.exp(1 + X[:, 0]))
    >>> GLM(link="log").fit(X, y).predict(X[:2]).shape
    (2,)
    """

    _parameter_constraints = {"link": Options("identity", "logit", "log"), "fit_intercept": bool,
                              "max_iter": Interval(numbers.Integral, low=1), "tol": Interval(numbers.Real, low=0)}

    def __init__(self, link: str = "identity", fit_intercept: bool = True, max_iter: int = 100,
                 tol: float = 1e-8):
        self.link = link
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(50, 3))
        y = rng.poisson(np.exp(0.3 * X @ [1.0, -1.0, 0.5] + 1.0)).astype(float)
        return {"spec": "glm(link='log')", "fit": (X, y)}

    def fit(self, X, y, sample_weight=None, *, freq_weights=None, var_weights=None):
        """Fit by IRLS.

        Parameters
        ----------
        X : array (n_samples, n_features)
        y : array (n_samples,)
        sample_weight : array (n_samples,), optional
            Frequency weights: the same as ``freq_weights`` (scikit-learn's name for them).
        freq_weights : array (n_samples,), optional
            Frequency weights (statsmodels ``freq_weights``): row ``i`` stands for
            ``freq_weights[i]`` identical observations. A fit equals the fit on the
            replicated rows, standard errors included (residual degrees of freedom
            ``sum(freq_weights) - p``).
        var_weights : array (n_samples,), optional
            Variance (analytic, precision) weights (statsmodels ``var_weights``):
            ``Var(y_i) = scale_ V(mu_i) / var_weights[i]``, e.g. row ``i`` is the mean of
            ``var_weights[i]`` observations. The residual degrees of freedom stay ``n - p``.

        Returns
        -------
        self

        Notes
        -----
        Both kinds give the same coefficients and deviance; they differ in the dispersion
        and so the standard errors of the Gaussian family (Binomial and Poisson have
        dispersion 1). Both may be given (the IRLS weights are their product).
        """
        X, y = self._validate_data(X, y)
        n, m = X.shape
        if sample_weight is not None and freq_weights is not None:
            raise ValueError("sample_weight and freq_weights are the same frequency weights: give one of them")
        if freq_weights is not None:
            fw = check_sample_weight(freq_weights, n, name="freq_weights")
        else:
            fw = check_sample_weight(sample_weight, n)
        vw = check_sample_weight(var_weights, n, name="var_weights")
        fw = np.ones(n) if fw is None else fw
        s = fw if vw is None else fw * vw
        if self.link == "logit" and (y.min() < 0 or y.max() > 1):
            raise ValueError("link='logit' (Bernoulli family) needs targets in [0, 1]")
        if self.link == "log" and y.min() < 0:
            raise ValueError("link='log' (Poisson family) needs non-negative targets")
        shift = centring_shift(X, s, self.fit_intercept)
        A = np.hstack([X - shift, np.ones((n, 1))]) if self.fit_intercept else X
        ybar = float(s @ y / s.sum())
        mu = (y + 0.5) / 2 if self.link == "logit" else (y + ybar) / 2
        if self.link == "log":
            mu = np.maximum(mu, 0.1 * max(ybar, _EPS))
        if self.link == "identity":
            eta = mu
        else:
            eta = np.log(mu / (1 - mu)) if self.link == "logit" else np.log(mu)
        dev_old = np.inf
        theta = np.zeros(A.shape[1])
        converged = False
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):       # IRLS iterations (a handful), not samples
            if self.link == "identity":
                w, z = s, y
            elif self.link == "logit":
                v = np.clip(mu * (1 - mu), _EPS, None)
                w, z = s * v, eta + (y - mu) / v
            else:
                v = np.maximum(mu, _EPS)
                w, z = s * v, eta + (y - mu) / v
            r = np.sqrt(w)
            theta = np.linalg.lstsq(A * r[:, None], z * r, rcond=None)[0]
            eta = A @ theta
            mu = _inverse_link(self.link, eta)
            dev = float(s @ _deviance_terms(self.link, y, mu))
            if abs(dev - dev_old) / (abs(dev) + 0.1) < self.tol or self.link == "identity":
                converged = True
                break
            dev_old = dev
        if not converged:
            warnings.warn(f"IRLS did not converge in max_iter={self.max_iter} iterations",
                          ConvergenceWarning, stacklevel=2)
        var = {"identity": np.ones(n), "logit": mu * (1 - mu), "log": mu}[self.link]
        W = s * np.maximum(var, _EPS)
        p = A.shape[1]
        df_resid = float(fw.sum()) - p               # frequency weights count observations
        scale = float(s @ ((y - mu) ** 2) / df_resid) if self.link == "identity" and df_resid > 0 else 1.0
        cov = np.linalg.pinv(A.T @ (A * W[:, None])) * scale
        if np.any(shift):  # back from the centred parametrisation: theta = T theta_c
            T = np.eye(len(theta))
            T[m, :m] = -shift
            theta = T @ theta
            cov = T @ cov @ T.T
        null_mu = np.full(n, ybar) if self.fit_intercept else _inverse_link(self.link, np.zeros(n))
        self.coef_ = theta[:m].copy()
        self.intercept_ = float(theta[m]) if self.fit_intercept else 0.0
        self.bse_ = np.sqrt(np.clip(np.diag(cov), 0, None))
        self.scale_ = scale
        self.deviance_ = dev
        self.null_deviance_ = float(s @ _deviance_terms(self.link, y, null_mu))
        self.n_iter_ = n_iter
        return self

    def linear_predictor(self, X):
        """``eta = X coef + intercept`` (n,)."""
        X = self._check_X(X)
        return X @ self.coef_ + self.intercept_

    def predict(self, X):
        """Predicted mean ``mu = g^{-1}(eta)`` (n,)."""
        return _inverse_link(self.link, self.linear_predictor(X))

    def score(self, X, y, sample_weight=None) -> float:
        """Fraction of deviance explained ``D^2`` (R^2 for the identity link)."""
        y = column_or_1d(check_array(y, name="y", ndim=(1, 2), min_features=0), warn=False)
        sw = check_sample_weight(sample_weight, len(y))
        s = np.ones(len(y)) if sw is None else sw
        dev = s @ _deviance_terms(self.link, y, self.predict(X))
        null = s @ _deviance_terms(self.link, y, np.full(len(y), s @ y / s.sum()))
        return float(1.0 - dev / null) if null > 0 else float(dev == 0)
