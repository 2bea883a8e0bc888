"""Discrete Fourier and cosine transforms written in NumPy.

``dft`` is an iterative, vectorised radix-2 Cooley-Tukey FFT for power-of-two lengths and
Bluestein's chirp-z algorithm (which reduces any length to a power-of-two convolution)
for every other length; ``method="matrix"`` is the O(N^2) definition kept as a reference.
``dct`` computes the type-II and type-III discrete cosine transforms through ``dft``.

Conventions follow :mod:`numpy.fft`: ``dft(x) == numpy.fft.fft(x)``,
``dft(x, positive_only=True) == numpy.fft.rfft(x)`` and ``dct(x, type, norm)`` ==
``scipy.fft.dct(x, type, norm=norm)``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["dct", "dft", "dft_bins", "idft"]


# ----------------------------------------------------------------------------- cached tables

def _dft_matrix(n: int) -> np.ndarray:
    """``W[f, t] = exp(-2 pi i f t / n)``, with ``f t`` reduced modulo ``n`` for accuracy.

    Not cached: it is O(n^2) memory and only serves the ``method="matrix"`` reference.
    """
    k = np.arange(n)
    return np.exp(-2j * np.pi * (np.outer(k, k) % n) / n)


@lru_cache(maxsize=64)
def _twiddle_column(m: int, sign: int = -1) -> np.ndarray:
    """``exp(sign i pi j / m)``, ``j < m``, as a column ``(m, 1)`` (early stages)."""
    t = np.exp(sign * 1j * np.pi * np.arange(m) / m)[:, None]
    t.setflags(write=False)
    return t


@lru_cache(maxsize=64)
def _twiddle_rows(m: int, rows: int, sign: int = -1) -> np.ndarray:
    """``exp(sign i pi j / m)``, ``j < m``, repeated on ``rows`` rows (late stages, contiguous)."""
    t = np.ascontiguousarray(np.broadcast_to(np.exp(sign * 1j * np.pi * np.arange(m) / m), (rows, m)))
    t.setflags(write=False)
    return t


@lru_cache(maxsize=32)
def _bluestein_tables(n: int):
    """Chirp ``w_k = exp(-i pi k^2 / n)`` and the FFT of its conjugate, circularly wrapped."""
    m = 1 << (2 * n - 2).bit_length()  # smallest power of two >= 2n - 1
    k = np.arange(n)
    w = np.exp(-1j * np.pi * ((k * k) % (2 * n)) / n)  # k^2 mod 2n keeps the angle exact
    b = np.zeros(m, dtype=complex)
    b[:n] = w.conj()
    b[m - n + 1:] = w[1:].conj()[::-1]
    B = _fft_pow2(b[None, :])[0] / m  # 1/m folds the inverse transform's scaling in
    w.setflags(write=False)
    B.setflags(write=False)
    return m, w, B


@lru_cache(maxsize=32)
def _real_unpack(n: int):
    """``A_k = (1 - i w^k) / 2`` and ``B_k = (1 + i w^k) / 2`` with ``w = exp(-2 pi i / n)``,
    ``k = 0..n/2``: unpack a real signal's half-length FFT (see ``_rfft_real``)."""
    w = np.exp(-2j * np.pi * np.arange(n // 2 + 1) / n)
    A, B = 0.5 * (1 - 1j * w), 0.5 * (1 + 1j * w)
    A.setflags(write=False)
    B.setflags(write=False)
    return A, B


# ----------------------------------------------------------------------------- kernels

def _fft_pow2(a: np.ndarray, zero_tail: bool = False, first_half: bool = False, sign: int = -1) -> np.ndarray:
    """FFT along the last axis of a complex ``(B, N)`` array, ``N`` a power of two.

    ``sign=+1`` gives the unnormalised inverse transform (``N * ifft``).
    ``zero_tail``: ``a`` is ``(B, N/2)``, the first half of a signal whose second half is
    zero (the first stage is then two copies). ``first_half``: only output bins
    ``0..N/2-1`` are needed (the last stage skips the other half). Both serve Bluestein.

    Iterative radix-2 decimation in time. After the stage that produced transforms of
    length ``m``, subsequence ``k`` of stride ``L = N / m`` (``x[k::L]``) has its DFT stored;
    the next stage merges subsequences ``k`` and ``k + L/2`` (the even and odd samples of
    ``x[k::L/2]``) with the butterfly ``X_j = E_j + w^j O_j``, ``X_{j+m} = E_j - w^j O_j``,
    ``w = exp(-i pi / m)``: three whole-array operations for every subproblem and batch
    row at once. While ``m < L`` the transforms are stored frequency-major ``(B, m, L)``
    (long contiguous rows over ``k``), afterwards subsequence-major ``(B, L, m)`` (long rows
    over ``j``), so every operation runs over long contiguous runs. The Python loop is over
    the ``log2 N`` stages; no BLAS call is made (no thread-pool hazards).
    """
    B, N = a.shape
    if zero_tail:
        N *= 2
    if N == 1:
        return a.copy()
    buf1 = np.empty(B * N, dtype=complex)
    buf2 = np.empty(B * N, dtype=complex)
    h = N // 2
    X = buf1.reshape(B, 2, h)                      # first stage (m = 1): twiddle 1
    if zero_tail:
        X[:, 0] = a
        X[:, 1] = a
    else:
        np.add(a[:, :h], a[:, h:], out=X[:, 0])
        np.subtract(a[:, :h], a[:, h:], out=X[:, 1])
    spare, m = buf2, 2
    while m < N and m < N // m:                    # early stages: layout (B, m, L)
        h = N // m // 2
        Y = spare.reshape(B, 2 * m, h)
        t = Y[:, m:]
        np.multiply(X[:, :, h:], _twiddle_column(m, sign), out=t)   # w^j O_j
        np.add(X[:, :, :h], t, out=Y[:, :m])                    # E_j + w^j O_j
        np.subtract(X[:, :, :h], t, out=t)                      # E_j - w^j O_j (in place)
        spare, X, m = X.reshape(-1), Y, 2 * m
    if m < N:
        Xt = spare.reshape(B, N // m, m)
        Xt[...] = X.transpose(0, 2, 1)             # switch to layout (B, L, m)
        spare, X = X.reshape(-1), Xt
    while m < N:                                   # late stages: layout (B, L, m)
        h = X.shape[1] // 2
        Y = spare.reshape(B, h, 2 * m)
        t = Y[:, :, m:]
        np.multiply(X[:, h:], _twiddle_rows(m, h, sign), out=t)
        np.add(X[:, :h], t, out=Y[:, :, :m])
        if first_half and 2 * m == N:
            return Y[:, 0, :m]
        np.subtract(X[:, :h], t, out=t)
        spare, X, m = X.reshape(-1), Y, 2 * m
    return X.reshape(B, N)[:, : N // 2] if first_half else X.reshape(B, N)


def _fft_bluestein(a: np.ndarray) -> np.ndarray:
    """FFT of any length by Bluestein's algorithm: ``X_k = w_k sum_t (x_t w_t) conj(w_{k-t})``.

    The circular convolution is done with one forward and one inverse power-of-two FFT of
    length ``M >= 2N - 1`` (the FFT of the chirp is cached).
    """
    B, n = a.shape
    m, w, Bw = _bluestein_tables(n)
    buf = np.zeros((B, m // 2), dtype=complex)     # n <= m/2: the upper half is zero padding
    np.multiply(a, w, out=buf[:, :n])
    F = _fft_pow2(buf, zero_tail=True)
    F *= Bw
    G = _fft_pow2(F, first_half=True, sign=1)[:, :n]  # inverse FFT; only bins < n <= m/2
    G *= w
    return G


def _is_pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def _fft_complex(a: np.ndarray) -> np.ndarray:
    n = a.shape[1]
    if n == 1:
        return a.astype(complex, copy=True)
    return _fft_pow2(a) if _is_pow2(n) else _fft_bluestein(a)


def _rfft_real(x: np.ndarray) -> np.ndarray:
    """Non-negative-frequency half of the FFT of real rows ``x (B, N)``.

    Even ``N``: the real signal is packed as ``z = x[0::2] + i x[1::2]`` (half the work)
    and unpacked with ``X_k = E_k + exp(-2 pi i k/N) O_k`` where ``E_k = (Z_k + conj Z_{N/2-k})/2``
    and ``O_k = (Z_k - conj Z_{N/2-k}) / 2i`` are the spectra of the even and odd samples.
    """
    B, n = x.shape
    if n % 2 or n < 4:
        return _fft_complex(x.astype(complex))[:, : n // 2 + 1]
    h = n // 2
    z = np.empty((B, h), dtype=complex)
    z.real = x[:, 0::2]
    z.imag = x[:, 1::2]
    Z = _fft_complex(z)
    Zr = np.empty((B, h + 1), dtype=complex)
    Zr[:, :h] = Z
    Zr[:, h] = Z[:, 0]
    A, Bk = _real_unpack(n)
    out = Zr[:, ::-1].conj()  # conj(Z_{h-k}), k = 0..h
    out *= Bk
    Zr *= A
    out += Zr                 # X_k = A_k Z_k + B_k conj(Z_{h-k})
    return out


# ----------------------------------------------------------------------------- public API

def _prepare(x, n, axis, name="x"):
    a = np.asarray(x)
    if a.dtype.hasobject or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a scalar")
    a = np.moveaxis(a, axis, -1)
    if n is not None:
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        if a.shape[-1] >= n:
            a = a[..., :n]
        else:
            pad = np.zeros(a.shape[:-1] + (n - a.shape[-1],), dtype=a.dtype)
            a = np.concatenate([a, pad], axis=-1)
    if a.shape[-1] == 0:
        raise ValueError(f"{name} is empty along the transform axis; expected at least one sample")
    return a


def dft(x, n: int | None = None, axis: int = -1, positive_only: bool = False,
        method: str = "fft") -> np.ndarray:
    """Discrete Fourier transform ``X_k = sum_t x_t exp(-2 pi i k t / N)``.

    Parameters
    ----------
    x : array_like, shape (..., N, ...)
        Real or complex signal(s); every 1-D slice along ``axis`` is transformed.
    n : int, optional
        Transform length: ``x`` is cut or zero-padded to ``n`` samples (as in NumPy).
    axis : int
        Axis along which to transform.
    positive_only : bool
        Return only the ``N // 2 + 1`` non-negative frequencies of a real signal
        (``numpy.fft.rfft``); ``x`` must then be real.
    method : {"fft", "matrix"}
        ``"fft"``: radix-2 Cooley-Tukey for powers of two, Bluestein otherwise,
        O(N log N). ``"matrix"``: the O(N^2) product with the DFT matrix (reference).

    Returns
    -------
    ndarray of complex128, shape (..., N or N // 2 + 1, ...)
        Equal to ``numpy.fft.fft(x, n, axis)`` (``rfft`` if ``positive_only``).

    Notes
    -----
    Radix-2 decimation in time splits ``X_k = E_k + exp(-2 pi i k / N) O_k`` with ``E``, ``O``
    the transforms of the even and odd samples, ``k < N/2``, and ``X_{k+N/2} = E_k - w^k O_k``.
    The implementation is iterative and vectorised: each of the ``log2 N`` stages is three
    array operations over all subproblems (and all rows of a batch). Bluestein's algorithm
    rewrites ``kt = (k^2 + t^2 - (k-t)^2) / 2`` so the DFT becomes a convolution with the chirp ``exp(i pi t^2 / N)``, computed with
    power-of-two FFTs of length ``M >= 2N - 1``. Real input of even length is packed into
    a complex signal of half the length. Accuracy is that of ``numpy.fft`` (relative error
    around ``1e-15 log N``).

    References
    ----------
    Cooley, J. W. and Tukey, J. W. (1965). An algorithm for the machine calculation of
    complex Fourier series. Math. Comp. 19, 297-301.
    Bluestein, L. (1970). A linear filtering approach to the computation of discrete
    Fourier transform. IEEE Trans. Audio Electroacoust. 18(4), 451-455.

    Example
    -------
    >>> import numpy as np
    >>> x = np.arange(8.0)
    >>> np.allclose(dft(x), np.fft.fft(x)), np.allclose(dft(x, positive_only=True), np.fft.rfft(x))
    (True, True)
    """
    if method not in ("fft", "matrix"):
        raise ValueError(f"method must be 'fft' or 'matrix', got {method!r}")
    a = _prepare(x, n, axis)
    if positive_only and np.iscomplexobj(a):
        raise ValueError("positive_only=True needs a real signal (the spectrum of a complex signal has no "
                         "redundant half); use positive_only=False")
    shape, N = a.shape[:-1], a.shape[-1]
    rows = a.reshape(-1, N)
    if method == "matrix":
        W = _dft_matrix(N)
        out = rows @ (W[:, : N // 2 + 1] if positive_only else W)
    elif positive_only:
        out = _rfft_real(rows.astype(np.float64, copy=False))
    elif not np.iscomplexobj(rows):
        half = _rfft_real(rows.astype(np.float64, copy=False))
        out = np.empty((rows.shape[0], N), dtype=complex)
        out[:, : N // 2 + 1] = half
        # Hermitian symmetry of a real signal's spectrum: X_{N-k} = conj(X_k)
        out[:, N // 2 + 1:] = half[:, 1: (N + 1) // 2][:, ::-1].conj()
    else:
        out = _fft_complex(rows.astype(complex, copy=False))
    out = out.reshape(shape + (out.shape[-1],))
    return np.moveaxis(out, -1, axis)


def idft(X, n: int | None = None, axis: int = -1) -> np.ndarray:
    """Inverse DFT ``x_t = (1/N) sum_k X_k exp(2 pi i k t / N)`` (= ``numpy.fft.ifft``).

    Parameters
    ----------
    X : array_like, shape (..., N, ...)
        Spectrum; transformed along ``axis``.
    n : int, optional
        Cut or zero-pad to this length first.
    axis : int

    Returns
    -------
    ndarray of complex128
        Computed as ``conj(dft(conj(X))) / N``.
    """
    a = _prepare(X, n, axis, name="X")
    N = a.shape[-1]
    rows = a.reshape(-1, N).astype(complex)
    out = _fft_complex(np.conjugate(rows))
    np.conjugate(out, out=out)
    out /= N
    return np.moveaxis(out.reshape(a.shape), -1, axis)


def dct(x, type: int = 2, norm: str | None = None, axis: int = -1, method: str = "fft") -> np.ndarray:
    """Discrete cosine transform of type II or III (= ``scipy.fft.dct(x, type, norm=norm)``).

    Parameters
    ----------
    x : array_like of real, shape (..., N, ...)
    type : {2, 3}
        DCT-II ``y_k = 2 sum_n x_n cos(pi k (2n + 1) / 2N)`` or its inverse up to scale,
        DCT-III ``y_k = x_0 + 2 sum_{n>=1} x_n cos(pi n (2k + 1) / 2N)``.
    norm : {None, "ortho"}
        ``"ortho"`` scales to an orthonormal transform (DCT-III is then the inverse of
        DCT-II): DCT-II gets ``sqrt(1/4N)`` for ``k = 0`` and ``sqrt(1/2N)`` otherwise;
        DCT-III scales ``x_0`` by ``1/sqrt(N)`` and the others by ``sqrt(2/N)`` / 2.
    axis : int
    method : {"fft", "matrix"}
        ``"fft"`` uses one length-2N :func:`dft`; ``"matrix"`` the O(N^2) cosine matrix.

    Returns
    -------
    ndarray of float64, same shape as ``x``.

    Notes
    -----
    With ``x`` zero-padded to ``2N``, ``y^{II}_k = 2 Re(exp(-i pi k / 2N) DFT_{2N}(x)_k)`` and
    ``y^{III}_k = Re(sum_n c_n x_n exp(i pi n / 2N) exp(2 pi i n k / 2N))`` with ``c_0 = 1``,
    ``c_n = 2`` (an inverse DFT of length 2N).

    References
    ----------
    Ahmed, N., Natarajan, T. and Rao, K. R. (1974). Discrete cosine transform.
    IEEE Trans. Computers C-23(1), 90-93.

    Example
    -------
    >>> import numpy as np
    >>> y = dct(np.array([1.0, 2.0, 3.0]), norm="ortho")
    >>> np.allclose(dct(y, type=3, norm="ortho"), [1.0, 2.0, 3.0])
    True
    """
    if type not in (2, 3):
        raise ValueError(f"type must be 2 or 3, got {type!r}")
    if norm not in (None, "ortho", "backward"):
        raise ValueError(f"norm must be None or 'ortho', got {norm!r}")
    if method not in ("fft", "matrix"):
        raise ValueError(f"method must be 'fft' or 'matrix', got {method!r}")
    ortho = norm == "ortho"
    a = _prepare(x, None, axis)
    if np.iscomplexobj(a):
        raise ValueError("dct needs a real signal; transform the real and imaginary parts separately")
    a = a.astype(np.float64)
    N = a.shape[-1]
    k = np.arange(N)
    if type == 2:
        if method == "matrix":
            C = 2 * np.cos(np.pi * np.outer(2 * k + 1, k) / (2 * N))  # C[n, k]
            y = a @ C
        else:
            F = dft(a, n=2 * N, axis=-1)[..., :N]
            y = 2 * (F * np.exp(-1j * np.pi * k / (2 * N))).real
        if ortho:
            y[..., 0] *= np.sqrt(1 / (4 * N))
            y[..., 1:] *= np.sqrt(1 / (2 * N))
    else:
        c = np.full(N, 2.0)
        c[0] = 1.0
        if ortho:
            c[0] = np.sqrt(1.0 / N)
            c[1:] = np.sqrt(2.0 / N)
        if method == "matrix":
            C = np.cos(np.pi * np.outer(k, 2 * k + 1) / (2 * N))  # C[n, k]
            y = (a * c) @ C
        else:
            z = a * c * np.exp(1j * np.pi * k / (2 * N))
            y = (idft(z, n=2 * N, axis=-1)[..., :N] * (2 * N)).real
    return np.moveaxis(y, -1, axis)


def dft_bins(N: int, fs: float = 44000, positive_only: bool = True) -> np.ndarray:
    """Frequencies (Hz) of the DFT bins of a length-``N`` frame sampled at ``fs``.

    Parameters
    ----------
    N : int
        Frame length.
    fs : float
        Sampling rate in Hz.
    positive_only : bool
        ``N // 2 + 1`` non-negative frequencies ``k fs / N`` (= ``numpy.fft.rfftfreq``, correct
        for odd ``N`` too); otherwise all ``N`` in FFT order (= ``numpy.fft.fftfreq``).

    Returns
    -------
    ndarray of float64
    """
    if not isinstance(N, (int, np.integer)) or N < 1:
        raise ValueError(f"N must be a positive integer, got {N!r}")
    if not fs > 0:
        raise ValueError(f"fs must be positive, got {fs!r}")
    k = np.arange(N // 2 + 1 if positive_only else N)
    if not positive_only:
        k = np.where(k < (N + 1) // 2, k, k - N)
    return k * (fs / N)
