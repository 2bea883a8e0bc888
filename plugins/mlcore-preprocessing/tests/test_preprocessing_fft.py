"""dft / idft / dct / dft_bins against numpy.fft and scipy.fft (rtol 1e-10)."""

import numpy as np
import pytest
import scipy.fft
from hypothesis import given, settings
from hypothesis import strategies as st
from mlcore_preprocessing import dct, dft, dft_bins, idft

POW2 = [1, 2, 4, 8, 16, 32, 64, 256, 1024, 4096]
ODD = [3, 9, 15, 25, 81, 255, 1001, 4095]
PRIME = [5, 7, 13, 17, 31, 127, 257, 1009]
EVEN_OTHER = [6, 10, 12, 48, 100, 1000, 6000]
RTOL = 1e-10


def _close(got, ref):
    # rtol 1e-10 relative to each coefficient; atol 1e-10 of the spectrum's scale guards
    # coefficients that are exactly zero in theory (e.g. the imaginary part of X_0)
    np.testing.assert_allclose(got, ref, rtol=RTOL, atol=RTOL * np.abs(ref).max())


@pytest.mark.parametrize("n", POW2 + ODD + PRIME + EVEN_OTHER)
def test_dft_equals_numpy_fft(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n)
    z = x + 1j * rng.standard_normal(n)
    _close(dft(x), np.fft.fft(x))                             # reference: numpy.fft.fft
    _close(dft(z), np.fft.fft(z))
    _close(dft(x, positive_only=True), np.fft.rfft(x))        # reference: numpy.fft.rfft
    _close(idft(z), np.fft.ifft(z))                           # reference: numpy.fft.ifft


@pytest.mark.parametrize("n", [1, 8, 15, 31, 64])
def test_matrix_method_equals_numpy(n):
    z = np.random.default_rng(0).standard_normal(n) + 0.5j
    _close(dft(z, method="matrix"), np.fft.fft(z))
    _close(dft(z.real, method="matrix", positive_only=True), np.fft.rfft(z.real))


def test_dft_axis_padding_batch_and_no_mutation():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 20, 4))
    before = X.copy()
    _close(dft(X, axis=1), np.fft.fft(X, axis=1))
    _close(dft(X, n=32, axis=1), np.fft.fft(X, n=32, axis=1))
    _close(dft(X, n=7, axis=0), np.fft.fft(X, n=7, axis=0))
    _close(dft(X, positive_only=True, axis=-1), np.fft.rfft(X, axis=-1))
    assert np.array_equal(X, before)


def test_dft_is_not_conjugated():
    # numpy-ml returned the conjugate: X_1 of a unit impulse at t=1 is exp(-2 pi i / N)
    x = np.zeros(8)
    x[1] = 1
    assert np.isclose(dft(x)[1], np.exp(-2j * np.pi / 8), rtol=0, atol=1e-15)


def test_dft_bad_input():
    with pytest.raises(ValueError):
        dft(np.ones(4) + 1j, positive_only=True)
    with pytest.raises(ValueError):
        dft(np.ones(4), method="naive")
    with pytest.raises(ValueError):
        dft(np.zeros(0))
    with pytest.raises(TypeError):
        dft(np.array(["a", "b"]))


@pytest.mark.parametrize("n", [1, 2, 5, 8, 13, 20, 40, 64, 100])
@pytest.mark.parametrize("kind", [2, 3])
@pytest.mark.parametrize("norm", [None, "ortho"])
@pytest.mark.parametrize("method", ["fft", "matrix"])
def test_dct_equals_scipy(n, kind, norm, method):
    x = np.random.default_rng(n).standard_normal((2, n))
    ref = scipy.fft.dct(x, type=kind, norm=norm, axis=-1)     # reference: scipy.fft.dct
    np.testing.assert_allclose(dct(x, type=kind, norm=norm, method=method), ref, rtol=1e-10,
                               atol=1e-10 * np.abs(ref).max())


def test_ortho_dct_inverts():
    x = np.random.default_rng(0).standard_normal(23)
    np.testing.assert_allclose(dct(dct(x, 2, "ortho"), 3, "ortho"), x, rtol=0, atol=1e-12)


@pytest.mark.parametrize("N", [1, 2, 7, 8, 511, 512])
def test_dft_bins_equal_numpy_freqs_for_odd_and_even_n(N):
    fs = 16000
    np.testing.assert_allclose(dft_bins(N, fs), np.fft.rfftfreq(N, 1 / fs), rtol=1e-14)
    np.testing.assert_allclose(dft_bins(N, fs, positive_only=False), np.fft.fftfreq(N, 1 / fs), rtol=1e-14)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 700), st.integers(0, 2**32 - 1), st.booleans())
def test_dft_equals_numpy_for_random_lengths(n, seed, complex_input):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) + (1j * rng.standard_normal(n) if complex_input else 0)
    _close(dft(x), np.fft.fft(x))                             # reference: numpy.fft.fft
    if not complex_input:
        _close(dft(x, positive_only=True), np.fft.rfft(x))    # reference: numpy.fft.rfft


def test_dct_and_idft_along_other_axes():
    X = np.random.default_rng(3).standard_normal((6, 5, 3))
    for axis in (0, 1):
        ref = scipy.fft.dct(X, type=2, norm="ortho", axis=axis)            # reference: scipy.fft.dct
        np.testing.assert_allclose(dct(X, 2, "ortho", axis=axis), ref, rtol=1e-10, atol=1e-12)
        _close(idft(X, axis=axis), np.fft.ifft(X, axis=axis))              # reference: numpy.fft.ifft
