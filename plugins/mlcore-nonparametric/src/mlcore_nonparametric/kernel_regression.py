"""Nadaraya-Watson kernel regression with leave-one-out bandwidth selection."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from mlcore_utils.kernels import squared_distances

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Estimator, Kernel, RegressorMixin, constructor_params
from mlcore.validation import check_is_fitted, check_scalar

__all__ = ["KernelRegression"]

_rng = np.random.default_rng(0)
_EXAMPLE_X = _rng.uniform(-2, 2, size=(30, 2))
_EXAMPLE_Y = np.sin(_EXAMPLE_X[:, 0]) + 0.1 * _rng.normal(size=30)
_BLOCK = 1 << 22  # Gram-matrix entries computed at once


def _as_kernel(kernel):
    if kernel is None:
        return mlcore.build("rbf", kind="kernel")
    return mlcore.build(kernel, kind="kernel") if isinstance(kernel, str) else kernel


def _with_bandwidth(kernel, h):
    params = {p.name: getattr(kernel, p.name) for p in constructor_params(type(kernel))}
    params[kernel.bandwidth_param] = float(h)
    return type(kernel)(**params)


class KernelRegression(RegressorMixin, Estimator):
    """Nadaraya-Watson kernel regression: a kernel-weighted average of the training targets.

    Parameters
    ----------
    kernel : kernel spec or Kernel, default None
        Any component of the ``kernel`` kind; None means ``rbf`` (length scale 1).
    bandwidth : float, "loo", list of float or None, default None
        None: use the kernel as given. A float: set the kernel's bandwidth parameter
        (``length_scale`` for ``rbf``). ``"loo"`` or a list of candidates: choose the
        bandwidth that minimises the leave-one-out squared error (``"loo"`` searches 30
        values log-spaced from 1/100 to 10 times the median pairwise distance).

    Attributes
    ----------
    kernel_ : Kernel
        The kernel used (with the selected bandwidth).
    bandwidth_ : float or None
    loo_errors_ : ndarray (n_candidates,)
        Leave-one-out mean squared error of each candidate (bandwidth selection only).
    bandwidths_ : ndarray (n_candidates,)
    X_fit_, y_fit_ : ndarray
        Training data (copies).

    Notes
    -----
    ``y(x) = sum_i k(x, x_i) y_i / sum_i k(x, x_i)``. The leave-one-out prediction at
    a training point drops its own term: ``y_{-i} = sum_{j != i} K_ij y_j / sum_{j != i} K_ij``
    (the diagonal of the Gram matrix is zeroed), so every candidate costs one Gram matrix. A query whose
    weights sum to 0 (possible with a linear kernel, or far from the data with a narrow
    RBF) gets the training mean, with a RuntimeWarning.

    References
    ----------
    Nadaraya, E. A. (1964). On estimating regression. Theory of Probability and its
    Applications 9(1). Watson, G. S. (1964). Smooth regression analysis. Sankhya A 26(4).

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = np.linspace(0, 6, 50)[:, None]; y = np.sin(X[:, 0])
    >>> m = mlcore.build("kernel_regression(kernel=rbf, bandwidth='loo')").fit(X, y)
    >>> float(np.abs(m.predict(X) - y).max()) < 0.1
    True
    """

    spec_kinds = {"kernel": "kernel"}  # noqa: RUF012 (read-only class data)
    _tags = {"multi_output": True}  # noqa: RUF012 (read-only class data)

    def __init__(self, kernel: Kernel | str | None = None, bandwidth: float | str | list | None = None):
        self.kernel = kernel
        self.bandwidth = bandwidth

    def _check_params(self):
        kernel, bandwidth = self.kernel, self.bandwidth
        if kernel is not None and not isinstance(kernel, (str, Kernel)):
            raise ComponentArgumentError(f"kernel must be a kernel component or its spec, got {kernel!r}")
        if bandwidth is not None and not (isinstance(bandwidth, str) and bandwidth == "loo"):
            vals = bandwidth if isinstance(bandwidth, (list, tuple)) else [bandwidth]
            try:
                if not vals:
                    raise ComponentArgumentError("empty list")
                for v in vals:
                    check_scalar(v, "bandwidth", numbers.Real, low=0, low_inclusive=False)
            except ComponentArgumentError as exc:
                raise ComponentArgumentError(f"bandwidth must be None, 'loo', a finite positive float or a list of "
                                             f"them; got {bandwidth!r} ({exc})") from None
        if isinstance(kernel, Kernel) and bandwidth is not None and getattr(kernel, "bandwidth_param", None) is None:
            raise ComponentArgumentError(f"kernel {kernel!r} has no bandwidth parameter; use bandwidth=None")

    @classmethod
    def conformance_example(cls):
        return {"spec": "kernel_regression(bandwidth='loo')", "fit": (_EXAMPLE_X, _EXAMPLE_Y)}

    def fit(self, X, y):
        """Store the data and select the bandwidth if asked; returns self.

        Parameters
        ----------
        X : array-like (n, d)
        y : array-like (n,) or (n, n_outputs)
        """
        X, y = self._validate_data(X, y)
        kernel = _as_kernel(self.kernel)
        self.X_fit_, self.y_fit_ = X.copy(), y.copy()
        self.bandwidth_ = None
        bw = self.bandwidth
        if bw is not None:
            if getattr(kernel, "bandwidth_param", None) is None:
                raise ComponentArgumentError(f"kernel {kernel!r} has no bandwidth parameter; use bandwidth=None")
            if isinstance(bw, numbers.Real):
                self.bandwidth_ = float(bw)
            else:
                cands = self._default_grid(X) if isinstance(bw, str) else np.asarray(bw, dtype=float)
                errors = np.array([self._loo_error(_with_bandwidth(kernel, h), X, y) for h in cands])
                self.bandwidths_, self.loo_errors_ = cands, errors
                self.bandwidth_ = float(cands[np.nanargmin(errors)])
            kernel = _with_bandwidth(kernel, self.bandwidth_)
        self.kernel_ = kernel
        return self

    @staticmethod
    def _default_grid(X):
        sub = X[:: max(1, len(X) // 500)]
        d = np.sqrt(squared_distances(sub))       # centred: no cancellation far from the origin
        med = np.median(d[np.triu_indices(len(sub), 1)]) if len(sub) > 1 else 1.0
        med = med if med > 0 else 1.0
        return med * np.logspace(-2, 1, 30)

    @staticmethod
    def _loo_error(kernel, X, y):
        Y = y.reshape(len(y), -1)
        sq = 0.0
        step = max(1, _BLOCK // len(X))
        for s in range(0, len(X), step):  # blocks of rows bound the Gram matrix's memory
            K = kernel(X[s:s + step], X)
            K[np.arange(K.shape[0]), np.arange(s, s + K.shape[0])] = 0.0   # leave point i out exactly
            num = K @ Y
            den = K.sum(axis=1)
            if np.any(den <= 0):
                return np.inf  # some point has no other point with weight: bandwidth too small
            sq += ((num / den[:, None] - Y[s:s + step]) ** 2).sum()
        return sq / Y.size

    def predict(self, X):
        """Kernel-weighted averages of the training targets, (nq,) or (nq, n_outputs)."""
        check_is_fitted(self, "X_fit_")
        X = self._check_X(X)
        Y = self.y_fit_.reshape(len(self.y_fit_), -1)
        # one product gives numerators and denominators: K @ [Y, 1]
        Y1 = np.concatenate([Y, np.ones((len(Y), 1))], axis=1)
        out = np.empty((len(X), Y.shape[1]))
        step = max(1, _BLOCK // len(self.X_fit_))
        for s in range(0, len(X), step):  # blocks of queries bound the Gram matrix's memory
            S = self.kernel_(X[s:s + step], self.X_fit_) @ Y1
            num, den = S[:, :-1], S[:, -1]
            bad = den == 0
            if bad.any():
                warnings.warn(f"{int(bad.sum())} queries have zero total kernel weight; predicting the "
                              "training mean for them", RuntimeWarning, stacklevel=2)
                num[bad], den[bad] = Y.mean(axis=0), 1.0
            out[s:s + step] = num / den[:, None]
        return out[:, 0] if self.y_fit_.ndim == 1 else out
