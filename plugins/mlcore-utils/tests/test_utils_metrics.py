"""Metrics against scipy.spatial.distance (rtol 1e-12)."""

import numpy as np
import pytest
from scipy.spatial import distance

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.testing import check_component

rng = np.random.default_rng(1)
X = rng.normal(size=(25, 5))
Y = rng.normal(size=(17, 5))
CASES = [("euclidean", "euclidean", {}), ("manhattan", "cityblock", {}), ("chebyshev", "chebyshev", {}),
         ("minkowski(p=3)", "minkowski", {"p": 3}), ("minkowski(p=1.5)", "minkowski", {"p": 1.5}),
         ("minkowski", "minkowski", {"p": 2}), ("hamming", "hamming", {})]


@pytest.mark.parametrize("spec, name, kw", CASES)
def test_metric_equals_scipy(spec, name, kw):
    m = mlcore.build(spec, kind="metric")
    A, B = (X, Y) if name != "hamming" else (rng.integers(0, 3, (25, 5)), rng.integers(0, 3, (17, 5)))
    np.testing.assert_allclose(m.pairwise(A, B), distance.cdist(A, B, name, **kw), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m.pairwise(A), distance.cdist(A, A, name, **kw), rtol=1e-12, atol=1e-14)
    for i in range(3):
        assert m(A[i], B[i]) == pytest.approx(getattr(distance, name)(A[i], B[i], **kw), rel=1e-12, abs=1e-14)


def test_hamming_on_labels():
    a, b = np.array(["x", "y", "z", "x"]), np.array(["x", "y", "y", "y"])
    assert mlcore.build("hamming", kind="metric")(a, b) == distance.hamming(a, b) == 0.5


def test_minkowski_inf_is_chebyshev():
    m = mlcore.build("minkowski(p=inf)", kind="metric")
    np.testing.assert_allclose(m.pairwise(X, Y), distance.cdist(X, Y, "chebyshev"), rtol=1e-12)


def test_bad_input():
    m = mlcore.build("euclidean", kind="metric")
    with pytest.raises(ValueError, match="same length"):
        m(X[0], X[0, :3])
    with pytest.raises(ValueError, match="NaN"):
        m(np.array([np.nan, 1.0]), np.array([0.0, 1.0]))
    with pytest.raises(ComponentArgumentError):
        mlcore.build("minkowski(p=0.5)", kind="metric")


@pytest.mark.parametrize("spec", ["euclidean", "manhattan", "chebyshev", "minkowski(p=3)", "hamming"])
def test_metric_conforms(spec, tmp_path):
    check_component(mlcore.build(spec, kind="metric"), tmp_path=tmp_path)
