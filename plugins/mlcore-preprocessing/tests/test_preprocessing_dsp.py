"""Framing, spectra, filters, mel scale, filterbank and MFCC against closed forms,
NumPy, SciPy and (if importable) librosa."""

import numpy as np
import pytest
import scipy.fft
import scipy.signal
from mlcore_preprocessing import (
    autocorrelate,
    cepstral_lifter,
    hz2mel,
    magnitude_spectrum,
    mel2hz,
    mel_filterbank,
    mel_spectrogram,
    mfcc,
    power_spectrum,
    preemphasis,
    to_frames,
)


def test_to_frames_equals_explicit_slices():
    x = np.arange(23.0)
    F = to_frames(x, 5, 3)
    ref = np.array([x[i:i + 5] for i in range(0, 23 - 5 + 1, 3)])  # reference: slicing loop
    assert np.array_equal(F, ref)
    assert not F.flags.writeable and to_frames(x, 5, 3, writeable=True).flags.writeable
    with pytest.raises(ValueError):
        to_frames(np.ones(3), 5, 1)


def test_spectra_equal_numpy():
    frames = np.random.default_rng(0).standard_normal((4, 31))
    ref = np.fft.rfft(frames)                                        # reference: numpy.fft.rfft
    np.testing.assert_allclose(magnitude_spectrum(frames), np.abs(ref), rtol=1e-10)
    np.testing.assert_allclose(power_spectrum(frames), np.abs(ref) ** 2, rtol=1e-10)
    np.testing.assert_allclose(power_spectrum(frames, scale=True), np.abs(ref) ** 2 / 31, rtol=1e-10)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 101])
def test_autocorrelate_equals_numpy_correlate(n):
    x = np.random.default_rng(n).standard_normal(n)
    ref = np.correlate(x, x, "full")[n - 1:]                         # reference: numpy.correlate
    np.testing.assert_allclose(autocorrelate(x), ref, rtol=1e-10, atol=1e-10 * abs(ref[0]))


def test_preemphasis_and_lifter_closed_forms():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    np.testing.assert_allclose(preemphasis(x, 0.5), [1.0, 1.5, 3.0, 6.0])
    c = np.ones((2, 4))
    D = 22
    ref = 1 + D / 2 * np.sin(np.pi * np.arange(4) / D)              # HTK lifter formula
    np.testing.assert_allclose(cepstral_lifter(c, D), np.tile(ref, (2, 1)), rtol=1e-14)
    np.testing.assert_array_equal(cepstral_lifter(c, 0), c)


def test_mel_scales_closed_forms_and_inverses():
    f = np.array([0.0, 200.0, 999.0, 1000.0, 4000.0, 11025.0])
    np.testing.assert_allclose(hz2mel(f), 2595 * np.log10(1 + f / 700), rtol=1e-14)
    slaney = np.where(f < 1000, 3 * f / 200, 15 + np.log(f / 1000 + (f < 1000)) * 27 / np.log(6.4))
    np.testing.assert_allclose(hz2mel(f, "slaney"), slaney, rtol=1e-14)
    for formula in ("htk", "slaney"):
        np.testing.assert_allclose(mel2hz(hz2mel(f, formula), formula), f, rtol=1e-12, atol=1e-9)
    assert isinstance(hz2mel(440.0), float)
    with pytest.raises(ValueError):
        hz2mel(1.0, "bark")


