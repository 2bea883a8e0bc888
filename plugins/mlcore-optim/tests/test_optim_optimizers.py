"""Optimizers: hand-computed closed forms, convergence, dtype, state, save/load.

References: the update formulas of each optimizer's paper / torch documentation,
evaluated by hand (numbers written out) or by an independent textbook loop; tolerances
are stated per test. The torch step-for-step oracle is in test_optim_torch.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError, FileFormatError

SPECS = [
    "sgd(lr=0.05, momentum=0.9)",
    "sgd(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3, clip_norm=5.0)",
    "adagrad(lr=0.5)",
    "rmsprop(lr=0.01, alpha=0.9, momentum=0.5, centered=True)",
    "adam(lr=0.1, scheduler=exponential(decay=0.5, stage_length=200))",
    "adamw(lr=0.1, weight_decay=0.01, scheduler=cosine(T_max=1500, warmup_steps=10))",
    "sgd(lr=0.02, scheduler=king(patience=20, decay=0.5))",
]


def one_step(spec, p0, *grads, dtype=np.float64):
    opt = mlcore.build(spec)
    params = {"w": np.array(p0, dtype=dtype)}
    for g in grads:
        opt.step(params, {"w": np.array(g, dtype=dtype)})
    return params["w"]


# ---------------------------------------------------------------- closed forms (hand-computed, rtol 1e-12)

@pytest.mark.parametrize("spec, grads, expected", [
    # v1 = 2, p1 = 1 - 0.1*2 = 0.8; v2 = 0.9*2 + 1 = 2.8, p2 = 0.8 - 0.28 = 0.52
    ("sgd(lr=0.1, momentum=0.9)", [2.0, 1.0], 0.52),
    # Nesterov: d1 = 2 + 0.9*2 = 3.8 -> 0.62; v2 = 2.8, d2 = 1 + 0.9*2.8 = 3.52 -> 0.268
    ("sgd(lr=0.1, momentum=0.9, nesterov=True)", [2.0, 1.0], 0.268),
    # L2: g = 2 + 0.5*1 = 2.5 -> 1 - 0.25
    ("sgd(lr=0.1, weight_decay=0.5)", [2.0], 0.75),
    # G = 4 -> 1 - 0.5*2/2 = 0.5; G = 5 -> 0.5 - 0.5/sqrt(5)
    ("adagrad(lr=0.5, eps=0.0)", [2.0, 1.0], 0.5 - 0.5 / math.sqrt(5)),
    # E = 0.1*4 = 0.4 -> 1 - 0.01*2/sqrt(0.4)
    ("rmsprop(lr=0.01, alpha=0.9, eps=0.0)", [2.0], 1 - 0.02 / math.sqrt(0.4)),
    # E = 0.4, gbar = 0.2 -> denominator sqrt(0.4 - 0.04)
    ("rmsprop(lr=0.01, alpha=0.9, eps=0.0, centered=True)", [2.0], 1 - 0.02 / math.sqrt(0.36)),
    # first Adam step: m_hat = g, v_hat = g^2 -> p - lr * g/(|g| + eps)
    ("adam(lr=0.1, eps=0.0)", [2.0], 0.9),
    # AdamW: p * (1 - 0.1*0.5) = 0.95, then the Adam step -0.1
    ("adamw(lr=0.1, eps=0.0, weight_decay=0.5)", [2.0], 0.85),
    # clip: |g| = 3 > 1.5 -> g = 1.5 -> 1 - 0.1*1.5
    ("sgd(lr=0.1, clip_norm=1.5)", [-3.0], 1.15),
])
def test_closed_form_steps(spec, grads, expected):
    np.testing.assert_allclose(one_step(spec, [1.0], *([g] for g in grads)), [expected], rtol=1e-12)


def test_adam_two_steps_matches_paper_algorithm():
    """Kingma & Ba (2015) Algorithm 1 written out, eps outside the root; rtol 1e-12."""
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    g = [np.array([2.0, -0.3, 0.0]), np.array([1.0, 0.7, -5.0])]
    p, m, v = np.array([1.0, -2.0, 0.5]), 0.0, 0.0
    for t, gt in enumerate(g, 1):
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt ** 2
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    np.testing.assert_allclose(one_step("adam(lr=0.1)", [1.0, -2.0, 0.5], *g), p, rtol=1e-12)


def test_adam_state_holds_torchs_averages_and_rejects_other_buffers():
    """``state_`` (what mlcore.save writes) holds torch's ``exp_avg``/``exp_avg_sq``: the
    paper's m and v, written out as in Algorithm 1; a state with other buffer names (the
    discounted sums of an unreleased development layout) is refused on load, not silently
    restarted from zero moments."""
    b1, b2 = 0.8, 0.99
    rng = np.random.default_rng(3)
    g = [rng.standard_normal(4) for _ in range(5)]
    m = v = 0.0
    for gt in g:
        m = b1 * m + (1 - b1) * gt
        v = b2 * v + (1 - b2) * gt ** 2
    opt = mlcore.build(f"adam(lr=0.05, beta1={b1}, beta2={b2})")
    params = {"w": np.ones(4)}
    for gt in g:
        opt.step(params, {"w": gt})
    state = opt.get_state()["state_"]["w"]
    assert sorted(state) == ["exp_avg", "exp_avg_sq", "step"] and state["step"] == 5
    np.testing.assert_allclose(state["exp_avg"], m, rtol=1e-12)
    np.testing.assert_allclose(state["exp_avg_sq"], v, rtol=1e-12)
    np.testing.assert_allclose(opt.moments("w")["exp_avg"], m, rtol=1e-12)

    sums = opt.get_state()
    sums["state_"] = {"w": {"exp_sum": m / (1 - b1), "exp_sum_sq": v / (1 - b2), "step": 5}}
    with pytest.raises(FileFormatError, match="exp_sum"):
        mlcore.build("adam").set_state(sums)


def test_clip_norm_is_per_tensor():
    opt = mlcore.build("sgd(lr=1.0, clip_norm=1.0)")
    params = {"a": np.zeros(2), "b": np.zeros(2)}
    opt.step(params, {"a": np.array([3.0, 4.0]), "b": np.array([0.3, 0.4])})
    np.testing.assert_allclose(params["a"], [-0.6, -0.8], rtol=1e-15)   # norm 5 -> 1
    np.testing.assert_allclose(params["b"], [-0.3, -0.4], rtol=1e-15)   # norm 0.5 untouched


def test_scheduler_scales_the_optimizers_own_lr():
    # the PyTorch/Optax rule: lr_t = lr * 0.5**t = 0.2, 0.1, 0.05: p = 1 - 0.35 * g
    out = one_step("sgd(lr=0.2, scheduler=exponential(decay=0.5, stage_length=1))", [1.0], *[[1.0]] * 3)
    np.testing.assert_allclose(out, [1 - 0.35], rtol=1e-14)


@pytest.mark.parametrize("sched", ["constant(factor=0.5)", "exponential(decay=0.5, stage_length=3)",
                                   "noam(model_dim=16, warmup_steps=4)", "cosine(T_max=7, min_factor=0.1, warmup_steps=2)",
                                   "king(patience=3, decay=0.5)"])
@pytest.mark.parametrize("opt", ["sgd", "adagrad", "rmsprop", "adam", "adamw"])
def test_every_schedule_is_a_factor_of_every_optimizers_lr(opt, sched):
    """torch's LambdaLR: step t uses base_lr * lambda(t). With plain SGD the displacement of
    step t is lr * f(t) * g exactly; for every optimizer, a run with lr=c and the schedule
    equals, step by step, the closed form with the per-step rate c * f(t) fed to a twin
    whose schedule is the constant factor f(t)."""
    losses = [3.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]   # rising: king decays
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((len(losses), 3))
    factors = []
    s = mlcore.build(sched, kind="scheduler")
    for t, loss in enumerate(losses):
        factors.append(s.learning_rate(t, loss))
    assert set(factors) != {1.0}          # the schedule does change the rate here
    a = mlcore.build(f"{opt}(lr=0.3, scheduler={sched})")
    pa = {"w": np.ones(3)}
    for t, (g, loss) in enumerate(zip(grads, losses)):
        before = pa["w"].copy()
        a.step(pa, {"w": g}, cur_loss=loss)
        if opt == "sgd":
            np.testing.assert_allclose(before - pa["w"], 0.3 * factors[t] * g, rtol=1e-13)
    b = mlcore.build(f"{opt}(lr=0.3)")
    pb = {"w": np.ones(3)}
    for t, g in enumerate(grads):   # the same rates by hand: the base lr changed before each step
        b.lr = 0.3 * factors[t]
        b.step(pb, {"w": g})
    np.testing.assert_allclose(pa["w"], pb["w"], rtol=1e-13)


# ---------------------------------------------------------------- convergence on a quadratic

@pytest.mark.parametrize("spec", SPECS)
def test_convergence_on_ill_conditioned_quadratic(spec):
    """f(x) = 1/2 (x - x*)' A (x - x*), A = diag(1, 10): every optimizer reduces f by 1e4 in 1500 steps."""
    a, target = np.array([1.0, 10.0]), np.array([1.0, -2.0])
    opt, params = mlcore.build(spec), {"x": np.array([5.0, 5.0])}
    f = lambda x: 0.5 * np.sum(a * (x - target) ** 2)
    f0 = f(params["x"])
    for _ in range(1500):
        x = params["x"]
        opt.step(params, {"x": a * (x - target)}, cur_loss=f(x))
    assert f(params["x"]) < 1e-4 * f0


