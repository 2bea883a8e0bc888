"""Windows against scipy.signal (max abs difference 1e-14)."""

import numpy as np
import pytest
import scipy.signal
from mlcore_preprocessing.windows import get_window

import mlcore

SCIPY_NAMES = {"hann": "hann", "hamming": "hamming", "blackman_harris": "blackmanharris"}


@pytest.mark.parametrize("name", sorted(SCIPY_NAMES))
@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 16, 17, 400, 401])
def test_window_equals_scipy_get_window(name, symmetric, n):
    w = mlcore.build(name, kind="window", symmetric=symmetric)
    ref = scipy.signal.get_window(SCIPY_NAMES[name], n, fftbins=not symmetric)
    np.testing.assert_allclose(w(n), ref, rtol=0, atol=1e-14)


@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("n", [1, 2, 9, 10, 128])
def test_generalized_cosine_equals_scipy(symmetric, n):
    coefs = [0.3, 0.35, 0.25, 0.1]
    w = mlcore.build("generalized_cosine", kind="window", coefs=coefs, symmetric=symmetric)
    ref = scipy.signal.windows.general_cosine(n, coefs, sym=symmetric)
    np.testing.assert_allclose(w(n), ref, rtol=0, atol=1e-14)


def test_window_spec_round_trip_and_errors():
    w = mlcore.build("hann(symmetric=True)", kind="window")
    assert mlcore.to_spec(w) == "hann(symmetric=True)"
    assert len(w(0)) == 0
    with pytest.raises(ValueError):
        w(-1)
    with pytest.raises(mlcore.errors.ComponentArgumentError):
        mlcore.build("generalized_cosine(coefs=[])", kind="window")
    np.testing.assert_allclose(get_window("hann(symmetric=True)", 3), [0.0, 1.0, 0.0], atol=1e-15)
    with pytest.raises(ValueError):
        get_window(np.ones(3), 4)
