"""Gaussian-process regression: Cholesky fit, predictive mean/std/cov, marginal likelihood."""

from __future__ import annotations

import numbers

import numpy as np

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Estimator, Interval, Kernel, Options, RegressorMixin
from mlcore.validation import check_array, check_choice, check_is_fitted, check_random_state, check_scalar

__all__ = ["GPRegression"]

_rng = np.random.default_rng(0)
_EXAMPLE_X = _rng.uniform(-3, 3, size=(25, 2))
_EXAMPLE_Y = np.sin(_EXAMPLE_X[:, 0]) * np.cos(_EXAMPLE_X[:, 1]) + 0.05 * _rng.normal(size=25)
_LOG_2PI = np.log(2 * np.pi)


def _as_kernel(kernel):
    if kernel is None:
        return mlcore.build("rbf", kind="kernel")
    return mlcore.build(kernel, kind="kernel") if isinstance(kernel, str) else kernel


def _cholesky(K):
    from scipy.linalg import LinAlgError, cholesky

    try:
        return cholesky(K, lower=True, check_finite=False)
    except LinAlgError as exc:
        raise np.linalg.LinAlgError(
            f"the kernel matrix plus alpha*I is not positive definite ({exc}); increase alpha") from exc


class GPRegression(RegressorMixin, Estimator):
    """Zero-mean Gaussian-process regression.

    Parameters
    ----------
    kernel : kernel spec or Kernel, default None
        Covariance function; None means ``rbf`` (length scale 1, variance 1).
    alpha : float or list of float, default 1e-10
        Noise variance added to the diagonal of the training Gram matrix (one value, or
        one per training point).
    optimizer : {None, "l-bfgs-b"}, default None
        None keeps the kernel's hyperparameters; ``"l-bfgs-b"`` maximises the log marginal
        likelihood over them (log space, analytic gradient, ``scipy.optimize``).
    n_restarts_optimizer : int, default 0
        Extra optimiser runs from log-uniform random starts within the bounds.
    random_state : int, numpy Generator or None
        For the restarts and the default of :meth:`sample_y`.

    Attributes
    ----------
    kernel_ : Kernel
        Kernel with the fitted hyperparameters (a new object; ``kernel`` is not changed).
    X_train_, y_train_ : ndarray
        Training data (copies).
    L_ : ndarray (n, n)
        Lower Cholesky factor of ``K + alpha I``.
    alpha_ : ndarray (n,) or (n, n_outputs)
        ``(K + alpha I)^{-1} y``.
    log_marginal_likelihood_value_ : float

    Notes
    -----
    With ``K = k(X, X) + alpha I = L L^T`` and ``a = K^{-1} y``:

    * mean ``mu(x*) = k(x*, X) a``;
      covariance ``k(x*, x*) - v^T v`` with ``v = L^{-1} k(X, x*)``;
    * ``log p(y | X) = -y^T a / 2 - sum_i log L_ii - n log(2 pi) / 2`` (summed over outputs);
    * ``d log p / d theta_j = tr((a a^T - K^{-1}) dK/d theta_j) / 2``.

    Equals ``sklearn.gaussian_process.GaussianProcessRegressor(optimizer=None)`` with the
    same kernel. :meth:`log_marginal_likelihood` builds its own matrices, so calling it
    never changes the model (numpy-ml added ``alpha I`` to its stored K on every call).

    References
    ----------
    Rasmussen, C. E. and Williams, C. K. I. (2006). Gaussian Processes for Machine
    Learning, MIT Press: algorithm 2.1 and equation 5.9.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = np.linspace(0, 5, 20)[:, None]; y = np.sin(X[:, 0])
    >>> gp = mlcore.build("gp_regression(kernel=rbf(length_scale=1.0), alpha=1e-6)").fit(X, y)
    >>> mean, std = gp.predict(np.array([[2.5]]), return_std=True)
    >>> bool(abs(mean[0] - np.sin(2.5)) < 1e-3 and std[0] < 1e-2)
    True
    """

    spec_kinds = {"kernel": "kernel"}  # noqa: RUF012 (read-only class data)
    _parameter_constraints = {  # noqa: RUF012 (read-only class data)
        "optimizer": Options(None, "l-bfgs-b"), "n_restarts_optimizer": Interval(numbers.Integral, low=0),
    }
    _tags = {"multi_output": True}  # noqa: RUF012

    def __init__(self, kernel: Kernel | str | None = None, alpha: float | list = 1e-10, optimizer: str | None = None,
                 n_restarts_optimizer: int = 0, random_state=None):
        self.kernel = kernel
        self.alpha = alpha
        self.optimizer = optimizer
        self.n_restarts_optimizer = n_restarts_optimizer
        self.random_state = random_state

    def _check_params(self):
        kernel, alpha = self.kernel, self.alpha
        if kernel is not None and not isinstance(kernel, (str, Kernel)):
            raise ComponentArgumentError(f"kernel must be a kernel component or its spec, got {kernel!r}")
        if isinstance(alpha, (list, tuple)):
            if not alpha or any(isinstance(a, bool) or not isinstance(a, numbers.Real) or a < 0 for a in alpha):
                raise ComponentArgumentError(f"alpha must be a non-negative float or a list of them, got {alpha!r}")
        else:
            check_scalar(alpha, "alpha", numbers.Real, low=0)

    @classmethod
    def conformance_example(cls):
        return {"spec": "gp_regression(alpha=0.01, optimizer='l-bfgs-b', n_restarts_optimizer=1)",
                "fit": (_EXAMPLE_X, _EXAMPLE_Y)}

    # ------------------------------------------------------------------ fitting
    def _noise(self, n):
        a = np.asarray(self.alpha, dtype=float)
        if a.ndim == 1 and a.size != n:
            raise ValueError(f"alpha has {a.size} entries but there are {n} training points")
        return a

    def _lml(self, kernel, X, Y, eval_gradient=False):
        """Log marginal likelihood (and gradient) of ``kernel`` on (X, Y); returns (lml, grad, L, a)."""
        if eval_gradient:
            K, dK = kernel.gradient(X)
        else:
            K, dK = kernel(X), None
        K[np.diag_indices_from(K)] += self._noise(len(X))   # K is a fresh array built here
        L = _cholesky(K)
        from scipy.linalg import cho_solve

        a = cho_solve((L, True), Y, check_finite=False)
        n_out = Y.shape[1]
        lml = -0.5 * np.einsum("ik,ik->", Y, a) - n_out * np.log(np.diag(L)).sum() - 0.5 * n_out * len(X) * _LOG_2PI
        grad = None
        if eval_gradient:
            inner = a @ a.T - n_out * cho_solve((L, True), np.eye(len(X)), check_finite=False)
            grad = 0.5 * np.einsum("ij,ijk->k", inner, dK)
        return float(lml), grad, L, a

    def fit(self, X, y):
        """Factorise the training covariance (optimising the kernel first if asked); returns self.

        Parameters
        ----------
        X : array-like (n, d)
        y : array-like (n,) or (n, n_outputs)
        """
        X, y = self._validate_data(X, y)
        Y = y.reshape(len(y), -1)
        kernel = _as_kernel(self.kernel)
        d = X.shape[1]
        if self.optimizer is not None and len(kernel.get_theta(d)):
            from scipy.optimize import minimize

            def objective(theta):
                try:
                    lml, grad, _, _ = self._lml(kernel.with_theta(theta, d), X, Y, eval_gradient=True)
                except np.linalg.LinAlgError:
                    return np.inf, np.zeros_like(theta)
                return -lml, -grad

            bounds = kernel.get_bounds(d)
            rng = check_random_state(self.random_state)
            starts = [kernel.get_theta(d)] + [rng.uniform(bounds[:, 0], bounds[:, 1])
                                              for _ in range(self.n_restarts_optimizer)]
            best = None
            for theta0 in starts:  # a handful of optimiser runs
                res = minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds)
                if best is None or res.fun < best.fun:
                    best = res
            kernel = kernel.with_theta(best.x, d)
        lml, _, L, a = self._lml(kernel, X, Y)
        self.kernel_ = kernel
        self.X_train_, self.y_train_ = X.copy(), y.copy()
        self.L_, self.alpha_ = L, a if y.ndim == 2 else a[:, 0]
        self.log_marginal_likelihood_value_ = lml
        return self

    def log_marginal_likelihood(self, theta=None, eval_gradient: bool = False):
        """Log marginal likelihood of the training data.

        Parameters
        ----------
        theta : array-like (n_theta,) or None
            Log hyperparameters of ``kernel_`` (see ``kernel_.get_theta``); None means the
            fitted ones.
        eval_gradient : bool
            Also return the gradient with respect to ``theta``.

        Returns
        -------
        float, or (float, ndarray (n_theta,))
        """
        check_is_fitted(self, "L_")
        d = self.X_train_.shape[1]
        kernel = self.kernel_ if theta is None else self.kernel_.with_theta(theta, d)
        if theta is None and not eval_gradient:
            return self.log_marginal_likelihood_value_
        lml, grad, _, _ = self._lml(kernel, self.X_train_, self.y_train_.reshape(len(self.y_train_), -1),
                                    eval_gradient)
        return (lml, grad) if eval_gradient else lml

    # ------------------------------------------------------------------ prediction
    def predict(self, X, return_std: bool = False, return_cov: bool = False):
        """Posterior mean, optionally with the standard deviation or the covariance.

        Parameters
        ----------
        X : array-like (nq, d)
        return_std, return_cov : bool
            At most one of them.

        Returns
        -------
        mean : ndarray (nq,) or (nq, n_outputs)
        std : ndarray (nq,) or (nq, n_outputs), if ``return_std``
        cov : ndarray (nq, nq) or (nq, nq, n_outputs), if ``return_cov``
        """
        if return_std and return_cov:
            raise ValueError("at most one of return_std and return_cov can be requested")
        check_is_fitted(self, "L_")
        X = self._check_X(X)
        Ks = self.kernel_(X, self.X_train_)
        mean = Ks @ self.alpha_
        if not (return_std or return_cov):
            return mean
        from scipy.linalg import solve_triangular

        V = solve_triangular(self.L_, Ks.T, lower=True, check_finite=False)
        n_out = 1 if self.y_train_.ndim == 1 else self.y_train_.shape[1]
        if return_cov:
            cov = self.kernel_(X)
            cov -= V.T @ V
            return mean, cov if self.y_train_.ndim == 1 else np.repeat(cov[:, :, None], n_out, axis=2)
        var = self.kernel_.diag(X) - np.einsum("ij,ij->j", V, V)
        std = np.sqrt(np.maximum(var, 0.0))   # tiny negative values are rounding errors
        return mean, std if self.y_train_.ndim == 1 else np.repeat(std[:, None], n_out, axis=1)

    def sample_y(self, X, n_samples: int = 1, random_state=None, dist: str = "posterior"):
        """Draw functions from the posterior (or the prior) at the rows of ``X``.

        Parameters
        ----------
        X : array-like (nq, d)
        n_samples : int
        random_state : int, Generator or None
            None uses the estimator's ``random_state``.
        dist : {"posterior", "prior"}
            ``"prior"`` works before ``fit`` (zero mean, covariance ``kernel(X)``).

        Returns
        -------
        ndarray (nq, n_samples) or (nq, n_outputs, n_samples)
        """
        check_choice(dist, "dist", ("posterior", "prior"))
        n_samples = check_scalar(n_samples, "n_samples", numbers.Integral, low=1)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        X = check_array(X, ndim=2)
        if dist == "prior":
            cov = _as_kernel(self.kernel)(X)
            mean = np.zeros((len(X), 1))
        else:
            mean, cov = self.predict(X, return_cov=True)
            cov = cov if cov.ndim == 2 else cov[:, :, 0]
            mean = mean.reshape(len(X), -1)
        s, U = np.linalg.eigh(cov)
        factor = U * np.sqrt(np.maximum(s, 0.0))       # cov = factor factor^T, PSD-safe
        Z = rng.standard_normal((mean.shape[1], len(X), n_samples))
        draws = mean.T[:, :, None] + np.einsum("ij,ojs->ois", factor, Z)   # (n_outputs, nq, n_samples)
        draws = np.moveaxis(draws, 0, 1)
        return draws[:, 0, :] if draws.shape[1] == 1 and (dist == "prior" or self.y_train_.ndim == 1) else draws
