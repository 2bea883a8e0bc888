"""Mel scale, mel filterbanks, mel spectrograms and MFCCs.

The pipeline of :func:`mfcc`: pre-emphasis -> centred frames -> window -> power spectrum
-> triangular mel filterbank -> ``10 log10`` -> orthonormal DCT-II -> lifter -> optional
cepstral mean normalisation -> optional log frame energy as ``c_0``.

With ``alpha=0, pad_mode="constant", normalize=False, lifter_coef=0,
replace_intercept=False`` it is the pipeline of ``librosa.feature.mfcc(y, sr=fs,
n_mfcc=n_mfccs, n_fft=frame_width, hop_length=stride, window="hann", center=True,
n_mels=n_filters, htk=(formula == "htk"), norm="slaney", top_db=None)``.
"""

from __future__ import annotations

import numpy as np

from .fft import dct, dft_bins
from .spectral import _positive_int, _signal, power_spectrum, preemphasis, to_frames
from .windows import get_window

__all__ = ["hz2mel", "mel2hz", "mel_filterbank", "mel_spectrogram", "mfcc"]

_F_SP = 200.0 / 3          # Slaney: Hz per mel below 1 kHz
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def _formula(formula):
    if formula not in ("htk", "slaney"):
        raise ValueError(f"formula must be 'htk' or 'slaney', got {formula!r}")


def hz2mel(hz, formula: str = "htk"):
    """Frequency in Hz to mels.

    Parameters
    ----------
    hz : float or array_like
    formula : {"htk", "slaney"}
        HTK: ``2595 log10(1 + f / 700)``. Slaney (Auditory Toolbox, librosa's default):
        linear ``f / (200/3)`` below 1 kHz, then logarithmic with step ``ln(6.4) / 27``.

    Returns
    -------
    float or ndarray
    """
    _formula(formula)
    f = np.asarray(hz, dtype=float)
    if formula == "htk":
        out = 2595.0 * np.log10(1.0 + f / 700.0)
    else:
        safe = np.maximum(f, _MIN_LOG_HZ)
        out = np.where(f >= _MIN_LOG_HZ, _MIN_LOG_MEL + np.log(safe / _MIN_LOG_HZ) / _LOGSTEP, f / _F_SP)
    return out if out.ndim else float(out)


def mel2hz(mel, formula: str = "htk"):
    """Mels to Hz, the inverse of :func:`hz2mel` (``700 (10^(m / 2595) - 1)`` for HTK)."""
    _formula(formula)
    m = np.asarray(mel, dtype=float)
    if formula == "htk":
        out = 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    else:
        out = np.where(m >= _MIN_LOG_MEL, _MIN_LOG_HZ * np.exp(_LOGSTEP * (m - _MIN_LOG_MEL)), _F_SP * m)
    return out if out.ndim else float(out)


