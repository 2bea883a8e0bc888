"""Framing, spectra and simple filters for 1-D signals.

All functions work on the last axis, take float or integer arrays, and never modify
their input.
"""

from __future__ import annotations

import numbers

import numpy as np

from .fft import dft, idft

__all__ = [
    "autocorrelate",
    "cepstral_lifter",
    "magnitude_spectrum",
    "power_spectrum",
    "preemphasis",
    "to_frames",
]


def _signal(x, name="x", ndim=None):
    a = np.asarray(x)
    if a.dtype.hasobject or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    if np.iscomplexobj(a):
        raise TypeError(f"{name} must be real, got dtype {a.dtype}")
    if ndim is not None and a.ndim not in ((ndim,) if isinstance(ndim, int) else ndim):
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {a.shape}")
    a = a.astype(np.float64, copy=False)
    if a.size and not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return a


def _positive_int(v, name):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
        raise ValueError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def to_frames(x, frame_width: int, stride: int, writeable: bool = False) -> np.ndarray:
    """Cut a signal into overlapping frames (the incomplete tail is dropped).

    Parameters
    ----------
    x : array_like, shape (N,)
        Signal.
    frame_width : int
        Samples per frame.
    stride : int
        Hop between frame starts.
    writeable : bool
        Return a writable copy instead of a read-only strided view of ``x``.

    Returns
    -------
    ndarray, shape (n_frames, frame_width)
        ``frames[i] = x[i * stride: i * stride + frame_width]`` with
        ``n_frames = 1 + (N - frame_width) // stride`` (= ``librosa.util.frame(x, ...).T``).

    Example
    -------
    >>> to_frames(np.arange(7), 3, 2)
    array([[0, 1, 2],
           [2, 3, 4],
           [4, 5, 6]])
    """
    x = np.asarray(x)
    frame_width, stride = _positive_int(frame_width, "frame_width"), _positive_int(stride, "stride")
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {x.shape}")
    if len(x) < frame_width:
        raise ValueError(f"the signal has {len(x)} samples, fewer than one frame of {frame_width}")
    frames = np.lib.stride_tricks.sliding_window_view(x, frame_width)[::stride]
    return frames.copy() if writeable else frames


def magnitude_spectrum(frames) -> np.ndarray:
    """``|DFT|`` of each real frame: shape ``(M, N)`` -> ``(M, N // 2 + 1)``."""
    return np.abs(dft(_signal(frames, "frames"), positive_only=True))


def power_spectrum(frames, scale: bool = False) -> np.ndarray:
    """``|DFT|^2`` of each real frame, divided by ``N`` if ``scale``: ``(M, N)`` -> ``(M, N // 2 + 1)``."""
    F = dft(_signal(frames, "frames"), positive_only=True)
    P = F.real ** 2 + F.imag ** 2
    return P / frames.shape[-1] if scale else P


def autocorrelate(x) -> np.ndarray:
    """Autocorrelation ``r_t = sum_n x_n x_{n+t}``, ``t = 0..N-1``, through the FFT.

    Parameters
    ----------
    x : array_like, shape (..., N)

    Returns
    -------
    ndarray, shape (..., N)
        Equal to ``numpy.correlate(x, x, "full")[N - 1:]``.

    Notes
    -----
    Zero-padding to ``M >= 2N - 1`` (a power of two) turns the circular correlation
    ``IDFT(|DFT(x)|^2)`` into the linear one; O(N log N) instead of O(N^2).
    """
    x = _signal(x)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError("x must be a non-empty signal")
    N = x.shape[-1]
    M = 1 << (2 * N - 1 - 1).bit_length() if N > 1 else 1
    F = dft(x, n=M)
    return idft(F.real ** 2 + F.imag ** 2)[..., :N].real


def preemphasis(x, alpha: float) -> np.ndarray:
    """First-order high-pass filter ``y_0 = x_0``, ``y_t = x_t - alpha x_{t-1}`` (last axis).

    Parameters
    ----------
    x : array_like, shape (..., N)
    alpha : float
        Typically 0.95-0.97; 0 returns a copy of ``x``.
    """
    x = _signal(x)
    y = x.copy()
    y[..., 1:] -= alpha * x[..., :-1]
    return y


def cepstral_lifter(mfccs, D: int) -> np.ndarray:
    """Sinusoidal liftering ``c'_n = (1 + D/2 sin(pi n / D)) c_n`` (HTK; ``D = 0``: unchanged).

    Parameters
    ----------
    mfccs : array_like, shape (G, C)
        Cepstral coefficients, ``n = 0..C-1`` along the last axis.
    D : int
        Lifter parameter (22 in HTK).
    """
    c = _signal(mfccs, "mfccs")
    if D == 0:
        return c.copy()
    if not D > 0:
        raise ValueError(f"D must be >= 0, got {D!r}")
    n = np.arange(c.shape[-1])
    return c * (1 + (D / 2) * np.sin(np.pi * n / D))
