"""Schedulers against their closed forms (written out here), and king against hand-worked
loss sequences and an independent re-statement of dlib's recursive-least-squares test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from mlcore_optim.king import probability_decreasing

import mlcore
from mlcore.errors import ComponentArgumentError

STEPS = np.arange(0, 5001, 7)


def lrs(spec, steps=STEPS):
    s = mlcore.build(spec, kind="scheduler")
    return np.array([s.learning_rate(int(t)) for t in steps])


# ---------------------------------------------------------------- closed forms, rtol 1e-13

def test_constant():
    np.testing.assert_array_equal(lrs("constant(factor=0.3)"), 0.3)
    np.testing.assert_array_equal(lrs("constant"), 1.0)


def test_exponential_smooth_and_staircase():
    np.testing.assert_allclose(lrs("exponential(stage_length=100, decay=0.5)"),
                               0.5 ** (STEPS / 100), rtol=1e-13)
    np.testing.assert_allclose(lrs("exponential(stage_length=100, staircase=True, decay=0.5)"),
                               0.5 ** np.floor(STEPS / 100), rtol=1e-13)


def test_noam_is_the_transformer_formula_with_one_based_step_num():
    n = STEPS + 1.0   # Vaswani et al. count steps from 1; step 0 is defined (no ZeroDivisionError)
    expected = 2.0 * 256 ** -0.5 * np.minimum(n ** -0.5, n * 400 ** -1.5)
    np.testing.assert_allclose(lrs("noam(model_dim=256, scale_factor=2.0, warmup_steps=400)"), expected, rtol=1e-13)
    peak = lrs("noam(model_dim=256, scale_factor=2.0, warmup_steps=400)", np.arange(1000)).argmax()
    assert peak == 399


def test_cosine_closed_form_and_warmup():
    t = STEPS
    np.testing.assert_allclose(lrs("cosine(T_max=1000, min_factor=0.01)"),
                               0.01 + 0.99 * (1 + np.cos(np.pi * t / 1000)) / 2, rtol=1e-13)
    w = lrs("cosine(T_max=1000, warmup_steps=50)", np.arange(0, 2000))
    np.testing.assert_allclose(w[:50], np.arange(1, 51) / 50, rtol=1e-13)
    np.testing.assert_allclose(w[50:], 0.5 * (1 + np.cos(np.pi * np.arange(1950) / 1000)), rtol=1e-13, atol=1e-17)


@pytest.mark.parametrize("spec", ["constant", "exponential", "noam", "cosine"])
def test_negative_or_non_integer_step_is_rejected(spec):
    s = mlcore.build(spec, kind="scheduler")
    with pytest.raises(ValueError):
        s.learning_rate(-1)
    with pytest.raises(TypeError):
        s.learning_rate(1.5)


@pytest.mark.parametrize("spec, word", [
    ("constant(factor=-1)", "factor"),
    ("exponential(decay=0.0)", "decay"),
    ("exponential(decay=1.5)", "decay"),
    ("exponential(stage_length=0)", "stage_length"),
    ("exponential(stage_length=2.5)", "stage_length"),
    ("noam(warmup_steps=0)", "warmup_steps"),
    ("noam(scale_factor=0)", "scale_factor"),
    ("cosine(T_max=0)", "T_max"),
    ("cosine(min_factor=-0.1)", "min_factor"),
    ("cosine(min_factor=1.5)", "min_factor"),
    ("exponential(initial_lr=0.1)", "initial_lr"),   # the schedule scales the optimizer's lr: no base rate here
    ("king(patience=2)", "patience"),
    ("king(decay=1.01)", "decay"),
])
def test_bad_hyperparameters(spec, word):
    with pytest.raises(ComponentArgumentError, match=word):
        mlcore.build(spec, kind="scheduler")


# ---------------------------------------------------------------- king

def phi(z):
    return 0.5 * math.erfc(-z / math.sqrt(2))


def test_probability_decreasing_hand_worked():
    # y = 4, 2, 3, 1 at x = 0..3: Sxx = 5, Sxy = -4 -> slope -0.8; fitted 3.7, 2.9, 2.1, 1.3;
    # RSS = 0.09 + 0.81 + 0.81 + 0.09 = 1.8; se^2 = 1.8/2 * 12/(64 - 4) = 0.18
    assert probability_decreasing([4, 2, 3, 1]) == pytest.approx(phi(0.8 / math.sqrt(0.18)), rel=1e-12)
    assert probability_decreasing([1, 3, 2, 4]) == pytest.approx(phi(-0.8 / math.sqrt(0.18)), rel=1e-12)
    assert probability_decreasing([3, 2, 1]) == 1.0 and probability_decreasing([1, 1, 1]) == 0.5


def dlib_probability_decreasing(losses):
    """dlib's running_gradient (recursive least squares from R = 1e6 I) fed the losses in
    reverse, then P(reversed slope > 0): the test dlib's count_steps_without_decrease makes."""
    R, w, rss = np.eye(2) * 1e6, np.zeros(2), 0.0
    for n, y in enumerate(losses[::-1]):
        x = np.array([n, 1.0])
        denom = 1 + x @ R @ x
        Rx = R @ x
        R = R - np.outer(Rx, Rx) / denom
        R = 0.5 * (R + R.T)
        w = w + R @ x * (y - x @ w)
        rss += (y - x @ w) ** 2 * denom
    n = len(losses)
    se = math.sqrt(rss / (n - 2) * 12 / (n ** 3 - n))
    return 1 - phi((0 - w[0]) / se)


