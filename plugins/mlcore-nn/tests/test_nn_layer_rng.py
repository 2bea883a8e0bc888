"""A layer's own generator is saved by the core (exact state, numpy's own bit generators
only), not by a copy of the restore code in mlcore-nn (issue 24)."""

import numpy as np
import pytest

import mlcore
from mlcore.errors import FileFormatError


def test_own_generator_round_trips_through_save(tmp_path):
    layer = mlcore.build("dropout(p=0.5, random_state=3)")
    X = np.ones((4, 6))
    layer.forward(X)
    assert isinstance(layer.get_state()["rng"], np.random.Generator)
    mlcore.save(layer, tmp_path / "d.npz")
    loaded = mlcore.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(layer.forward(X), loaded.forward(X))


def test_a_generator_state_is_not_restored_from_a_plain_dict():
    """Only a Generator decoded by the core's loader (allow-listed bit generators) is accepted:
    a dict naming any numpy attribute as its bit generator is refused."""
    layer = mlcore.build("dropout(p=0.5, random_state=3)")
    with pytest.raises(FileFormatError, match="rng"):
        layer.set_state({"rng": {"bit_generator": "RandomState", "state": {}}})