def _triangles(N, n_filters, fs, fmin, fmax, formula, normalize):
    """Independent closed form: piecewise-linear triangles through mel-spaced corners."""
    if formula == "htk":
        to_mel = lambda f: 2595 * np.log10(1 + f / 700)
        to_hz = lambda m: 700 * (10 ** (m / 2595) - 1)
    else:
        to_mel = lambda f: hz2mel(f, "slaney")
        to_hz = lambda m: mel2hz(m, "slaney")
    corners = to_hz(np.linspace(to_mel(fmin), to_mel(fmax), n_filters + 2))
    freqs = np.arange(N // 2 + 1) * fs / N
    out = np.array([np.interp(freqs, corners[i:i + 3], [0.0, 1.0, 0.0], left=0.0, right=0.0)
                    for i in range(n_filters)])
    if normalize:
        out *= (2 / (corners[2:] - corners[:-2]))[:, None]
    return out


@pytest.mark.parametrize("N", [512, 511, 400, 401])
@pytest.mark.parametrize("formula", ["htk", "slaney"])
@pytest.mark.parametrize("normalize", [True, False])
def test_mel_filterbank_equals_closed_form_for_odd_and_even_n(N, formula, normalize):
    fb = mel_filterbank(N, n_filters=26, fs=16000, min_freq=20, max_freq=7600, normalize=normalize,
                        formula=formula)
    ref = _triangles(N, 26, 16000, 20, 7600, formula, normalize)
    assert fb.shape == (26, N // 2 + 1)
    np.testing.assert_allclose(fb, ref, rtol=1e-9, atol=1e-12)


def _reference_mfcc(x, fs, width, hop, n_filters, n_mfcc, formula):
    """Independent MFCC pipeline: zero-padded centred frames, periodic Hann (scipy),
    numpy.fft.rfft power, closed-form triangles, 10 log10, scipy.fft.dct(norm='ortho')."""
    xp = np.pad(x, width // 2)
    starts = range(0, len(xp) - width + 1, hop)
    frames = np.array([xp[s:s + width] for s in starts]) * scipy.signal.get_window("hann", width)
    P = np.abs(np.fft.rfft(frames)) ** 2
    E = P @ _triangles(width, n_filters, fs, 0, fs / 2, formula, True).T
    return scipy.fft.dct(10 * np.log10(np.maximum(E, 1e-10)), type=2, norm="ortho")[:, :n_mfcc]


def _chirp(fs, seconds=0.5):
    t = np.arange(int(fs * seconds)) / fs
    return scipy.signal.chirp(t, f0=100, t1=seconds, f1=3000) + 0.01 * np.sin(2 * np.pi * 50 * t)


@pytest.mark.parametrize("formula", ["htk", "slaney"])
@pytest.mark.parametrize("fs", [16000, 22050])
def test_mfcc_equals_independent_pipeline(formula, fs):
    x = _chirp(fs)
    width, hop = round(0.025 * fs), round(0.01 * fs)
    got = mfcc(x, fs=fs, n_mfccs=13, alpha=0, center=True, pad_mode="constant", n_filters=26,
               window="hann", normalize=False, lifter_coef=0, replace_intercept=False, formula=formula)
    ref = _reference_mfcc(x, fs, width, hop, 26, 13, formula)
    np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-8)


def test_mfcc_options_closed_forms():
    fs = 16000
    x = _chirp(fs)
    base = {"fs": fs, "alpha": 0.97, "n_filters": 26, "n_mfccs": 13}
    raw = mfcc(x, normalize=False, lifter_coef=0, replace_intercept=False, **base)
    lift = 1 + 11 * np.sin(np.pi * np.arange(13) / 22)
    lifted = mfcc(x, normalize=False, lifter_coef=22, replace_intercept=False, **base)
    np.testing.assert_allclose(lifted, raw * lift, rtol=1e-12)
    full = mfcc(x, normalize=True, lifter_coef=22, replace_intercept=True, **base)
    np.testing.assert_allclose(full[:, 1:], (raw * lift - (raw * lift).mean(0))[:, 1:], rtol=1e-9, atol=1e-9)
    energies, frame_energy = mel_spectrogram(x, fs=fs, window="hann", alpha=0.97, n_filters=26,
                                             mean_normalize=False)
    np.testing.assert_allclose(full[:, 0], np.log(frame_energy), rtol=1e-12)
    centred, _ = mel_spectrogram(x, fs=fs, window="hann", alpha=0.97, n_filters=26)
    np.testing.assert_allclose(centred, energies - energies.mean(0), rtol=1e-9, atol=1e-9)
    with pytest.raises(ValueError):
        mfcc(x, fs=fs, n_mfccs=30, n_filters=20)


def test_mel_filterbank_and_mfcc_equal_librosa():
    librosa = pytest.importorskip("librosa")  # optional oracle: not a test dependency
    fs, N = 22050, 551
    for htk in (True, False):
        ref = librosa.filters.mel(sr=fs, n_fft=N, n_mels=40, htk=htk, norm="slaney")
        got = mel_filterbank(N, n_filters=40, fs=fs, formula="htk" if htk else "slaney")
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-8)  # librosa works in float32
    x = _chirp(fs)
    width, hop = round(0.025 * fs), round(0.01 * fs)
    M = librosa.feature.melspectrogram(y=x, sr=fs, n_fft=width, hop_length=hop, window="hann", center=True,
                                       pad_mode="constant", power=2.0, n_mels=26, htk=True, norm="slaney")
    # power_to_db with top_db=None: librosa.feature.mfcc would otherwise clip at 80 dB
    ref = librosa.feature.mfcc(S=librosa.power_to_db(M, ref=1.0, amin=1e-10, top_db=None), n_mfcc=13,
                               dct_type=2, norm="ortho", lifter=0).T
    got = mfcc(x, fs=fs, n_mfccs=13, alpha=0, center=True, pad_mode="constant", n_filters=26,
               window="hann", normalize=False, lifter_coef=0, replace_intercept=False)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-3)
