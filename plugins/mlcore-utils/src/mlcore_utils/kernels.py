"""Positive semi-definite kernels: linear, polynomial and RBF, with hyperparameter gradients.

Every kernel is a :class:`mlcore.interfaces.Kernel`: ``kernel(X, Y=None)`` returns the Gram
matrix ``K[i, j] = k(X[i], Y[j])`` of shape ``(n_X, n_Y)``. For Gaussian-process model
selection each kernel also exposes its positive hyperparameters in log space
(:attr:`KernelBase.theta`, :attr:`KernelBase.bounds`), :meth:`KernelBase.with_theta` (a new
kernel, the original is never mutated) and :meth:`KernelBase.gradient` (``dK / d theta``).
"""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Kernel
from mlcore.validation import check_array, check_scalar

__all__ = ["RBF", "KernelBase", "Linear", "Polynomial", "squared_distances"]

_EXAMPLE_X = np.random.default_rng(0).normal(size=(6, 3))


def squared_distances(X, Y=None):
    """Squared Euclidean distances ``||x_i - y_j||^2``, accurate far from the origin.

    Parameters
    ----------
    X : ndarray (n, d)
    Y : ndarray (m, d) or None
        None means ``X`` (the diagonal is then exactly 0).

    Returns
    -------
    ndarray (n, m)

    Notes
    -----
    ``||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y`` (one matrix product plus two rank-one
    updates, like ``sklearn.metrics.pairwise.euclidean_distances``) computed on data
    centred on the mean of ``X``: the expansion's rounding error is about
    ``eps (||x||^2 + ||y||^2)``, so uncentred data far from the origin (dates, say) would
    lose every digit of small distances. Entries that could still have lost more than
    about four digits (``D < 1e-4 (||x||^2 + ||y||^2)`` in centred coordinates: duplicates,
    or tight clusters far from the common mean) are recomputed from the differences.
    Equal to ``scipy.spatial.distance.cdist(X, Y, "sqeuclidean")`` to about 1e-12 relative.
    """
    return _scaled_sqdist(X, Y, 1.0)


def _scaled_sqdist(X, Y, factor):
    """``factor * ||x_i - y_j||^2`` (see :func:`squared_distances`); the factor is folded into
    the small operands so that the (n, m) result takes no extra pass."""
    shift = X.mean(axis=0) if len(X) else np.zeros(X.shape[1])
    Xc = X - shift
    Yc = Xc if Y is None else Y - shift
    XX = np.einsum("ij,ij->i", Xc, Xc)
    YY = XX if Y is None else np.einsum("ij,ij->i", Yc, Yc)
    D = (Xc * (-2.0 * factor)) @ Yc.T
    D += (factor * XX)[:, None]
    D += (factor * YY)[None, :]
    # entries that may have cancelled (D <= 1e-4 (|x|^2 + |y|^2) in centred coordinates,
    # negative ones included) are recomputed from the differences: first a cheap test
    # against the largest norms, then the exact test on the few candidates
    thr = factor * _RECOMPUTE_BELOW * (XX.max(initial=0.0) + YY.max(initial=0.0))
    rows, cols = np.divmod(np.flatnonzero(D <= thr if factor > 0 else D >= thr), D.shape[1])  # 1-D: faster
    keep = D[rows, cols] / factor <= _RECOMPUTE_BELOW * (XX[rows] + YY[cols])
    rows, cols = rows[keep], cols[keep]
    for s in range(0, len(rows), _PAIR_BLOCK):  # exact differences for the cancelling entries
        r, c = rows[s:s + _PAIR_BLOCK], cols[s:s + _PAIR_BLOCK]
        diff = Xc[r] - Yc[c]
        D[r, c] = factor * np.einsum("ij,ij->i", diff, diff)
    if Y is None:
        np.fill_diagonal(D, 0.0)
    return D


_RECOMPUTE_BELOW = 1e-4   # relative size of D below which the expansion is recomputed exactly
_PAIR_BLOCK = 1 << 16     # pairs recomputed at once (bounds the (pairs, d) difference array)


def _check_pair(X, Y):
    X = check_array(X, name="X", ndim=(1, 2))
    X = X[:, None] if X.ndim == 1 else X
    if Y is not None:
        Y = check_array(Y, name="Y", ndim=(1, 2))
        Y = Y[:, None] if Y.ndim == 1 else Y
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"X and Y must have the same number of columns, got {X.shape[1]} and {Y.shape[1]}")
    return X, Y