@pytest.mark.parametrize("seed", range(5))
def test_probability_decreasing_matches_dlib_recursive_least_squares(seed):
    rng = np.random.default_rng(seed)
    losses = 2.0 - 0.002 * np.arange(200) + 0.3 * rng.standard_normal(200)
    assert probability_decreasing(losses) == pytest.approx(dlib_probability_decreasing(losses), abs=1e-5)


def king_rates(losses, **kw):
    s = mlcore.build("king", kind="scheduler", **kw)
    return [s.learning_rate(t, loss) for t, loss in enumerate(losses)], s


def test_king_decreasing_window_does_not_decay():
    rates, s = king_rates([4, 2, 3, 1, 0.5, 0.4], patience=4, decay=0.5)
    assert rates == [1.0] * 6   # P(decreasing) = Phi(1.886) = 0.970 >= 0.51, and later windows fall too
    np.testing.assert_array_equal(s.history_, [3, 1, 0.5, 0.4])   # last `patience` losses


def test_king_rising_window_decays_then_needs_a_fresh_window():
    # [1, 3, 2, 4]: P = Phi(-1.886) = 0.030 < 0.51; the 90 % quantile (rank round(2.7) = 3) is the max,
    # so the robust check keeps all four and agrees -> decay at step 3, history cleared (patience <= 400).
    # Steps 4-6 have fewer than 4 losses; [5, 7, 6, 8] decays again at step 7.
    rates, s = king_rates([1, 3, 2, 4, 5, 7, 6, 8], patience=4, decay=0.5)
    np.testing.assert_allclose(rates, [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25], rtol=1e-15)
    assert s.history_.size == 0


def test_king_robust_check_ignores_a_single_spike():
    losses = [10, 9, 8, 7, 6, 5, 4, 3, 2, 100]
    assert probability_decreasing(losses) < 0.51    # the spike alone makes the raw fit non-decreasing
    # robust: rank round(9 * 0.9) = 8 -> threshold 10, drops the 100; the rest fall exactly -> P = 1
    rates, _ = king_rates(losses, patience=10, decay=0.5)
    assert rates == [1.0] * 10


def test_king_repeated_step_is_idempotent_and_needs_the_loss():
    s = mlcore.build("king(patience=3)", kind="scheduler")
    assert s.learning_rate(0, 1.0) == s.learning_rate(0, 5.0) == 1.0
    assert s.history_.tolist() == [1.0]
    with pytest.raises(ValueError, match="cur_loss"):
        s.learning_rate(1)
    with pytest.raises(ValueError, match="cur_loss"):
        s.learning_rate(1, float("nan"))


def test_king_save_load_continues_identically(tmp_path):
    rng = np.random.default_rng(3)
    losses = 1 + 0.1 * rng.standard_normal(120)
    ref, _ = king_rates(losses, patience=10, decay=0.5)
    s = mlcore.build("king(patience=10, decay=0.5)")
    first = [s.learning_rate(t, losses[t]) for t in range(55)]
    mlcore.save(s, tmp_path / "king.npz")
    s = mlcore.load(tmp_path / "king.npz")
    rest = [s.learning_rate(t, losses[t]) for t in range(55, 120)]
    assert first + rest == ref
    assert min(ref) < 0.5 ** 2   # several decays happened on this flat, noisy loss