# ---------------------------------------------------------------- arrays: dtype, in place, inputs untouched

@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("n", [7, 100_003])   # one block / many cache blocks
def test_float32_in_place_and_grads_untouched(spec, n):
    rng = np.random.default_rng(0)
    w = rng.standard_normal(n).astype(np.float32)
    params, g = {"w": w}, rng.standard_normal(n).astype(np.float32)
    g_copy = g.copy()
    opt = mlcore.build(spec)
    for _ in range(3):
        opt.step(params, {"w": g}, cur_loss=1.0)
    assert params["w"] is w and w.dtype == np.float32
    assert all(b.dtype == np.float32 for b in opt.state_["w"].values() if isinstance(b, np.ndarray))
    np.testing.assert_array_equal(g, g_copy)
    assert opt.n_steps_ == 3


@pytest.mark.parametrize("spec", SPECS[:6])
def test_blocked_and_whole_array_paths_agree_bitwise(spec):
    """A C-contiguous array is updated block by block, a Fortran-ordered one in one go."""
    rng = np.random.default_rng(1)
    w = rng.standard_normal((300, 500))
    grads = [rng.standard_normal((300, 500)) for _ in range(4)]
    pc, pf = {"w": w.copy()}, {"w": np.asfortranarray(w)}
    oc, of = mlcore.build(spec), mlcore.build(spec)
    for g in grads:
        oc.step(pc, {"w": g})
        of.step(pf, {"w": np.asfortranarray(g)})
    np.testing.assert_array_equal(pc["w"], pf["w"])