class KernelBase(Kernel):
    """Common machinery: log-space hyperparameters, ``with_theta`` and ``diag``.

    Subclasses define ``_hyper(n_features)`` -> list of ``(name, value)`` for the positive
    hyperparameters that model selection may tune (value a float or an array), ``_gram``
    and ``_gradient``.
    """

    #: log-space bounds used for every hyperparameter by :attr:`bounds`
    hyper_bounds = (1e-5, 1e5)
    #: name of the hyperparameter that acts as a bandwidth (None: the kernel has none)
    bandwidth_param: str | None = None

    @classmethod
    def conformance_example(cls):
        return {"input": _EXAMPLE_X}

    def __call__(self, X, Y=None):
        """Gram matrix ``(n_X, n_Y)`` between the rows of ``X`` and of ``Y`` (``Y = X`` when None)."""
        X, Y = _check_pair(X, Y)
        return self._gram(X, Y)

    def diag(self, X):
        """``k(x_i, x_i)`` for every row, shape ``(n,)`` (without the full Gram matrix)."""
        X, _ = _check_pair(X, None)
        return self._diag(X)

    # ---------------------------------------------------------------- hyperparameters
    def _hyper(self, n_features):
        return []

    def hyperparameter_names(self, n_features: int) -> list[str]:
        """Names of the entries of :attr:`theta` (per-dimension ones suffixed ``[j]``)."""
        out = []
        for name, value in self._hyper(n_features):
            v = np.atleast_1d(value)
            out += [name] if np.ndim(value) == 0 else [f"{name}[{j}]" for j in range(v.size)]
        return out

    def get_theta(self, n_features: int) -> np.ndarray:
        """Log of the tunable hyperparameters, concatenated (see :meth:`hyperparameter_names`)."""
        parts = [np.log(np.atleast_1d(np.asarray(v, dtype=float))) for _, v in self._hyper(n_features)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def get_bounds(self, n_features: int) -> np.ndarray:
        """Log-space bounds ``(n_theta, 2)`` for :meth:`get_theta`."""
        n = len(self.get_theta(n_features))
        return np.tile(np.log(np.asarray(self.hyper_bounds, dtype=float)), (n, 1))

    def with_theta(self, theta, n_features: int):
        """A new kernel of the same type with hyperparameters ``exp(theta)`` (self is unchanged)."""
        theta = np.asarray(theta, dtype=float)
        params = {p: getattr(self, p) for p in self._param_names()}
        pos = 0
        for name, value in self._hyper(n_features):
            size = np.atleast_1d(value).size
            new = np.exp(theta[pos:pos + size])
            params[name] = float(new[0]) if np.ndim(value) == 0 else [float(v) for v in new]
            pos += size
        if pos != theta.size:
            raise ValueError(f"theta has {theta.size} entries, the kernel has {pos} hyperparameters")
        return type(self)(**params)

    def _param_names(self):
        from mlcore.interfaces import constructor_params

        return [p.name for p in constructor_params(type(self))]

    def gradient(self, X):
        """Gram matrix of ``X`` and its derivatives with respect to :meth:`get_theta`.

        Returns
        -------
        K : ndarray (n, n)
        dK : ndarray (n, n, n_theta)
            ``dK[:, :, j] = dK / d theta_j`` (theta = log hyperparameter).
        """
        X, _ = _check_pair(X, None)
        return self._gradient(X)


def _positive_scale(value, name):
    """Validate a positive float or a non-empty list of positive floats (per dimension)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            if len(value) == 0:
                raise ComponentArgumentError("empty")
            for v in value:
                check_scalar(v, name, numbers.Real, low=0, low_inclusive=False)  # finite, > 0
        except ComponentArgumentError:
            raise ComponentArgumentError(f"{name} must be a positive float or a list of positive floats, "
                                         f"got {value!r}") from None
        return value
    return check_scalar(value, name, numbers.Real, low=0, low_inclusive=False)


class Linear(KernelBase):
    """Linear (dot-product) kernel ``k(x, y) = x . y + c0``.

    Parameters
    ----------
    c0 : float, default 0
        Additive constant (the inhomogeneous term). When ``c0 > 0`` it is a tunable
        hyperparameter (theta = log c0).

    Notes
    -----
    Equals ``sklearn.metrics.pairwise.linear_kernel`` for ``c0 = 0``. Positive
    semi-definite for ``c0 >= 0``.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> mlcore.build("linear(c0=1.0)", kind="kernel")(np.eye(2))
    array([[2., 1.],
           [1., 2.]])
    """

    def __init__(self, c0: float = 0.0):
        self.c0 = check_scalar(c0, "c0", numbers.Real)

    def _hyper(self, n_features):
        return [("c0", float(self.c0))] if self.c0 > 0 else []

    def _gram(self, X, Y):
        K = X @ (X if Y is None else Y).T
        if self.c0:
            K += self.c0
        return K

    def _diag(self, X):
        return np.einsum("ij,ij->i", X, X) + self.c0

    def _gradient(self, X):
        K = self._gram(X, None)
        grads = [np.full(K.shape, float(self.c0))] if self.c0 > 0 else []
        return K, np.stack(grads, axis=-1) if grads else np.zeros(K.shape + (0,))


class Polynomial(KernelBase):
    """Polynomial kernel ``k(x, y) = (gamma x . y + c0) ** degree``.

    Parameters
    ----------
    degree : int, default 3
    gamma : float or None, default None
        Scale of the dot product; None means ``1 / n_features``.
    c0 : float, default 1
        Additive constant.

    Notes
    -----
    Equals ``sklearn.metrics.pairwise.polynomial_kernel(X, Y, degree, gamma, coef0=c0)``.
    Tunable hyperparameters: ``gamma`` and (when positive) ``c0``, in log space:
    ``dK/dlog gamma = degree * b**(degree-1) * gamma x.y`` and
    ``dK/dlog c0 = degree * b**(degree-1) * c0`` with ``b = gamma x.y + c0``.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> mlcore.build("polynomial(degree=2, gamma=1.0, c0=0.0)", kind="kernel")(np.array([[2.0]]))
    array([[16.]])
    """

    def __init__(self, degree: int = 3, gamma: float | None = None, c0: float = 1.0):
        self.degree = check_scalar(degree, "degree", numbers.Integral, low=1)
        self.gamma = check_scalar(gamma, "gamma", numbers.Real, low=0, low_inclusive=False, allow_none=True)
        self.c0 = check_scalar(c0, "c0", numbers.Real)

    def _gamma(self, n_features):
        return 1.0 / n_features if self.gamma is None else float(self.gamma)

    def _hyper(self, n_features):
        out = [("gamma", self._gamma(n_features))]
        return out + [("c0", float(self.c0))] if self.c0 > 0 else out

    def _gram(self, X, Y):
        K = X @ (X if Y is None else Y).T
        K *= self._gamma(X.shape[1])
        K += self.c0
        return K ** self.degree if self.degree != 1 else K

    def _diag(self, X):
        return (self._gamma(X.shape[1]) * np.einsum("ij,ij->i", X, X) + self.c0) ** self.degree

    def _gradient(self, X):
        gamma = self._gamma(X.shape[1])
        S = X @ X.T
        base = gamma * S + self.c0
        K = base ** self.degree
        dbase = self.degree * base ** (self.degree - 1)
        grads = [dbase * (gamma * S)]
        if self.c0 > 0:
            grads.append(dbase * self.c0)
        return K, np.stack(grads, axis=-1)


class RBF(KernelBase):
    """Radial basis function (squared-exponential) kernel.

    ``k(x, y) = variance * exp(-0.5 * sum_j ((x_j - y_j) / length_scale_j) ** 2)``

    Parameters
    ----------
    length_scale : float or list of float, default 1.0
        One length scale for every dimension, or one per dimension (anisotropic,
        automatic relevance determination).
    variance : float, default 1.0
        Signal variance (the kernel's value at distance 0).

    Notes
    -----
    With ``variance = 1`` and a scalar length scale ``l`` this is
    ``sklearn.metrics.pairwise.rbf_kernel`` with ``gamma = 1 / (2 l^2)`` and
    ``sklearn.gaussian_process.kernels.RBF(l)``. Gradients in log space:
    ``dK/dlog variance = K`` and ``dK/dlog l_j = K * (x_j - y_j)^2 / l_j^2`` (summed over
    ``j`` for a scalar length scale). ``length_scale`` is the bandwidth used by kernel
    regression.

    References
    ----------
    Rasmussen, C. E. and Williams, C. K. I. (2006). Gaussian Processes for Machine
    Learning, section 4.2 and 5.4.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> k = mlcore.build("rbf(length_scale=2.0)", kind="kernel")
    >>> float(k(np.array([[0.0]]), np.array([[2.0]]))[0, 0])   # exp(-0.5)
    0.6065306597126334
    """

    bandwidth_param = "length_scale"

    def __init__(self, length_scale: float | list = 1.0, variance: float = 1.0):
        self.length_scale = _positive_scale(length_scale, "length_scale")
        self.variance = check_scalar(variance, "variance", numbers.Real, low=0, low_inclusive=False)

    def _scale(self, n_features):
        ls = np.asarray(self.length_scale, dtype=float)
        if ls.ndim == 1 and ls.size != n_features:
            raise ValueError(f"length_scale has {ls.size} entries but X has {n_features} features")
        return ls

    def _hyper(self, n_features):
        ls = self._scale(n_features)
        return [("length_scale", float(ls) if ls.ndim == 0 else ls), ("variance", float(self.variance))]

    def _diag(self, X):
        return np.full(len(X), float(self.variance))

    def _gram(self, X, Y):
        ls = self._scale(X.shape[1])
        Xs = X / ls
        Ys = Xs if Y is None else Y / ls
        # exp(-0.5 ||x - y||^2), the squared distances centred and checked for cancellation
        K = _scaled_sqdist(Xs, None if Y is None else Ys, -0.5)
        np.exp(K, out=K)
        if self.variance != 1.0:
            K *= self.variance
        return K

    def _gradient(self, X):
        ls = self._scale(X.shape[1])
        K = self._gram(X, None)
        if ls.ndim == 0:
            d_ls = (K * squared_distances(X / ls))[:, :, None]
        else:
            Xs = X / ls
            # one (n, n) slab per dimension: anisotropic gradients are inherently (n, n, d)
            d_ls = (Xs[:, None, :] - Xs[None, :, :]) ** 2 * K[:, :, None]
        return K, np.concatenate([d_ls, K[:, :, None]], axis=-1)
