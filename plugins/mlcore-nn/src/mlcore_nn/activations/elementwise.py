"""Elementwise activation functions with first and second derivatives.

Every class computes in the dtype of its input (integers are promoted to float64),
never overflows or warns for large inputs, and matches ``torch.nn.functional``:
``relu``, ``leaky_relu``, ``elu``, ``selu``, ``gelu`` (exact or ``tanh``
approximation), ``sigmoid``, ``tanh``, ``softplus``, ``hardsigmoid``, ``silu``.
Derivatives at kinks follow PyTorch's convention (the derivative of ReLU at 0 is 0).

Example
-------
>>> import numpy as np, mlcore
>>> act = mlcore.build("leaky_relu(alpha=0.1)")
>>> act(np.array([-2.0, 3.0]))
array([-0.2,  3. ])
"""

from __future__ import annotations

import math

import numpy as np

from mlcore.validation import check_scalar

from ..functional import sigmoid as _sigmoid
from . import Activation
from . import __all__ as _package_names

#: the package's lazy exports (listed once, in ``activations/__init__.py``), but the interface
__all__ = [name for name in _package_names if name != "Activation"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float(z):
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return z


def _example():
    rng = np.random.default_rng(0)
    return {"input": rng.normal(scale=2.0, size=(4, 5))}


class _Base(Activation):
    @classmethod
    def conformance_example(cls):
        return _example()


class Identity(_Base):
    """Identity f(z) = z (``identity``, alias ``linear``)."""

    def fn(self, z):
        return _float(z).copy()

    def grad(self, z):
        return np.ones_like(_float(z))

    def grad2(self, z):
        return np.zeros_like(_float(z))


class Affine(_Base):
    """Affine f(z) = slope * z + intercept.

    Parameters
    ----------
    slope, intercept : float
    """

    def __init__(self, slope: float = 1.0, intercept: float = 0.0):
        self.slope = check_scalar(slope, "slope")
        self.intercept = check_scalar(intercept, "intercept")

    def fn(self, z):
        z = _float(z)
        return (self.slope * z + self.intercept).astype(z.dtype, copy=False)

    def grad(self, z):
        z = _float(z)
        return np.full_like(z, self.slope)

    def grad2(self, z):
        return np.zeros_like(_float(z))


class ReLU(_Base):
    """Rectified linear unit f(z) = max(z, 0); f'(0) = 0 as in PyTorch."""

    gain = math.sqrt(2.0)

    def fn(self, z):
        return np.maximum(_float(z), 0)

    def grad(self, z):
        z = _float(z)
        return (z > 0).astype(z.dtype)

    def grad2(self, z):
        return np.zeros_like(_float(z))

    def backprop(self, dY, z):
        """dY * f'(z) (``where(z > 0, dY, 0)``); ``z`` may also be the output f(z) (same
        sign pattern).

        For same-dtype float arrays this is branch-free: the sign mask becomes an integer
        of all-one or all-zero bits and is ANDed with dY's bit pattern, which gives the
        same values as ``np.where`` (kept entries bit for bit, +0.0 elsewhere, also for
        NaN/inf in dY) about 6x faster than ``np.where`` on a random sign pattern.
        """
        dY, z = np.asarray(dY), np.asarray(z)
        if dY.shape == z.shape and dY.dtype == z.dtype and dY.dtype.kind == "f" and dY.dtype.itemsize in (2, 4, 8):
            bits = np.dtype(f"i{dY.dtype.itemsize}")
            mask = np.greater(z, 0).astype(bits)        # 1 where f'(z) = 1, else 0
            np.negative(mask, out=mask)                 # all bits set where kept
            return np.bitwise_and(dY.view(bits), mask, out=mask).view(dY.dtype)
        return np.where(z > 0, dY, 0).astype(np.result_type(dY, z), copy=False)

    def fn_inplace(self, z):
        """f(z) written over ``z`` (a layer's own pre-activation array); ``backprop`` works
        on the result because relu(z) > 0 exactly where z > 0."""
        return np.maximum(z, 0, out=z)


class LeakyReLU(_Base):
    """Leaky ReLU f(z) = z for z > 0, alpha * z otherwise.

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for negative inputs (PyTorch's ``negative_slope``).

    Notes
    -----
    Initialisation gain sqrt(2 / (1 + alpha^2)) (He et al., 2015), the formula
    numpy-ml mistyped as sqrt(2/1 + alpha^2).
    """

    def __init__(self, alpha: float = 0.01):
        self.alpha = check_scalar(alpha, "alpha", low=0)

    @property
    def gain(self):
        return math.sqrt(2.0 / (1.0 + self.alpha ** 2))

    def fn(self, z):
        z = _float(z)
        return np.where(z > 0, z, self.alpha * z).astype(z.dtype, copy=False)

    def grad(self, z):
        z = _float(z)
        return np.where(z > 0, 1.0, self.alpha).astype(z.dtype, copy=False)

    def grad2(self, z):
        return np.zeros_like(_float(z))


class ELU(_Base):
    """Exponential linear unit f(z) = z for z > 0, alpha * (exp(z) - 1) otherwise.

    Parameters
    ----------
    alpha : float, default 1.0

    References
    ----------
    Clevert, Unterthiner, Hochreiter (2016). Fast and accurate deep network learning by
    exponential linear units (ELUs). ICLR.
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = check_scalar(alpha, "alpha", low=0)

    def fn(self, z):
        z = _float(z)
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)

    def grad(self, z):
        z = _float(z)
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)

    def grad2(self, z):
        z = _float(z)
        return np.where(z > 0, 0.0, self.alpha * np.exp(np.minimum(z, 0))).astype(z.dtype, copy=False)


class SELU(_Base):
    """Scaled ELU: scale * ELU(z, alpha) with the self-normalising constants.

    References
    ----------
    Klambauer et al. (2017). Self-normalizing neural networks. NeurIPS.
    """

    gain = 0.75

    def fn(self, z):
        z = _float(z)
        return (_SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0)))).astype(z.dtype)

    def grad(self, z):
        z = _float(z)
        return (_SELU_SCALE * np.where(z > 0, 1.0, _SELU_ALPHA * np.exp(np.minimum(z, 0)))).astype(z.dtype)

    def grad2(self, z):
        z = _float(z)
        return (_SELU_SCALE * np.where(z > 0, 0.0, _SELU_ALPHA * np.exp(np.minimum(z, 0)))).astype(z.dtype)


class GELU(_Base):
    """Gaussian error linear unit f(z) = z * Phi(z).

    Parameters
    ----------
    approximate : bool, default False
        False: exact, with the standard normal CDF Phi (``F.gelu(x)``). True: the tanh
        approximation 0.5 z (1 + tanh(u)), u = sqrt(2/pi) (z + 0.044715 z^3)
        (``F.gelu(x, approximate="tanh")``).

    Notes
    -----
    Exact: f' = Phi(z) + z phi(z), f'' = phi(z) (2 - z^2). Approximate, with t = tanh(u):
    f' = 0.5 (1 + t) + 0.5 z (1 - t^2) u', f'' = (1 - t^2) u' + 0.5 z [(1 - t^2) u'' - 2 t (1 - t^2) u'^2].
    (numpy-ml ignored the flag and mixed the two formulas in the derivatives.)

    References
    ----------
    Hendrycks and Gimpel (2016). Gaussian error linear units (GELUs). arXiv:1606.08415.
    """

    _C = math.sqrt(2.0 / math.pi)
    _K = 0.044715

    def __init__(self, approximate: bool = False):
        if not isinstance(approximate, bool):
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"approximate must be True or False, got {approximate!r}")
        self.approximate = approximate

    def _tanh_terms(self, z):
        u = self._C * (z + self._K * z ** 3)
        return np.tanh(u), self._C * (1 + 3 * self._K * z ** 2), self._C * 6 * self._K * z

    def fn(self, z):
        z = _float(z)
        if self.approximate:
            return 0.5 * z * (1 + self._tanh_terms(z)[0])
        from scipy.special import ndtr

        return z * ndtr(z)

    def grad(self, z):
        z = _float(z)
        if self.approximate:
            t, du, _ = self._tanh_terms(z)
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du
        from scipy.special import ndtr

        return ndtr(z) + z * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)

    def grad2(self, z):
        z = _float(z)
        if self.approximate:
            t, du, d2u = self._tanh_terms(z)
            s = 1 - t * t
            return s * du + 0.5 * z * (s * d2u - 2 * t * s * du * du)
        return np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * (2 - z * z)


class Sigmoid(_Base):
    """Logistic sigmoid f(z) = 1 / (1 + exp(-z)), computed without overflow.

    Notes
    -----
    f' = s (1 - s), f'' = s (1 - s) (1 - 2 s).
    """

    def fn(self, z):
        return _sigmoid(_float(z))

    def grad(self, z):
        s = _sigmoid(_float(z))
        return s * (1 - s)

    def grad2(self, z):
        s = _sigmoid(_float(z))
        return s * (1 - s) * (1 - 2 * s)


class Tanh(_Base):
    """Hyperbolic tangent; f' = 1 - t^2, f'' = -2 t (1 - t^2)."""

    gain = 5.0 / 3.0

    def fn(self, z):
        return np.tanh(_float(z))

    def grad(self, z):
        t = np.tanh(_float(z))
        return 1 - t * t

    def grad2(self, z):
        t = np.tanh(_float(z))
        return -2 * t * (1 - t * t)


