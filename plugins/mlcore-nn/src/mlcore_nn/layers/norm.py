"""Normalisation layers: ``batchnorm1d``, ``batchnorm2d``, ``layernorm1d``, ``layernorm2d``."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_scalar

from ._base import NNLayer, as_component, float_input
from ._base import colsum as _colsum

__all__ = ["BatchNorm1D", "BatchNorm2D", "LayerNorm1D", "LayerNorm2D"]


def _coldot(A, B):
    """Column-wise dot products sum_i A[i, j] B[i, j]."""
    return np.einsum("ij,ij->j", A, B)


def _rowdot(A, B):
    """Row-wise dot products sum_j A[i, j] B[i, j]."""
    vecdot = getattr(np, "vecdot", None)          # NumPy >= 2.0: a fast dot-product loop
    return vecdot(A, B) if vecdot is not None else np.einsum("ij,ij->i", A, B)


# one-pass batch moments are used while mean^2 <= ratio * var (by item size: float64 keeps
# about 12 of its 16 digits at 1e4, float32 and float16 get the two-pass form as soon as
# |mean| > std)
_ONE_PASS_RATIO = {8: 1e4}


class _BatchNorm(NNLayer):
    _ndim: int | tuple[int, ...] = ()

    def __init__(self, momentum: float = 0.1, epsilon: float = 1e-5, optimizer=None):
        self.momentum = check_scalar(momentum, "momentum", low=0, high=1)
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, low_inclusive=False)
        self.optimizer = as_component(optimizer, "optimizer")

    def _create_params(self, input_shape, dtype, rng):
        C = input_shape[-1]
        self.running_mean_ = np.zeros(C, dtype=dtype)
        self.running_var_ = np.ones(C, dtype=dtype)
        return {"gamma": np.ones(C, dtype=dtype), "beta": np.zeros(C, dtype=dtype)}

    def reset_running_stats(self):
        """Running mean back to 0 and running variance to 1."""
        self.running_mean_[...] = 0
        self.running_var_[...] = 1

    def forward(self, X):
        X = float_input(X, ndim=self._ndim)
        self._ensure_params(X)
        C = X.shape[-1]
        gamma, beta = self.params["gamma"], self.params["beta"]
        if C != gamma.shape[0]:
            raise ValueError(f"{type(self).__name__} was built for {gamma.shape[0]} channels, got X {X.shape}")
        X2 = X.reshape(-1, C)
        if self.training:
            N = X2.shape[0]
            if N < 2:
                raise ValueError("batch normalisation in training mode needs more than one value per channel")
            mean = _colsum(X2) / N
            var = _coldot(X2, X2) / N - mean * mean            # one read pass for both moments
            center = mean
            if np.any(mean * mean > _ONE_PASS_RATIO.get(X2.dtype.itemsize, 1.0) * var):
                # |mean| large against std: E[x^2] - E[x]^2 cancels about log10(mean^2 / var)
                # digits (float32 has 7). Corrected two-pass moments (Chan, Golub and LeVeque
                # 1983): centre on the first-pass mean, correct it by the mean of the centred
                # data; x * a + c below then works on the centred data too
                X2 = np.subtract(X2, mean, out=self._scratch("xc", X2.shape, np.result_type(X2, mean)))
                center = _colsum(X2) / N
                mean = mean + center
                sq = np.multiply(X2, X2, out=self._scratch("tmp", X2.shape, X2.dtype))
                var = _colsum(sq) / N - center * center
            var = np.maximum(var, 0)
            inv_std = 1.0 / np.sqrt(var + self.epsilon)
            m = self.momentum
            self.running_mean_ *= 1 - m
            self.running_mean_ += m * mean
            self.running_var_ *= 1 - m
            self.running_var_ += (m * N / (N - 1)) * var      # unbiased, as PyTorch
        else:
            center, inv_std = self.running_mean_, 1.0 / np.sqrt(self.running_var_ + self.epsilon)
        # y = gamma (x - center) inv_std + beta = x * a + c, per channel (two-pass training
        # statistics: x is the data centred on the first-pass mean, center the correction)
        a = gamma * inv_std
        Y = X2 * a
        Y += beta - center * a
        mean = center
        self._cache = (X2, mean, inv_std, X.shape, self.training)
        return Y.reshape(X.shape)

    def backward(self, dY):
        X2, mean, inv_std, shape, batch_stats = self.__dict__.get("_cache") or self._no_forward()
        gamma = self.params["gamma"]
        dY2 = np.asarray(dY).reshape(X2.shape)
        dbeta = _colsum(dY2)
        # sum dY * xhat = inv_std (sum dY * x - mean sum dY): no normalised copy of X needed
        dgamma = inv_std * (_coldot(dY2, X2) - mean * dbeta)
        if self.trainable:
            self.grads = {"gamma": dgamma, "beta": dbeta}
        k = gamma * inv_std
        if not batch_stats:
            return (dY2 * k).reshape(shape)
        # dX = k (dY - dbeta / N - xhat dgamma / N), xhat = (x - mean) inv_std, written as
        # dY * k + x * u + v with per-channel u, v
        N = X2.shape[0]
        u = -k * inv_std * dgamma / N
        v = -k * dbeta / N - mean * u
        dX = dY2 * k
        tmp = np.multiply(X2, u, out=self._scratch("tmp", X2.shape, np.result_type(X2, u)))
        dX += tmp
        dX += v
        return dX.reshape(shape)


class BatchNorm1D(_BatchNorm):
    """Batch normalisation over features ``(n, C)`` or sequences ``(n, L, C)``.

    Parameters
    ----------
    momentum : float, default 0.1
        running = (1 - momentum) running + momentum * batch statistic (PyTorch's
        convention; numpy-ml's momentum m is 1 - m here).
    epsilon : float, default 1e-5
    optimizer : optimizer, optional

    Attributes
    ----------
    params : gamma (C,) ones, beta (C,) zeros (PyTorch ``weight``, ``bias``)
    running_mean_, running_var_ : ndarray (C,)
        The running variance uses the unbiased batch variance, as PyTorch.

    Notes
    -----
    Training mode: xhat = (x - mean_B) / sqrt(var_B + eps) (biased var_B), y = gamma xhat + beta;
    dX = (gamma / sqrt(var_B + eps)) (dY - mean(dY) - xhat mean(dY xhat)).
    Evaluation mode normalises with the running statistics.

    References
    ----------
    Ioffe and Szegedy (2015). Batch normalization. ICML.
    """

    _ndim = (2, 3)

    @classmethod
    def conformance_example(cls):
        return {"input": np.random.default_rng(0).normal(size=(6, 3))}


class BatchNorm2D(_BatchNorm):
    """Batch normalisation of images ``(n, rows, cols, C)``, statistics per channel.

    Same parameters, attributes and maths as ``batchnorm1d`` (PyTorch ``nn.BatchNorm2d``
    on ``X.transpose(0, 3, 1, 2)``).
    """

    _ndim = 4

    @classmethod
    def conformance_example(cls):
        return {"input": np.random.default_rng(0).normal(size=(3, 2, 3, 2))}


class _LayerNorm(NNLayer):
    def __init__(self, epsilon: float = 1e-5, optimizer=None):
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, low_inclusive=False)
        self.optimizer = as_component(optimizer, "optimizer")

    def _create_params(self, input_shape, dtype, rng):
        shape = self._affine_shape(input_shape)
        return {"gamma": np.ones(shape, dtype=dtype), "beta": np.zeros(shape, dtype=dtype)}

    def forward(self, X):
        X = float_input(X, ndim=self._ndim)
        self._ensure_params(X)
        gamma, beta = self.params["gamma"], self.params["beta"]
        D = gamma.size
        if X.shape[X.ndim - gamma.ndim:] != gamma.shape:
            raise ValueError(f"{type(self).__name__} was built for trailing shape {gamma.shape}, got X {X.shape}")
        X2 = X.reshape(-1, D)
        mean = (X2 @ np.ones(D, dtype=X2.dtype))[:, None] / D
        xhat = self._scratch("xhat", X2.shape, X2.dtype)          # internal: reused between steps
        np.subtract(X2, mean, out=xhat)
        var = _rowdot(xhat, xhat)[:, None] / D
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat *= inv_std
        self._cache = (xhat, inv_std, X.shape)
        Y = xhat * gamma.reshape(-1)
        Y += beta.reshape(-1)
        return Y.reshape(X.shape)

    def backward(self, dY):
        xhat, inv_std, shape = self.__dict__.get("_cache") or self._no_forward()
        gamma = self.params["gamma"]
        dY2 = np.asarray(dY).reshape(xhat.shape)
        if self.trainable:
            self.grads = {"gamma": _coldot(dY2, xhat).reshape(gamma.shape),
                          "beta": _colsum(dY2).reshape(gamma.shape)}
        # dX = inv_std (g - mean(g) - xhat mean(g xhat)) per row, g = gamma dY
        D = xhat.shape[1]
        g = self._scratch("g", xhat.shape, xhat.dtype)
        np.multiply(dY2, gamma.reshape(-1), out=g)
        m1 = (g @ np.ones(D, dtype=g.dtype))[:, None] / D
        m2 = _rowdot(g, xhat)[:, None] / D
        dX = xhat * m2
        np.subtract(g, dX, out=dX)
        dX -= m1
        dX *= inv_std
        return dX.reshape(shape)


class LayerNorm1D(_LayerNorm):
    """Layer normalisation over the last axis of ``(n, d)`` or ``(n, T, d)``.

    Parameters
    ----------
    epsilon : float, default 1e-5
    optimizer : optimizer, optional

    Attributes
    ----------
    params : gamma (d,) ones, beta (d,) zeros (``nn.LayerNorm(d)`` weight, bias)

    Notes
    -----
    Per example: xhat = (x - mean) / sqrt(var + eps) (biased variance), y = gamma xhat + beta;
    dX = (1 / sqrt(var + eps)) (g - mean(g) - xhat mean(g xhat)), g = gamma dY.

    References
    ----------
    Ba, Kiros, Hinton (2016). Layer normalization. arXiv:1607.06450.
    """

    _ndim = (2, 3)

    @classmethod
    def conformance_example(cls):
        return {"input": np.random.default_rng(0).normal(size=(4, 5))}

    def _affine_shape(self, input_shape):
        return (input_shape[-1],)


class LayerNorm2D(_LayerNorm):
    """Layer normalisation of images ``(n, rows, cols, C)`` over (rows, cols, C).

    ``gamma``/``beta`` have shape (rows, cols, C), elementwise: PyTorch
    ``nn.LayerNorm([rows, cols, C])`` on the channels-last array itself.
    """

    _ndim = 4

    @classmethod
    def conformance_example(cls):
        return {"input": np.random.default_rng(0).normal(size=(2, 3, 3, 2))}

    def _affine_shape(self, input_shape):
        return tuple(input_shape)
