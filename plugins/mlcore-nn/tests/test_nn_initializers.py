"""Initializers: bounds and standard deviations against their formulas (statistical
tolerances from the sample sizes), fans, gains, truncation, determinism."""

import math

import numpy as np
import pytest
from scipy import stats

import mlcore

SHAPE = (300, 200)   # 60,000 draws: the sample std is within ~0.6 % (1 sigma) of the truth
FAN_SUM = 500


def _init(text):
    return mlcore.build(text, kind="initializer")


def test_calc_fan_matches_pytorch_for_mlcore_layouts():
    from mlcore_nn.initializers import calc_fan

    assert calc_fan((64, 32)) == (64, 32)
    assert calc_fan((3, 3, 16, 32)) == (16 * 9, 32 * 9)     # torch: weight (32, 16, 3, 3)
    assert calc_fan((5, 4, 8)) == (20, 40)                  # conv1d (k, in, out)
    assert calc_fan((7,)) == (7, 7)


@pytest.mark.parametrize("text, gain", [("glorot_uniform", 1.0), ("glorot_uniform(gain=2.0)", 2.0)])
def test_glorot_uniform_bound_and_variance(text, gain):
    W = _init(text).init(SHAPE, random_state=0)
    b = gain * math.sqrt(6 / FAN_SUM)
    assert np.abs(W).max() <= b and np.abs(W).max() > 0.999 * b
    assert W.std() == pytest.approx(b / math.sqrt(3), rel=0.03)


@pytest.mark.parametrize("text, std", [
    ("glorot_normal", math.sqrt(2 / FAN_SUM)),
    ("he_normal", math.sqrt(2) / math.sqrt(300)),
    ("he_uniform", math.sqrt(2) * math.sqrt(3 / 300) / math.sqrt(3)),
    ("std_normal", 1.0),
])
def test_standard_deviations(text, std):
    W = _init(text).init(SHAPE, random_state=0)
    assert W.std() == pytest.approx(std, rel=0.03)
    assert abs(W.mean()) < 4 * std / math.sqrt(W.size)


def test_trunc_normal_truncates_at_two_sigma():
    """Reference: scipy.stats.truncnorm(-2, 2) for the std of the truncated law."""
    W = _init("trunc_normal(std=0.5, mean=1.0)").init(SHAPE, random_state=0)
    assert np.all(np.abs(W - 1.0) <= 1.0)
    assert W.std() == pytest.approx(0.5 * stats.truncnorm(-2, 2).std(), rel=0.03)
    W = _init("trunc_normal").init(SHAPE, random_state=1)      # glorot-normal scale
    assert np.all(np.abs(W) <= 2 * math.sqrt(2 / FAN_SUM))


def test_layer_passes_its_activation_gain():
    """dense(act_fn=leaky_relu(alpha=a)) uses gain sqrt(2 / (1 + a^2)) (numpy-ml: sqrt(2/1 + a^2))."""
    layer = mlcore.build("dense(n_out=200, act_fn=leaky_relu(alpha=0.5), random_state=0)")
    layer.initialize((300,))
    gain = math.sqrt(2 / (1 + 0.25))
    assert np.abs(layer.params["W"]).max() <= gain * math.sqrt(6 / FAN_SUM)
    assert layer.params["W"].std() == pytest.approx(gain * math.sqrt(2 / FAN_SUM), rel=0.03)
    assert np.all(layer.params["b"] == 0)


@pytest.mark.parametrize("text", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                                  "std_normal", "trunc_normal"])
def test_deterministic_and_dtype(text):
    a = _init(text).init((4, 6), random_state=3)
    b = _init(text).init((4, 6), random_state=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, _init(text).init((4, 6), random_state=4))
    assert _init(text).init((4, 6), random_state=3, dtype="float32").dtype == np.float32


def test_bad_gain_raises():
    from mlcore.errors import ComponentArgumentError

    with pytest.raises(ComponentArgumentError):
        _init("glorot_uniform(gain=-1.0)")
