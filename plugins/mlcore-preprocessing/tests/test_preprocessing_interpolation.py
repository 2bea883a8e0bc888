"""Interpolation against scipy.ndimage (max abs difference 1e-12)."""

import numpy as np
import pytest
from mlcore_preprocessing import batch_resample, bilinear_interpolate, nn_interpolate_1d, nn_interpolate_2d
from scipy import ndimage


def test_bilinear_equals_map_coordinates_on_interior_points():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((17, 23, 3))
    y = rng.uniform(0, 16, 500)
    x = rng.uniform(0, 22, 500)
    ref = np.stack([ndimage.map_coordinates(X[..., c], [y, x], order=1) for c in range(3)], axis=1)
    np.testing.assert_allclose(bilinear_interpolate(X, x, y), ref, rtol=0, atol=1e-12)


def test_bilinear_exact_on_grid_points_and_clamped_outside():
    X = np.arange(12.0).reshape(3, 4, 1)
    assert np.allclose(bilinear_interpolate(X, [0, 3, 2], [0, 2, 1])[:, 0], [0, 11, 6])
    assert np.allclose(bilinear_interpolate(X, [-5, 10], [-1, 9])[:, 0], [0, 11])


@pytest.mark.parametrize("shape,new", [((2, 8, 10, 3), (15, 21)), ((1, 5, 4, 1), (5, 4)), ((3, 9, 9, 2), (4, 5))])
def test_batch_resample_layout_and_equals_scipy_zoom(shape, new):
    X = np.random.default_rng(1).standard_normal(shape)
    out = batch_resample(X, new)
    assert out.shape == (shape[0], *new, shape[3])                       # (n, rows, cols, channels)
    # scipy.ndimage.zoom(order=1, grid_mode=False) aligns corners like batch_resample
    for i in range(shape[0]):
        ref = ndimage.zoom(X[i], (new[0] / shape[1], new[1] / shape[2], 1), order=1)
        np.testing.assert_allclose(out[i], ref, rtol=0, atol=1e-12)


def test_neighbor_modes():
    X = np.arange(12).reshape(3, 4, 1)
    assert nn_interpolate_2d(X, [0.4, 2.6, 9], [1.5, 0.2, -3]).ravel().tolist() == [8, 3, 3]
    sig = np.arange(10).reshape(5, 2)
    assert nn_interpolate_1d(sig, [0.49, 0.5, 3.7, 99])[:, 0].tolist() == [0, 2, 8, 8]
    out = batch_resample(X[None], (5, 7), mode="neighbor")
    assert out.shape == (1, 5, 7, 1) and out.dtype == X.dtype
    ref = ndimage.zoom(X[..., 0], (5 / 3, 7 / 4), order=0, grid_mode=False)  # reference: scipy nearest
    assert np.array_equal(out[0, :, :, 0], ref)


def test_bad_input():
    with pytest.raises(ValueError):
        batch_resample(np.ones((4, 4, 1)), (2, 2))
    with pytest.raises(ValueError):
        batch_resample(np.ones((1, 4, 4, 1)), (0, 2))
    with pytest.raises(ValueError):
        bilinear_interpolate(np.ones((2, 2, 1)), [np.nan], [0])
