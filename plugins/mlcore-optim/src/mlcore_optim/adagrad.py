"""Adagrad, as ``torch.optim.Adagrad`` (no lr decay, zero initial accumulator)."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Scheduler
from mlcore.validation import check_scalar

from ._base import OptimizerBase

__all__ = ["Adagrad"]


class Adagrad(OptimizerBase):
    """Adagrad: per-coordinate step sizes from the sum of squared gradients.

    Parameters
    ----------
    lr : float, default 0.01
        Base learning rate (>= 0); a ``scheduler`` scales it.
    eps : float, default 1e-10
        Added to the square root of the accumulator (outside the root, as torch).
    weight_decay : float, default 0.0
        L2 penalty added to the gradient.
    clip_norm : float or None, default None
        Per-tensor gradient norm clipping (see :class:`~mlcore_optim.sgd.SGD`).
    scheduler : Scheduler or None, default None
        Learning-rate schedule; the step size is ``lr * scheduler.learning_rate(t, cur_loss)``.

    Attributes
    ----------
    state_ : dict of str -> {"sum": ndarray}
        Running sum of squared gradients.
    n_steps_ : int
        Completed steps.

    Notes
    -----
    .. math::

        G \\leftarrow G + g^2, \\qquad p \\leftarrow p - \\mathrm{lr}_t\\, g / (\\sqrt{G} + \\epsilon)

    References
    ----------
    Duchi, Hazan and Singer (2011). Adaptive subgradient methods for online learning
    and stochastic optimization. JMLR 12.

    Examples
    --------
    >>> import numpy as np, mlcore
    >>> opt = mlcore.build("adagrad(lr=0.5)")
    >>> params = {"w": np.array([1.0])}
    >>> opt.step(params, {"w": np.array([2.0])})
    >>> params["w"]
    array([0.5])
    """

    def __init__(self, lr=0.01, eps=1e-10, weight_decay=0.0, clip_norm=None, scheduler: Scheduler | None = None):
        self.lr = lr
        self.eps = eps
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.scheduler = scheduler
        self._check_common()
        check_scalar(eps, "eps", low=0)

    def _buffers(self):
        return ("sum",)

    def _scalars(self, state, lr, dtype):
        return {"neg_lr": dtype(-lr), "eps": dtype(self.eps)}

    def _update(self, p, g, s, tmp, c):
        acc = s["sum"]
        np.multiply(g, g, out=tmp)
        acc += tmp
        np.sqrt(acc, out=tmp)
        tmp += c["eps"]
        np.divide(g, tmp, out=tmp)
        tmp *= c["neg_lr"]
        p += tmp

    @classmethod
    def conformance_example(cls):
        return {"spec": "adagrad(lr=0.1, clip_norm=1.0)"}
