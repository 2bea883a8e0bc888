"""The blocked, in-place optimizers against the readable one-step references.

Oracle: :mod:`mlcore_optim._reference` (Kingma and Ba 2015 Algorithm 1, Loshchilov and
Hutter 2019, Tieleman and Hinton 2012 / Graves 2013), written from the papers and
independent of the fast path's blocking, discounted sums and scratch buffers. Several steps,
several shapes (one that spans several cache blocks with a partial last block, a
non-contiguous view, a 0-d parameter), parameters that skip steps (Adam's per-parameter
step count), clipping, coupled and decoupled weight decay, a schedule; float64, rtol 1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest
from mlcore_optim import _reference as ref
from mlcore_optim._base import BLOCK

import mlcore

SHAPES = {"big": (BLOCK // 100 + 7, 100), "small": (3, 4), "scalar": (), "view": None}

CASES = [
    ("adam(lr=0.01)", "adam", {}),
    ("adam(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-6, weight_decay=0.1, clip_norm=3.0)", "adam",
     {"beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1, "clip_norm": 3.0}),
    ("adam(lr=0.02, beta1=0.0, scheduler=exponential(decay=0.5, stage_length=2))", "adam", {"beta1": 0.0}),
    ("adamw(lr=0.01)", "adamw", {"weight_decay": 0.01}),
    ("adamw(lr=0.1, weight_decay=0.3, clip_norm=2.0, beta2=0.99)", "adamw",
     {"weight_decay": 0.3, "clip_norm": 2.0, "beta2": 0.99}),
    ("adamw(lr=0.1, weight_decay=0.05, scheduler=cosine(T_max=5, warmup_steps=2))", "adamw", {"weight_decay": 0.05}),
    ("rmsprop(lr=0.01)", "rmsprop", {}),
    ("rmsprop(lr=0.01, alpha=0.9, momentum=0.7)", "rmsprop", {"alpha": 0.9, "momentum": 0.7}),
    ("rmsprop(lr=0.02, alpha=0.8, eps=1e-4, centered=True, weight_decay=0.2, clip_norm=4.0)", "rmsprop",
     {"alpha": 0.8, "eps": 1e-4, "centered": True, "weight_decay": 0.2, "clip_norm": 4.0}),
    ("rmsprop(lr=0.01, momentum=0.5, centered=True, scheduler=exponential(decay=0.3, stage_length=3))",
     "rmsprop", {"momentum": 0.5, "centered": True}),
]


def _reference_step(family, p, g, state, lr, kw):
    if family == "rmsprop":
        return ref.rmsprop_step(p, g, state, lr, **kw)
    return ref.adam_step(p, g, state, lr, decoupled=family == "adamw", **kw)


def _params(rng):
    base = rng.normal(size=(6, 5))
    params = {name: rng.normal(size=shape) for name, shape in SHAPES.items() if shape is not None}
    params["view"] = base[::2, 1:4]          # non-contiguous, updated in place through the view
    return params, base


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("spec, family, kw", CASES, ids=[c[0] for c in CASES])
def test_fast_optimizer_equals_reference(spec, family, kw, seed):
    rng = np.random.default_rng(seed)
    params, base = _params(rng)
    expected = {k: v.copy() for k, v in params.items()}
    states = {k: {} for k in params}
    opt = mlcore.build(spec)
    for step in range(7):
        # gradients of several scales (clipping on and off); "small" skips steps 2 and 5
        grads = {k: rng.normal(scale=rng.choice([0.01, 1.0, 10.0]), size=np.shape(v)) for k, v in params.items()
                 if not (k == "small" and step in (2, 5))}
        lr = opt.current_lr()
        for k, g in grads.items():
            expected[k] = _reference_step(family, expected[k], g, states[k], lr, kw)
        before = {k: g.copy() for k, g in grads.items()}
        opt.step(params, grads)
        for k in params:
            np.testing.assert_allclose(params[k], expected[k], rtol=1e-10, atol=1e-13, err_msg=f"{spec}: {k}, step {step}")
        for k in grads:
            np.testing.assert_array_equal(grads[k], before[k])
    np.testing.assert_array_equal(base[::2, 1:4], params["view"])   # the view was updated in place


@pytest.mark.parametrize("family", ["adam", "adamw"])
def test_reference_adam_first_step_is_lr_times_sign(family):
    """Algorithm 1's well-known property, checked on the reference itself: with m_hat = g and
    v_hat = g^2 at t = 1, the first step is lr * sign(g) up to eps (no decay)."""
    g = np.array([3.0, -0.5, 1e-3])
    p = ref.adam_step(np.zeros(3), g, {}, 0.1, eps=0.0, weight_decay=0.0, decoupled=family == "adamw")
    np.testing.assert_allclose(p, -0.1 * np.sign(g), rtol=1e-15)


def test_reference_rmsprop_first_step_closed_form():
    """E_1 = (1 - alpha) g^2, so the first plain step is lr g / (sqrt(1 - alpha) |g| + eps)."""
    g = np.array([2.0, -0.25])
    p = ref.rmsprop_step(np.ones(2), g, {}, 0.01, alpha=0.99, eps=1e-8)
    np.testing.assert_allclose(p, 1 - 0.01 * g / (np.sqrt(0.01) * np.abs(g) + 1e-8), rtol=1e-15)