def test_float64_gradient_for_float32_parameter_keeps_float32():
    params = {"w": np.ones(3, dtype=np.float32)}
    mlcore.build("adam(lr=0.1)").step(params, {"w": np.full(3, 2.0)})
    assert params["w"].dtype == np.float32
    np.testing.assert_allclose(params["w"], 0.9, rtol=1e-6)


def test_parameters_without_gradient_are_left_alone_and_adam_counts_per_parameter():
    opt = mlcore.build("adam(lr=0.1, eps=0.0)")
    params = {"a": np.ones(2), "b": np.ones(2)}
    opt.step(params, {"a": np.ones(2)})
    np.testing.assert_array_equal(params["b"], 1.0)
    opt.step(params, {"a": np.ones(2), "b": np.ones(2)})
    assert opt.n_steps_ == 2 and opt.state_["a"]["step"] == 2 and opt.state_["b"]["step"] == 1
    np.testing.assert_allclose(params["b"], 0.9, rtol=1e-12)   # b's first step is bias-corrected as t=1


def test_reset_forgets_state():
    opt = mlcore.build("sgd(lr=0.1, momentum=0.9, scheduler=king(patience=3))")
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)}, cur_loss=1.0)
    opt.reset()
    assert opt.n_steps_ == 0 and opt.state_ == {} and opt.scheduler.history_.size == 0


@pytest.mark.parametrize("params, grads, error", [
    ({"w": np.ones(2)}, {"v": np.ones(2)}, KeyError),
    ({"w": np.ones(2)}, {"w": np.ones(3)}, ValueError),
    ({"w": [1.0, 2.0]}, {"w": np.ones(2)}, TypeError),
    ({"w": np.ones(2, dtype=int)}, {"w": np.ones(2)}, TypeError),
])
def test_bad_arrays_raise(params, grads, error):
    with pytest.raises(error):
        mlcore.build("sgd").step(params, grads)


def test_a_bad_array_leaves_everything_unchanged():
    opt = mlcore.build("sgd(lr=0.1, momentum=0.9)")
    params = {"a": np.ones(2), "b": np.ones(2)}
    with pytest.raises(ValueError):
        opt.step(params, {"a": np.ones(2), "b": np.ones(5)})
    np.testing.assert_array_equal(params["a"], 1.0)
    assert opt.n_steps_ == 0


def test_state_shape_mismatch_says_reset():
    opt = mlcore.build("adam")
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="reset"):
        opt.step({"w": np.ones(3)}, {"w": np.ones(3)})


# ---------------------------------------------------------------- hyperparameter validation

