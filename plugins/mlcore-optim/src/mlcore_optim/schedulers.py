"""Closed-form learning-rate schedules: constant, exponential, noam, cosine.

A schedule SCALES the optimizer's own ``lr``, as in PyTorch's ``LambdaLR`` and
Optax's ``scale_by_schedule``: ``learning_rate(step, cur_loss=None)`` returns the
factor ``f(t)`` and the optimizer steps with ``lr * f(t)``; no scheduler repeats the
base rate. Each factor here is a pure function of the 0-based optimisation step
(``cur_loss`` is accepted and ignored); these schedulers have no learned state. The
loss-driven ``king`` schedule lives in :mod:`mlcore_optim.king`.
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
    """The same factor of the optimizer's ``lr`` at every step: ``f(t) = factor``.

    Parameters
    ----------
    factor : float, default 1.0
        The multiplier of the optimizer's ``lr`` (>= 0).

    Examples
    --------
    >>> ConstantScheduler(0.5).learning_rate(1000)
    0.5
    """

    def __init__(self, factor=1.0):
        self.factor = factor
        check_scalar(factor, "factor", low=0)

    def learning_rate(self, step, cur_loss=None):
        check_step(step)
        return float(self.factor)


class ExponentialScheduler(Scheduler):
    """Exponential decay of the optimizer's ``lr``: ``f(t) = decay ** (t / stage_length)``.

    Parameters
    ----------
    stage_length : int, default 500
        Steps per decay stage (>= 1).
    staircase : bool, default False
        Decay in whole stages: the exponent is ``floor(t / stage_length)``.
    decay : float, default 0.1
        Factor applied per stage, in (0, 1].

    Notes
    -----
    .. math:: f(t) = d^{\\,t/L} \\quad\\text{or}\\quad d^{\\lfloor t/L \\rfloor}

    The optimizer steps with ``lr * f(t)``: ``stage_length=1`` is
    ``torch.optim.lr_scheduler.ExponentialLR(gamma=d)`` and ``staircase=True`` is
    ``StepLR(step_size=L, gamma=d)`` on the optimizer's ``lr``.

    Examples
    --------
    >>> s = ExponentialScheduler(decay=0.5, stage_length=100)
    >>> s.learning_rate(0), s.learning_rate(200)
    (1.0, 0.25)
    """

    def __init__(self, stage_length=500, staircase=False, decay=0.1):
        self.stage_length = stage_length
        self.staircase = staircase
        self.decay = decay
        check_scalar(stage_length, "stage_length", numbers.Integral, low=1)
        check_scalar(staircase, "staircase", bool)
        check_scalar(decay, "decay", low=0, high=1, low_inclusive=False)

    def learning_rate(self, step, cur_loss=None):
        step = check_step(step)
        stage = step // self.stage_length if self.staircase else step / self.stage_length
        return float(self.decay ** stage)


class NoamScheduler(Scheduler):
    """The Transformer's warm-up then inverse-square-root schedule (a factor of ``lr``).

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

    It peaks at t = w - 1 with ``s / sqrt(d * w)``. The optimizer steps with
    ``lr * lr(t)``: give it ``lr=1.0`` for the paper's rates (the Annotated
    Transformer's ``Adam(lr=1.0)`` with this rule in a ``LambdaLR``).

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
    """Cosine annealing of ``lr`` (``torch.optim.lr_scheduler.CosineAnnealingLR``) with optional warm-up.

    Parameters
    ----------
    T_max : int, default 1000
        Half-period of the cosine, in steps (>= 1).
    min_factor : float, default 0.0
        Factor of ``lr`` at the bottom of the cosine, in [0, 1] (torch's
        ``eta_min = lr * min_factor``; Optax's ``alpha``).
    warmup_steps : int, default 0
        Linear warm-up steps before the cosine phase (>= 0).

    Notes
    -----
    For the 0-based step t, warm-up length W and m = ``min_factor``, the optimizer
    steps with ``lr * f(t)``:

    .. math::

        f(t) = \\frac{t + 1}{W} \\quad (t < W), \\qquad
        f(t) = m + \\frac{1 - m}{2}
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
    >>> s = CosineScheduler(T_max=100)
    >>> s.learning_rate(0), round(s.learning_rate(50), 12), s.learning_rate(100)
    (1.0, 0.5, 0.0)
    """

    def __init__(self, T_max=1000, min_factor=0.0, warmup_steps=0):
        self.T_max = T_max
        self.min_factor = min_factor
        self.warmup_steps = warmup_steps
        check_scalar(T_max, "T_max", numbers.Integral, low=1)
        check_scalar(min_factor, "min_factor", low=0, high=1)
        check_scalar(warmup_steps, "warmup_steps", numbers.Integral, low=0)

    def learning_rate(self, step, cur_loss=None):
        step = check_step(step)
        if step < self.warmup_steps:
            return float((step + 1) / self.warmup_steps)
        t = step - self.warmup_steps
        m = self.min_factor
        return float(m + (1.0 - m) * (1 + math.cos(math.pi * t / self.T_max)) / 2)