class SoftPlus(_Base):
    """Softplus f(z) = log(1 + exp(z)) = max(z, 0) + log1p(exp(-abs(z))) (no overflow).

    Notes
    -----
    f' = sigmoid(z), f'' = sigmoid(z) (1 - sigmoid(z)). PyTorch's ``F.softplus`` switches
    to the identity above z = 20; this implementation is exact everywhere.
    """

    def fn(self, z):
        z = _float(z)
        return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))

    def grad(self, z):
        return _sigmoid(_float(z))

    def grad2(self, z):
        s = _sigmoid(_float(z))
        return s * (1 - s)


class Exponential(_Base):
    """Exponential f(z) = f'(z) = f''(z) = exp(z); overflows to inf without a warning."""

    def fn(self, z):
        with np.errstate(over="ignore"):
            return np.exp(_float(z))

    grad = fn
    grad2 = fn


class HardSigmoid(_Base):
    """Piecewise-linear sigmoid f(z) = clip(slope * z + 0.5, 0, 1).

    Parameters
    ----------
    slope : float, default 1/6
        1/6 is PyTorch's ``F.hardsigmoid``; 0.2 is Keras' and numpy-ml's variant.

    Notes
    -----
    f' = slope strictly inside the linear part, 0 outside; f'' = 0.
    """

    def __init__(self, slope: float = 1.0 / 6.0):
        self.slope = check_scalar(slope, "slope", low=0, low_inclusive=False)

    def fn(self, z):
        z = _float(z)
        return np.clip(self.slope * z + 0.5, 0, 1).astype(z.dtype, copy=False)

    def grad(self, z):
        z = _float(z)
        edge = 0.5 / self.slope
        return np.where((z > -edge) & (z < edge), self.slope, 0.0).astype(z.dtype, copy=False)

    def grad2(self, z):
        return np.zeros_like(_float(z))


class SiLU(_Base):
    """Sigmoid linear unit (swish) f(z) = z * sigmoid(z).

    Notes
    -----
    f' = s (1 + z (1 - s)), f'' = s (1 - s) (2 + z (1 - 2 s)).

    References
    ----------
    Ramachandran, Zoph, Le (2017). Searching for activation functions. arXiv:1710.05941.
    """

    def fn(self, z):
        z = _float(z)
        return z * _sigmoid(z)

    def grad(self, z):
        z = _float(z)
        s = _sigmoid(z)
        return s * (1 + z * (1 - s))

    def grad2(self, z):
        z = _float(z)
        s = _sigmoid(z)
        return s * (1 - s) * (2 + z * (1 - 2 * s))
