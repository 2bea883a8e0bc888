"""Full-covariance Gaussian mixture model fitted by expectation-maximisation."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import ClusterMixin, Estimator, Interval, Options
from mlcore.progress import progress_iter
from mlcore.validation import check_array, check_is_fitted, check_random_state, check_scalar

__all__ = ["GaussianMixture"]

_LOG_2PI = np.log(2.0 * np.pi)
_BLOCK = 1 << 20  # elements of the (rows, K d) block of the E-step (8 MiB of float64)


def _logsumexp_rows(a):
    """log(sum(exp(a), axis=1)) computed stably with the per-row maximum."""
    m = a.max(axis=1)
    m[~np.isfinite(m)] = 0.0
    return np.log(np.exp(a - m[:, None]).sum(axis=1)) + m


def _precision_cholesky(covariances, reg_covar):
    """Upper factors ``P_k = L_k^{-T}`` with ``Sigma_k = L_k L_k^T``, so ``Sigma_k^{-1} = P_k P_k^T``."""
    try:
        L = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        bad = [k for k, c in enumerate(covariances) if np.any(np.linalg.eigvalsh(c) <= 0)]
        raise ValueError(
            f"covariance of component(s) {bad} is not positive definite: the component collapsed "
            f"onto too few points (reg_covar={reg_covar}). Increase reg_covar, use fewer components "
            "or rescale the data.") from None
    eye = np.broadcast_to(np.eye(covariances.shape[1]), covariances.shape)
    return np.linalg.solve(L, eye).transpose(0, 2, 1)


class GaussianMixture(ClusterMixin, Estimator):
    """Gaussian mixture with full covariance matrices, maximum likelihood by EM.

    Parameters
    ----------
    n_components : int, default 1
        Number of mixture components ``K``.
    max_iter : int, default 100
        Maximum number of EM iterations per initialisation.
    tol : float, default 1e-3
        Stop when the average log-likelihood per sample changes by less than ``tol``.
    reg_covar : float, default 1e-6
        Added to the diagonal of every covariance matrix (keeps collapsed components
        positive definite).
    init : {"kmeans", "kmeans++", "random"}, default "kmeans"
        Data-driven initial responsibilities: k-means++ seeding refined by Lloyd
        iterations, k-means++ seeding alone, or random data points as centres; each
        point is then assigned to its nearest centre.
    weights_init : array (K,), optional
    means_init : array (K, d), optional
    covariances_init : array (K, d, d), optional
        Initial parameters; those given replace the ones computed from ``init``.
    n_init : int, default 1
        Number of initialisations; the one with the highest final bound is kept.
    random_state : int, numpy Generator or None

    Attributes
    ----------
    weights_ : ndarray (K,)
    means_ : ndarray (K, d)
    covariances_ : ndarray (K, d, d)
    precisions_cholesky_ : ndarray (K, d, d)
        Upper-triangular ``P_k`` with ``Sigma_k^{-1} = P_k P_k^T``.
    precisions_ : ndarray (K, d, d)
    lower_bound_ : float
        Average log-likelihood per sample at the last E-step of the best run.
    lower_bounds_ : ndarray ``(n_iter_,)``
        That value at every iteration of the best run.
    converged_ : bool
    n_iter_ : int
    n_features_in_ : int

    Notes
    -----
    E-step, in log space: ``log r_ik = log w_k + log N(x_i | mu_k, Sigma_k) - log p(x_i)``
    with ``log N = -1/2 (d log 2 pi + ||(x_i - mu_k) P_k||^2) + sum_j log (P_k)_jj`` and
    ``log p(x_i) = logsumexp_k(...)``. M-step: ``n_k = sum_i r_ik`` (+ 10 eps),
    ``w_k = n_k / sum_k n_k``, ``mu_k = sum_i r_ik x_i / n_k``,
    ``Sigma_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T / n_k + reg_covar I``.
    Every quantity matches scikit-learn's ``GaussianMixture(covariance_type="full")``
    step for step; the bound stored is the mean of ``log p(x_i)``.

    References
    ----------
    Dempster, Laird and Rubin (1977), Maximum likelihood from incomplete data via the EM
    algorithm, JRSS B 39(1). Bishop (2006), Pattern Recognition and Machine Learning,
    section 9.2. Arthur and Vassilvitskii (2007), k-means++: the advantages of careful seeding.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(6, 1, (100, 2))])
    >>> gm = mlcore.build("gmm(n_components=2, random_state=0)").fit(X)
    >>> np.round(np.sort(gm.weights_), 2).tolist()
    [0.5, 0.5]
    """

    _estimator_type = "density_estimator"  # (also a clusterer: fit_predict)
    _parameter_constraints = {  # noqa: RUF012 (read-only class data)
        "n_components": Interval(numbers.Integral, low=1), "max_iter": Interval(numbers.Integral, low=0),
        "tol": Interval(low=0), "reg_covar": Interval(low=0), "init": Options("kmeans", "kmeans++", "random"),
        "n_init": Interval(numbers.Integral, low=1),
    }

    def __init__(self, n_components=1, *, max_iter=100, tol=1e-3, reg_covar=1e-6, init="kmeans",
                 weights_init=None, means_init=None, covariances_init=None, n_init=1,
                 random_state=None):
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.init = init
        self.weights_init = weights_init
        self.means_init = means_init
        self.covariances_init = covariances_init
        self.n_init = n_init
        self.random_state = random_state

    # ----------------------------------------------------------------- maths
    def _estimate_weighted_log_prob(self, X, weights, means, prec_chol):
        """``log w_k + log N(x_i | mu_k, Sigma_k)``, shape (n, K), one matrix product for all k."""
        n, d = X.shape
        K = means.shape[0]
        # (x - mu) P = x P - mu P cancels digits far from the origin: translate x and every
        # mu by the mean of the means first (the result is translation invariant)
        centre = means.mean(axis=0)
        means = means - centre
        P = prec_chol.transpose(1, 0, 2).reshape(d, K * d)           # [P_1 | ... | P_K]
        shift = np.einsum("kd,kde->ke", means, prec_chol).reshape(K * d)
        maha = np.empty((n, K))
        step = max(1, _BLOCK // (K * d))
        for s in range(0, n, step):  # blocks of rows: (step, K d) temporaries, not (n, K d)
            Y = (X[s:s + step] - centre) @ P
            Y -= shift
            Y *= Y
            maha[s:s + step] = Y.reshape(-1, K, d).sum(axis=2)
        log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
        return -0.5 * (d * _LOG_2PI + maha) + log_det + np.log(weights)

    def _e_step(self, X, params):
        wlp = self._estimate_weighted_log_prob(X, *params)
        log_norm = _logsumexp_rows(wlp)
        wlp -= log_norm[:, None]
        return log_norm, wlp

    def _m_step(self, X, resp):
        nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
        means = (resp.T @ X) / nk[:, None]
        d = X.shape[1]
        cov = np.empty((len(nk), d, d))
        for k in range(len(nk)):  # one component at a time: (n, d) temporaries, not (K, n, d)
            diff = X - means[k]
            cov[k] = (diff * resp[:, k:k + 1]).T @ diff / nk[k]
        cov[:, np.arange(d), np.arange(d)] += self.reg_covar
        weights = nk / nk.sum()
        return weights, means, cov

    # ----------------------------------------------------------------- fitting
    def _check_inits(self, n_features):
        K, d = self.n_components, n_features
        w = m = c = None
        if self.weights_init is not None:
            w = check_array(self.weights_init, name="weights_init", ndim=1).astype(float)
            if w.shape != (K,) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
                raise ValueError(f"weights_init must be {K} non-negative numbers summing to 1, got {w}")
        if self.means_init is not None:
            m = check_array(self.means_init, name="means_init", ndim=2).astype(float)
            if m.shape != (K, d):
                raise ValueError(f"means_init must have shape {(K, d)}, got {m.shape}")
        if self.covariances_init is not None:
            c = check_array(self.covariances_init, name="covariances_init", ndim=3).astype(float)
            if c.shape != (K, d, d) or not np.allclose(c, c.transpose(0, 2, 1)):
                raise ValueError(f"covariances_init must be {K} symmetric {d}x{d} matrices, got shape {c.shape}")
            low = np.linalg.eigvalsh(c).min(axis=1)
            if np.any(low <= 0):
                bad = np.flatnonzero(low <= 0).tolist()
                raise ValueError(f"covariances_init must be positive definite, but component(s) {bad} have the "
                                 f"smallest eigenvalue(s) {low[bad].tolist()}")
        return w, m, c

    def _initial_params(self, X, rng, inits):
        from ._init import initial_responsibilities

        w, m, c = inits
        if w is None or m is None or c is None:
            resp = initial_responsibilities(X, self.n_components, self.init, rng)
            w0, m0, c0 = self._m_step(X, resp)
            w = w0 if w is None else w
            m = m0 if m is None else m
            c = c0 if c is None else c
        return w.copy(), m.copy(), c.copy()

    def fit(self, X, y=None, progress=None):
        """Fit the mixture by EM (``n_init`` runs, the best bound kept).

        Parameters
        ----------
        X : array (n_samples, n_features)
        y : ignored
        progress : bool or None
            Show a tqdm bar over iterations (None: only on a terminal).

        Returns
        -------
        self
        """
        X = self._validate_data(X, min_samples=2).astype(np.float64, copy=False)
        if X.shape[0] < self.n_components:
            raise ValueError(f"n_components={self.n_components} needs at least that many samples, "
                             f"got {X.shape[0]}")
        inits = self._check_inits(X.shape[1])
        rng = check_random_state(self.random_state)
        best = None
        for _ in range(self.n_init):  # independent restarts
            weights, means, cov = self._initial_params(X, rng, inits)
            params = (weights, means, _precision_cholesky(cov, self.reg_covar))
            lower_bound, history, converged, n_iter = -np.inf, [], False, 0
            for n_iter in progress_iter(range(1, self.max_iter + 1), progress, "gmm EM"):
                prev = lower_bound
                log_norm, log_resp = self._e_step(X, params)
                weights, means, cov = self._m_step(X, np.exp(log_resp))
                params = (weights, means, _precision_cholesky(cov, self.reg_covar))
                lower_bound = float(log_norm.mean())
                history.append(lower_bound)
                if abs(lower_bound - prev) < self.tol:
                    converged = True
                    break
            if best is None or lower_bound > best[0]:
                best = (lower_bound, weights, means, cov, params[2], history, converged, n_iter)
        (self.lower_bound_, self.weights_, self.means_, self.covariances_, self.precisions_cholesky_,
         history, self.converged_, self.n_iter_) = best
        self.lower_bounds_ = np.asarray(history, dtype=float)
        self.precisions_ = np.matmul(self.precisions_cholesky_, self.precisions_cholesky_.transpose(0, 2, 1))
        return self

    # ----------------------------------------------------------------- inference
    def _check_X(self, X):
        check_is_fitted(self, "means_")
        return super()._check_X(X).astype(np.float64, copy=False)

    def _params(self):
        return self.weights_, self.means_, self.precisions_cholesky_

    def score_samples(self, X):
        """Log density ``log p(x_i)`` of each sample, shape (n_samples,)."""
        X = self._check_X(X)
        return _logsumexp_rows(self._estimate_weighted_log_prob(X, *self._params()))

    def score(self, X, y=None):
        """Average log-likelihood per sample."""
        return float(self.score_samples(X).mean())

    def predict_proba(self, X):
        """Posterior responsibilities ``p(k | x_i)``, shape (n_samples, K)."""
        X = self._check_X(X)
        return np.exp(self._e_step(X, self._params())[1])

    def predict(self, X):
        """Most probable component of each sample, shape (n_samples,)."""
        X = self._check_X(X)
        return np.argmax(self._estimate_weighted_log_prob(X, *self._params()), axis=1)

    def fit_predict(self, X, y=None):
        """``fit(X)`` then ``predict(X)``."""
        return self.fit(X).predict(X)

    def sample(self, n_samples=1):
        """Draw ``n_samples`` points; returns ``(X (n_samples, d), labels (n_samples,))``."""
        check_is_fitted(self, "means_")
        check_scalar(n_samples, "n_samples", numbers.Integral, low=1)
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        L = np.linalg.cholesky(self.covariances_)
        d = self.means_.shape[1]
        # one block of draws per component (K is small)
        X = np.vstack([self.means_[k] + rng.standard_normal((c, d)) @ L[k].T for k, c in enumerate(counts)])
        y = np.repeat(np.arange(self.n_components), counts)
        return X, y

    def _n_parameters(self):
        K, d = self.means_.shape
        return int(K * d * (d + 1) / 2 + K * d + K - 1)

    def bic(self, X):
        """Bayesian information criterion on ``X`` (lower is better)."""
        X = self._check_X(X)
        return -2 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X):
        """Akaike information criterion on ``X`` (lower is better)."""
        X = self._check_X(X)
        return -2 * self.score(X) * X.shape[0] + 2 * self._n_parameters()

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = np.vstack([rng.normal(0, 1, (30, 2)), rng.normal(5, 1, (30, 2))])
        return {"spec": "gmm(n_components=2, random_state=0)", "fit": (X,)}