@pytest.mark.parametrize("spec, word", [
    ("sgd(lr=-0.1)", "lr"),
    ("sgd(momentum=1.0)", "momentum"),
    ("sgd(nesterov=True)", "nesterov"),
    ("sgd(nesterov=1)", "nesterov"),
    ("sgd(clip_norm=0)", "clip_norm"),
    ("adagrad(eps=-1e-8)", "eps"),
    ("rmsprop(alpha=1.5)", "alpha"),
    ("adam(beta1=1.0)", "beta1"),
    ("adam(beta2=-0.1)", "beta2"),
    ("adamw(weight_decay=-1)", "weight_decay"),
    ("adam(lr='fast')", "lr"),
])
def test_bad_hyperparameters_raise_component_argument_error(spec, word):
    with pytest.raises(ComponentArgumentError, match=word):
        mlcore.build(spec)


def test_unknown_argument_did_you_mean():
    with pytest.raises(ComponentArgumentError, match="did you mean 'momentum'"):
        mlcore.build("sgd(momentun=0.9)")


def test_scheduler_must_be_a_scheduler():
    from mlcore_optim import SGD

    with pytest.raises(ComponentArgumentError, match="scheduler"):
        SGD(scheduler="exponential(decay=0.5)")


# ---------------------------------------------------------------- specs and save/load

def test_spec_round_trip_with_nested_scheduler():
    spec = "sgd(lr=0.1, momentum=0.9, scheduler=exponential(decay=0.5, stage_length=100))"
    opt = mlcore.build(spec)
    assert type(opt.scheduler).__name__ == "ExponentialScheduler"
    text = mlcore.to_spec(opt)
    assert text == "sgd(lr=0.1, momentum=0.9, scheduler=exponential(stage_length=100, decay=0.5))"
    assert mlcore.to_spec(mlcore.build(text)) == text
    full = mlcore.to_spec(opt, full=True)
    assert mlcore.to_spec(mlcore.build(full), full=True) == full


@pytest.mark.parametrize("spec", SPECS)
def test_spec_round_trip_every_optimizer(spec):
    text = mlcore.to_spec(mlcore.build(spec))
    assert mlcore.to_spec(mlcore.build(text)) == text


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_load_mid_training_resumes_bit_identically(spec, dtype, tmp_path):
    rng = np.random.default_rng(2)
    p0 = {"W": rng.standard_normal((200, 300)).astype(dtype), "b": rng.standard_normal(7).astype(dtype)}
    grads = [{k: rng.standard_normal(v.shape).astype(dtype) for k, v in p0.items()} for _ in range(40)]
    losses = 1.0 + 0.1 * rng.standard_normal(40)   # flat noisy loss: king decays along the way

    def run(opt, params, steps):
        for t in steps:
            opt.step(params, grads[t], cur_loss=losses[t])

    ref = {k: v.copy() for k, v in p0.items()}
    run(mlcore.build(spec), ref, range(40))

    params = {k: v.copy() for k, v in p0.items()}
    opt = mlcore.build(spec)
    run(opt, params, range(25))
    mlcore.save(opt, tmp_path / "opt.npz")
    opt = mlcore.load(tmp_path / "opt.npz")
    run(opt, params, range(25, 40))
    for k, expected in ref.items():
        np.testing.assert_array_equal(params[k], expected)
    assert opt.n_steps_ == 40


def test_king_actually_decays_in_the_save_load_run():
    """Guards the previous test: the king schedule there must change the rate."""
    opt = mlcore.build(SPECS[-1])
    rng = np.random.default_rng(2)
    for loss in 1.0 + 0.1 * rng.standard_normal(40):
        opt.step({"w": np.ones(1)}, {"w": np.ones(1)}, cur_loss=loss)
    assert opt.scheduler.lr_ < 1.0   # a factor of lr=0.02 below 1: the rate decayed


def test_sgd_momentum_with_exponential_schedule_is_torch_exponential_lr_in_closed_form():
    """torch.optim.SGD(lr=0.1, momentum=0.9) + ExponentialLR(gamma=0.97): step t uses
    lr_t = 0.1 * 0.97**t on the velocity v_t = 0.9 v_{t-1} + g_t (written out, no torch)."""
    rng = np.random.default_rng(4)
    grads = rng.standard_normal((40, 5))
    opt = mlcore.build("sgd(lr=0.1, momentum=0.9, scheduler=exponential(stage_length=1, decay=0.97))")
    p = {"w": np.zeros(5)}
    ref, v = np.zeros(5), np.zeros(5)
    for t, g in enumerate(grads):
        opt.step(p, {"w": g})
        v = 0.9 * v + g
        ref = ref - 0.1 * 0.97 ** t * v
        np.testing.assert_allclose(p["w"], ref, rtol=1e-12, atol=1e-15)
