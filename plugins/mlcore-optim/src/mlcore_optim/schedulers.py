"""Closed-form learning-rate schedules: constant, exponential, noam, cosine.

Each ``learning_rate(step, cur_loss=None)`` is a pure function of the 0-based
optimisation step (``cur_loss`` is accepted and ignored); these schedulers have no
learned state. The loss-driven ``king`` schedule lives in :mod:`mlcore_optim.king`.
"""

from __future__ import annotations

import math
import numbers

from mlcore.interfaces import Scheduler
from mlcore.validation import check_scalar

__all__ = ["ConstantScheduler", "CosineScheduler", "ExponentialScheduler", "NoamScheduler", "check_step"]


def check_step(step) -> int:
    """A 0-based step: an integer >= 0 (ValueError/TypeError otherwise)."""
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"step must be an int (0-based optimisation step), got {type(step).__name__}")
    if step < 0:
        raise ValueError(f"step must be >= 0 (0-based), got {step}")
    return int(step)


class ConstantScheduler(Scheduler):
    """The same learning rate at every step: ``lr(t) = lr``.

    Parameters
    ----------
    lr : float, default 0.01
        The learning rate (>= 0).

    Examples
    --------
    >>> ConstantScheduler(0.1).learning_rate(1000)
    0.1
    """

    def __init__(self, lr=0.01):
        self.lr = lr
        check_scalar(lr, "lr", low=0)

    def learning_rate(self, step, cur_loss=None):
        check_step(step)
        return float(self.lr)


class ExponentialScheduler(Scheduler):
    """Exponential decay: ``lr(t) = initial_lr * decay ** (t / stage_length)``.

    Parameters
    ----------
    initial_lr : float, default 0.01
        Learning rate at step 0 (>= 0).
    stage_length : int, default 500
        Steps per decay stage (>= 1).
    staircase : bool, default False
        Decay in whole stages: the exponent is ``floor(t / stage_length)``.
    decay : float, default 0.1
        Factor applied per stage, in (0, 1].

    Notes
    -----
    .. math:: \\mathrm{lr}(t) = \\mathrm{lr}_0 \\, d^{\\,t/L}
              \\quad\\text{or}\\quad \\mathrm{lr}_0 \\, d^{\\lfloor t/L \\rfloor}

    ``staircase=True`` equals ``torch.optim.lr_scheduler.StepLR(step_size=L, gamma=d)``.

    Examples
    --------
    >>> s = ExponentialScheduler(initial_lr=0.1, decay=0.5, stage_length=100)
    >>> s.learning_rate(0), s.learning_rate(200)
    (0.1, 0.025)
    """

    def __init__(self, initial_lr=0.01, stage_length=500, staircase=False, decay=0.1):
        self.initial_lr = initial_lr
        self.stage_length = stage_length
        self.staircase = staircase
        self.decay = decay
        check_scalar(initial_lr, "initial_lr", low=0)
        check_scalar(stage_length, "stage_length", numbers.Integral, low=1)
        check_scalar(staircase, "staircase", bool)
        check_scalar(decay, "decay", low=0, high=1, low_inclusive=False)

    def learning_rate(self, step, cur_loss=None):
        step = check_step(step)
        stage = step // self.stage_length if self.staircase else step / self.stage_length
        return float(self.initial_lr * self.decay ** stage)


class NoamScheduler(Scheduler):
    """The Transformer's warm-up then inverse-square-root schedule.

    Parameters
    ----------
    model_dim : int, default 512
        Model width d (>= 1).
    scale_factor : float, default 1.0
        Overall scale s (> 0).
    warmup_steps : int, default 4000
        Linear warm-up length w (>= 1).

    Notes
    -----
    With the 0-based step t and n = t + 1 (the paper counts from 1, so step 0 is
    defined; numpy-ml divided by zero there):

    .. math:: \\mathrm{lr}(t) = s\\, d^{-1/2} \\min(n^{-1/2},\\; n\\, w^{-3/2})

    It peaks at t = w - 1 with ``s / sqrt(d * w)``.

    References
    ----------
    Vaswani et al. (2017). Attention is all you need. NeurIPS, section 5.3.

    Examples
    --------
    >>> s = NoamScheduler(model_dim=512, warmup_steps=4000)
    >>> f"{s.learning_rate(0):.4e} {s.learning_rate(3999):.4e}"
    '1.7469e-07 6.9877e-04'
    """

    def __init__(self, model_dim=512, scale_factor=1.0, warmup_steps=4000):
        self.model_dim = model_dim
        self.scale_factor = scale_factor
        self.warmup_steps = warmup_steps
        check_scalar(model_dim, "model_dim", numbers.Integral, low=1)
        check_scalar(scale_factor, "scale_factor", low=0, low_inclusive=False)
        check_scalar(warmup_steps, "warmup_steps", numbers.Integral, low=1)

    def learning_rate(self, step, cur_loss=None):
        n = check_step(step) + 1
        return float(self.scale_factor / math.sqrt(self.model_dim) * min(n ** -0.5, n * self.warmup_steps ** -1.5))


class CosineScheduler(Scheduler):
    """Cosine annealing (``torch.optim.lr_scheduler.CosineAnnealingLR``) with optional warm-up.

    Parameters
    ----------
    initial_lr : float, default 0.01
        Learning rate at the start of the cosine phase (>= 0).
    T_max : int, default 1000
        Half-period of the cosine, in steps (>= 1).
    eta_min : float, default 0.0
        Learning rate at the bottom of the cosine (>= 0).
    warmup_steps : int, default 0
        Linear warm-up steps before the cosine phase (>= 0).

    Notes
    -----
    For the 0-based step t and warm-up length W:

    .. math::

        \\mathrm{lr}(t) = \\mathrm{lr}_0 \\frac{t + 1}{W} \\quad (t < W), \\qquad
        \\mathrm{lr}(t) = \\eta_{min} + \\frac{\\mathrm{lr}_0 - \\eta_{min}}{2}
        \\Big(1 + \\cos\\frac{\\pi (t - W)}{T_{max}}\\Big) \\quad (t \\ge W)

    With ``warmup_steps=0`` this is torch's closed form at ``last_epoch = t``. Like
    torch, the cosine is not clamped after ``T_max`` steps: it rises again with period
    ``2 * T_max``, so set ``T_max`` to the length of training.

    References
    ----------
    Loshchilov and Hutter (2017). SGDR: stochastic gradient descent with warm
    restarts. ICLR.

    Examples
    --------
    >>> s = CosineScheduler(initial_lr=0.1, T_max=100)
    >>> s.learning_rate(0), round(s.learning_rate(50), 12), s.learning_rate(100)
    (0.1, 0.05, 0.0)
    """

    def __init__(self, initial_lr=0.01, T_max=1000, eta_min=0.0, warmup_steps=0):
        self.initial_lr = initial_lr
        self.T_max = T_max
        self.eta_min = eta_min
        self.warmup_steps = warmup_steps
        check_scalar(initial_lr, "initial_lr", low=0)
        check_scalar(T_max, "T_max", numbers.Integral, low=1)
        check_scalar(eta_min, "eta_min", low=0)
        check_scalar(warmup_steps, "warmup_steps", numbers.Integral, low=0)

    def learning_rate(self, step, cur_loss=None):
        step = check_step(step)
        if step < self.warmup_steps:
            return float(self.initial_lr * (step + 1) / self.warmup_steps)
        t = step - self.warmup_steps
        return float(self.eta_min + (self.initial_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2)
