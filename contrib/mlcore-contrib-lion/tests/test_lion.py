"""Lion against its update rule written out by hand, and on a quadratic."""

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.testing import check_component


def _reference(p, grads, lr, b1, b2, wd):
    """Algorithm 2 of Chen et al. (2023), one step at a time, written independently."""
    p, m = p.copy(), np.zeros_like(p)
    for g in grads:
        update = np.sign(b1 * m + (1 - b1) * g)
        p = p - lr * (update + wd * p)
        m = b2 * m + (1 - b2) * g
    return p


def test_matches_the_paper_over_many_steps():
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=(5, 4))
    grads = [rng.normal(size=(5, 4)) for _ in range(30)]
    opt = mlcore.build("lion(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1)")
    p = {"w": p0.copy()}
    for g in grads:
        opt.step(p, {"w": g})
    np.testing.assert_allclose(p["w"], _reference(p0, grads, 0.01, 0.8, 0.95, 0.1), rtol=1e-12, atol=1e-14)
    assert opt.n_steps_ == 30


def test_minimises_a_quadratic_and_keeps_dtype():
    target = np.array([3.0, -2.0, 0.5], dtype=np.float32)
    p = {"w": np.zeros(3, dtype=np.float32)}
    opt = mlcore.build("lion(lr=0.01)")
    for _ in range(600):
        opt.step(p, {"w": 2 * (p["w"] - target)})
    assert p["w"].dtype == np.float32
    np.testing.assert_allclose(p["w"], target, atol=0.02)


def test_schedule_and_spec_round_trip():
    opt = mlcore.build("lion(lr=0.5, scheduler=constant(factor=0.25))")
    p = {"w": np.zeros(2)}
    opt.step(p, {"w": np.array([1.0, -1.0])})
    np.testing.assert_array_equal(p["w"], [-0.125, 0.125])   # the schedule scales lr: 0.5 * 0.25
    assert mlcore.to_spec(opt) == "lion(lr=0.5, scheduler=constant(factor=0.25))"


def test_bad_hyperparameters():
    with pytest.raises(ComponentArgumentError, match="lr"):
        mlcore.build("lion(lr=-1)")
    with pytest.raises(ComponentArgumentError, match="betas"):
        mlcore.build("lion(betas=(0.9,))")
    with pytest.raises(ComponentArgumentError, match=r"betas\[1\]"):
        mlcore.build("lion(betas=(0.9, 1.5))")


def test_conforms(tmp_path):
    check_component("lion(lr=0.01, weight_decay=0.01)", tmp_path=tmp_path)
