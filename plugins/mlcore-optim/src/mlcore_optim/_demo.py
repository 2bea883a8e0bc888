"""``mlcore demo`` part of mlcore-optim: every optimizer on an ill-conditioned quadratic."""

from __future__ import annotations

import time

import numpy as np

SPECS = [
    "sgd(lr=0.009, momentum=0.9, nesterov=True)",
    "adagrad(lr=0.5)",
    "rmsprop(lr=0.01, momentum=0.9, centered=True, scheduler=exponential(stage_length=100, decay=0.5))",
    "adam(lr=0.1, scheduler=cosine(T_max=500))",
    "adamw(lr=0.1, weight_decay=1e-4, scheduler=king(patience=50, decay=0.3))",
]


def quadratic(dim: int = 20, condition: float = 100.0, seed: int = 0):
    """f(x) = 1/2 (x - x*)' A (x - x*) with eigenvalues from 1 to ``condition``."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    a = (q * np.geomspace(1.0, condition, dim)) @ q.T
    x_star = rng.standard_normal(dim)
    return a, x_star, lambda x: 0.5 * (x - x_star) @ a @ (x - x_star)


def run(steps: int = 500) -> None:
    import mlcore

    a, x_star, f = quadratic()
    x0 = np.zeros_like(x_star)
    print(f"minimising a 20-d quadratic (condition number 100) for {steps} steps from f(x0) = {f(x0):.3g}")
    for spec in SPECS:
        opt, params = mlcore.build(spec), {"x": x0.copy()}
        t0 = time.perf_counter()
        for _ in range(steps):
            x = params["x"]
            opt.step(params, {"x": a @ (x - x_star)}, cur_loss=f(x))
        ms = (time.perf_counter() - t0) * 1e3
        last_lr = opt.lr * (1.0 if opt.scheduler is None else opt.scheduler.learning_rate(steps - 1, f(x)))  # recorded
        print(f"  f = {f(params['x']):8.2e}  last lr {last_lr:.1e}  {ms:4.0f} ms  {spec}")
    sched = mlcore.build("noam(model_dim=512, warmup_steps=4000)")
    peak = sched.learning_rate(3999)
    print(f"  noam(model_dim=512, warmup_steps=4000) scaling lr=1.0: lr(0) = {sched.learning_rate(0):.2e}, "
          f"peak lr(3999) = {peak:.2e}, lr(40000) = {sched.learning_rate(40000):.2e}")


if __name__ == "__main__":
    run()
