"""Window functions: the ``window`` component kind.

A window is a registered component; calling it with a length returns the taper::

    >>> import mlcore
    >>> w = mlcore.build("hann(symmetric=True)", kind="window")   # doctest: +SKIP
    >>> w(5)                                                       # doctest: +SKIP
    array([0. , 0.5, 1. , 0.5, 0. ])

All four are generalized cosine windows ``w_n = sum_k (-1)^k a_k cos(2 pi k n / (M - 1))``,
``n = 0..M-1``. A *symmetric* window (filter design) uses ``M = n``; a *periodic* one
(spectral analysis, the default, ``scipy.signal.get_window(..., fftbins=True)``) is the
symmetric window of length ``n + 1`` with its last sample dropped.
"""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Component
from mlcore.validation import check_scalar

__all__ = ["BlackmanHarris", "GeneralizedCosine", "Hamming", "Hann", "Window", "get_window"]


class Window(Component):
    """Interface of the ``window`` kind: ``window(n)`` -> ndarray of shape ``(n,)``.

    Parameters
    ----------
    symmetric : bool
        Symmetric window (for filter design) instead of periodic (for spectral analysis).
    """

    _required = ("__call__", "coefficients")   # the contract the conformance kit checks

    def __init__(self, symmetric: bool = False):
        check_scalar(symmetric, "symmetric", bool)
        self.symmetric = symmetric

    def coefficients(self) -> np.ndarray:
        """The cosine-series coefficients ``a_k``."""
        raise NotImplementedError  # abstract

    def __call__(self, n: int) -> np.ndarray:
        """The window of length ``n`` (float64)."""
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f"window length must be a non-negative integer, got {n!r}")
        n = int(n)
        if n <= 1:
            return np.ones(n)
        M = n if self.symmetric else n + 1
        a = np.asarray(self.coefficients(), dtype=float)
        phase = np.linspace(-np.pi, np.pi, M)  # = 2 pi n / (M - 1) - pi
        k = np.arange(len(a))
        w = np.cos(np.outer(phase, k)) @ a      # cos(k (theta - pi)) = (-1)^k cos(k theta)
        return w[:n]

    @classmethod
    def conformance_example(cls):
        return {"input": 16}


class GeneralizedCosine(Window):
    """Generalized cosine window ``w_n = sum_k (-1)^k a_k cos(2 pi k n / (M - 1))``.

    Parameters
    ----------
    coefs : list of float
        Coefficients ``a_0, a_1, ...`` (``scipy.signal.windows.general_cosine``).
    symmetric : bool
        Symmetric instead of periodic.

    Example
    -------
    >>> GeneralizedCosine([0.5, 0.5], symmetric=True)(3)
    array([0., 1., 0.])
    """

    def __init__(self, coefs=(0.5, 0.5), symmetric: bool = False):
        super().__init__(symmetric)
        try:
            arr = np.asarray(coefs, dtype=float)
        except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float
            arr = None
        if arr is None or arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"coefs must be a non-empty list of finite numbers, got {coefs!r}")
        self.coefs = coefs

    def coefficients(self):
        return np.asarray(self.coefs, dtype=float)

    @classmethod
    def conformance_example(cls):
        return {"spec": "generalized_cosine(coefs=[0.4, 0.5, 0.1])", "input": 16}


class Hann(Window):
    """Hann window, ``a = (0.5, 0.5)``: ``w_n = 0.5 - 0.5 cos(2 pi n / (M - 1))``."""

    def coefficients(self):
        return np.array([0.5, 0.5])


class Hamming(Window):
    """Hamming window, ``a = (0.54, 0.46)``."""

    def coefficients(self):
        return np.array([0.54, 0.46])


class BlackmanHarris(Window):
    """4-term Blackman-Harris window, ``a = (0.35875, 0.48829, 0.14128, 0.01168)``.

    References
    ----------
    Harris, F. J. (1978). On the use of windows for harmonic analysis with the discrete
    Fourier transform. Proc. IEEE 66(1), 51-83.
    """

    def coefficients(self):
        return np.array([0.35875, 0.48829, 0.14128, 0.01168])


_BY_NAME = {"hann": Hann, "hamming": Hamming, "blackman_harris": BlackmanHarris}


def get_window(window, n: int) -> np.ndarray:
    """A window of length ``n`` from a name, a spec, a :class:`Window` or an array.

    Parameters
    ----------
    window : str, Window, callable or array_like
        ``"hann"``, ``"hamming"``, ``"blackman_harris"`` (periodic), any ``window`` spec
        such as ``"hann(symmetric=True)"``, a window object, or the ``n`` weights.
    n : int

    Returns
    -------
    ndarray, shape (n,)
    """
    if isinstance(window, str):
        if window in _BY_NAME:
            return _BY_NAME[window]()(n)
        import mlcore

        window = mlcore.build(window, kind="window")
    if callable(window):
        w = np.asarray(window(n), dtype=float)
    else:
        w = np.asarray(window, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"the window has shape {w.shape}; expected ({n},)")
    return w
