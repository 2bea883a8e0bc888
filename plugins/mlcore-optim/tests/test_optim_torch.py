"""Step-for-step agreement with torch.optim (make test-torch): 100 steps on random
gradients, float64, rtol 1e-6 at every step; cosine vs CosineAnnealingLR."""

from __future__ import annotations

import numpy as np
import pytest

import mlcore

pytestmark = pytest.mark.torch

CASES = [  # (mlcore spec, torch class name, torch kwargs)
    ("sgd(lr=0.05)", "SGD", {"lr": 0.05}),
    ("sgd(lr=0.05, momentum=0.9)", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd(lr=0.05, momentum=0.9, nesterov=True)", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd(lr=0.05, momentum=0.8, weight_decay=0.01)", "SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.01}),
    ("adagrad(lr=0.1)", "Adagrad", {"lr": 0.1}),
    ("adagrad(lr=0.1, eps=1e-6, weight_decay=0.01)", "Adagrad", {"lr": 0.1, "eps": 1e-6, "weight_decay": 0.01}),
    ("rmsprop(lr=0.01)", "RMSprop", {"lr": 0.01}),
    ("rmsprop(lr=0.01, alpha=0.9, momentum=0.9)", "RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9}),
    ("rmsprop(lr=0.01, centered=True, weight_decay=0.01)", "RMSprop",
     {"lr": 0.01, "centered": True, "weight_decay": 0.01}),
    ("adam(lr=0.01)", "Adam", {"lr": 0.01}),
    ("adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.01)", "Adam",
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
    ("adamw(lr=0.01)", "AdamW", {"lr": 0.01}),
    ("adamw(lr=0.01, weight_decay=0.1)", "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("spec, name, kwargs", CASES, ids=[c[0] for c in CASES])
def test_matches_torch_optim_for_100_steps(spec, name, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shapes = {"W": (5, 4), "b": (4,)}
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    tparams = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    topt = getattr(torch.optim, name)(list(tparams.values()), foreach=False, **kwargs)
    opt = mlcore.build(spec)
    for _ in range(100):
        grads = {k: rng.standard_normal(s) for k, s in shapes.items()}
        for k, t in tparams.items():
            t.grad = torch.tensor(grads[k])
        topt.step()
        opt.step(params, grads)
        for k in shapes:
            np.testing.assert_allclose(params[k], tparams[k].detach().numpy(), rtol=1e-6, atol=1e-12)
    if name.startswith("Adam"):  # the stored discounted sums give torch's moment averages
        for k, t in tparams.items():
            for buf, value in opt.moments(k).items():
                np.testing.assert_allclose(value, topt.state[t][buf].numpy(), rtol=1e-10, atol=1e-14)


def test_sgd_with_scheduler_matches_torch_exponential_lr():
    """lr applied at update time (v <- mu v + g, p <- p - lr_t v), as torch with ExponentialLR."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    p = rng.standard_normal(6)
    tp = torch.tensor(p.copy(), requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1, momentum=0.9, foreach=False)
    tsched = torch.optim.lr_scheduler.ExponentialLR(topt, gamma=0.97)
    opt = mlcore.build("sgd(lr=0.1, momentum=0.9, scheduler=exponential(stage_length=1, decay=0.97))")
    params = {"p": p}
    for _ in range(100):
        g = rng.standard_normal(6)
        tp.grad = torch.tensor(g)
        topt.step()
        tsched.step()
        opt.step(params, {"p": g})
        np.testing.assert_allclose(params["p"], tp.detach().numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("T_max, eta_min", [(100, 0.0), (37, 0.002)])
def test_cosine_matches_torch_cosine_annealing_lr(T_max, eta_min):
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min)
    ours = mlcore.build(f"cosine(T_max={T_max}, min_factor={eta_min / 0.1})")   # eta_min = lr * min_factor
    for step in range(3 * T_max):   # past T_max too: both continue the cosine
        assert 0.1 * ours.learning_rate(step) == pytest.approx(sched.get_last_lr()[0], rel=1e-6, abs=1e-12)
        opt.step()
        sched.step()