def mel_filterbank(N: int, n_filters: int = 20, fs: float = 44000, min_freq: float = 0.0,
                   max_freq: float | None = None, normalize: bool = True, formula: str = "htk") -> np.ndarray:
    """Triangular mel filters over the ``N // 2 + 1`` DFT bins of a length-``N`` frame.

    Parameters
    ----------
    N : int
        Frame (DFT) length.
    n_filters : int
        Number of filters.
    fs : float
        Sampling rate (Hz).
    min_freq, max_freq : float
        Band edges in Hz (``max_freq`` defaults to ``fs / 2``).
    normalize : bool
        Slaney area normalisation: filter ``i`` is scaled by ``2 / (f_{i+2} - f_i)``.
    formula : {"htk", "slaney"}
        Mel scale (see :func:`hz2mel`).

    Returns
    -------
    ndarray, shape (n_filters, N // 2 + 1)

    Warns
    -----
    UserWarning
        When some filters are all zero: ``n_filters`` too large for the ``N // 2 + 1``
        DFT bins (librosa warns likewise).

    Notes
    -----
    ``n_filters + 2`` points ``f_0 < ... < f_{n+1}`` equally spaced in mels between the band
    edges; filter ``i`` rises linearly from 0 at ``f_i`` to 1 at ``f_{i+1}`` and falls to 0
    at ``f_{i+2}``, evaluated at the bin frequencies ``k fs / N`` (correct for odd ``N``).
    Same as ``librosa.filters.mel(sr=fs, n_fft=N, n_mels=n_filters, fmin, fmax, htk=formula ==
    "htk", norm="slaney" if normalize else None)``.
    """
    N, n_filters = _positive_int(N, "N"), _positive_int(n_filters, "n_filters")
    _formula(formula)
    max_freq = fs / 2 if max_freq is None else max_freq
    if not 0 <= min_freq < max_freq:
        raise ValueError(f"need 0 <= min_freq < max_freq, got {min_freq!r} and {max_freq!r}")
    bins = dft_bins(N, fs, positive_only=True)
    mels = np.linspace(hz2mel(min_freq, formula), hz2mel(max_freq, formula), n_filters + 2)
    f = mel2hz(mels, formula)
    fdiff = np.diff(f)
    ramps = f[:, None] - bins[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    fb = np.maximum(0.0, np.minimum(lower, upper))
    empty = np.flatnonzero(~fb.any(axis=1))
    if empty.size:   # librosa warns likewise ("Empty filters detected in mel frequency basis")
        import warnings

        warnings.warn(f"mel_filterbank: {empty.size} of n_filters={n_filters} filters are all zero (first: "
                      f"filter {empty[0]}): a frame of N={N} has only {N // 2 + 1} DFT bins, spaced {fs / N:g} Hz, "
                      f"too few for the mel band edges; reduce n_filters or increase N", UserWarning, stacklevel=2)
    if normalize:
        fb *= (2.0 / (f[2:] - f[:-2]))[:, None]
    return fb


def _frames(x, fs, window_duration, stride_duration, center, pad_mode, alpha, window):
    x = _signal(x, ndim=1)
    if not fs > 0:
        raise ValueError(f"fs must be positive, got {fs!r}")
    width = round(window_duration * fs)
    stride = round(stride_duration * fs)
    if width < 1 or stride < 1:
        raise ValueError(f"window_duration and stride_duration give frames of {width} and hops of {stride} "
                         "samples; both must be at least 1")
    if alpha:
        x = preemphasis(x, alpha)
    if center:
        if pad_mode not in ("reflect", "constant", "edge"):
            raise ValueError(f"pad_mode must be 'reflect', 'constant' or 'edge', got {pad_mode!r}")
        x = np.pad(x, width // 2, mode=pad_mode)
    frames = to_frames(x, width, stride) * get_window(window, width)
    return frames, width


def mel_spectrogram(x, fs: float = 44000, window_duration: float = 0.025, stride_duration: float = 0.01,
                    mean_normalize: bool = True, window="hamming", n_filters: int = 20, center: bool = True,
                    alpha: float = 0.95, formula: str = "htk", pad_mode: str = "reflect",
                    normalize_filters: bool = True):
    """Mel filterbank energies of a signal's short-time power spectrum.

    Parameters
    ----------
    x : array_like, shape (N,)
        Signal.
    fs : float
        Sampling rate (Hz).
    window_duration, stride_duration : float
        Frame length and hop in seconds (rounded to whole samples).
    mean_normalize : bool
        Subtract each filter's mean energy over the frames.
    window : str, Window or array_like
        Taper (a ``window`` name or spec, see :func:`~mlcore_preprocessing.windows.get_window`).
    n_filters : int
    center : bool
        Pad ``frame_width // 2`` samples on both sides so frame ``t`` is centred on ``t * stride``.
    alpha : float
        Pre-emphasis coefficient (0 disables it).
    formula : {"htk", "slaney"}
    pad_mode : {"reflect", "constant", "edge"}
        Padding used when ``center`` (librosa >= 0.10 uses ``"constant"``).
    normalize_filters : bool
        Slaney area normalisation of the filters.

    Returns
    -------
    filter_energies : ndarray, shape (G, n_filters)
        ``P @ F.T`` with ``P`` the power spectra ``|DFT(frame)|^2`` and ``F`` the filterbank.
    energy_per_frame : ndarray, shape (G,)
        ``sum_k P[g, k]``.
    """
    frames, width = _frames(x, fs, window_duration, stride_duration, center, pad_mode, alpha, window)
    P = power_spectrum(frames)
    fb = mel_filterbank(width, n_filters, fs, normalize=normalize_filters, formula=formula)
    energies = P @ fb.T
    if mean_normalize:
        energies -= energies.mean(axis=0)
    return energies, P.sum(axis=1)


def mfcc(x, fs: float = 44000, n_mfccs: int = 13, alpha: float = 0.95, center: bool = True, n_filters: int = 20,
         window="hann", normalize: bool = True, lifter_coef: int = 22, stride_duration: float = 0.01,
         window_duration: float = 0.025, replace_intercept: bool = True, formula: str = "htk",
         pad_mode: str = "reflect", amin: float = 1e-10) -> np.ndarray:
    """Mel-frequency cepstral coefficients.

    Parameters
    ----------
    x : array_like, shape (N,)
    fs : float
        Sampling rate (Hz).
    n_mfccs : int
        Coefficients kept (``<= n_filters``).
    alpha : float
        Pre-emphasis (0 disables).
    center, pad_mode, window, window_duration, stride_duration, n_filters, formula
        As in :func:`mel_spectrogram`.
    normalize : bool
        Cepstral mean normalisation: subtract each coefficient's mean over the frames.
    lifter_coef : int
        Sinusoidal lifter ``D`` (:func:`~mlcore_preprocessing.spectral.cepstral_lifter`; 0 disables).
    replace_intercept : bool
        Replace ``c_0`` by the natural log of each frame's energy (HTK's ``E``).
    amin : float
        Floor applied before the logarithm (``10 log10(max(E, amin))``, as librosa).

    Returns
    -------
    ndarray, shape (G, n_mfccs)

    Notes
    -----
    ``c = DCT-II_ortho(10 log10(max(P F^T, amin)))[:, :n_mfccs]``. See the module docstring
    for the options under which this equals ``librosa.feature.mfcc``.

    References
    ----------
    Davis, S. and Mermelstein, P. (1980). Comparison of parametric representations for
    monosyllabic word recognition in continuously spoken sentences. IEEE Trans. ASSP 28(4).
    Young, S. et al. The HTK Book, section 5.6.
    """
    n_mfccs = _positive_int(n_mfccs, "n_mfccs")
    if n_mfccs > n_filters:
        raise ValueError(f"n_mfccs ({n_mfccs}) cannot exceed n_filters ({n_filters})")
    energies, frame_energy = mel_spectrogram(
        x, fs=fs, window_duration=window_duration, stride_duration=stride_duration, mean_normalize=False,
        window=window, n_filters=n_filters, center=center, alpha=alpha, formula=formula, pad_mode=pad_mode)
    log_e = 10.0 * np.log10(np.maximum(energies, amin))
    c = dct(log_e, type=2, norm="ortho", axis=-1)[:, :n_mfccs]
    if lifter_coef:
        n = np.arange(n_mfccs)
        c *= 1 + (lifter_coef / 2) * np.sin(np.pi * n / lifter_coef)
    if normalize:
        c -= c.mean(axis=0)
    if replace_intercept:
        c[:, 0] = np.log(np.maximum(frame_energy, amin))
    return c
