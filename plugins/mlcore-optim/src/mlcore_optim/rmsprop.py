"""RMSprop, as ``torch.optim.RMSprop`` (optional momentum and centring)."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Scheduler
from mlcore.validation import check_scalar

from ._base import OptimizerBase, check_unit_interval

__all__ = ["RMSprop"]


class RMSprop(OptimizerBase):
    """RMSprop: divide the gradient by a running root mean square of past gradients.

    Parameters
    ----------
    lr : float, default 0.01
        Base learning rate (>= 0); a ``scheduler`` scales it.
    alpha : float, default 0.99
        Smoothing constant of the squared-gradient average, in [0, 1).
    eps : float, default 1e-8
        Added to the root (outside the square root, as torch).
    momentum : float, default 0.0
        Momentum on the scaled step, in [0, 1).
    centered : bool, default False
        Subtract the squared running mean of the gradient (variance estimate).
    weight_decay : float, default 0.0
        L2 penalty added to the gradient.
    clip_norm : float or None, default None
        Per-tensor gradient norm clipping (see :class:`~mlcore_optim.sgd.SGD`).
    scheduler : Scheduler or None, default None
        Learning-rate schedule; the step size is ``lr * scheduler.learning_rate(t, cur_loss)``.

    Attributes
    ----------
    state_ : dict of str -> dict
        ``square_avg`` and, when used, ``grad_avg`` and ``momentum_buffer``.
    n_steps_ : int
        Completed steps.

    Notes
    -----
    .. math::

        E &\\leftarrow \\alpha E + (1-\\alpha) g^2, \\qquad
        \\bar g \\leftarrow \\alpha \\bar g + (1-\\alpha) g \\text{ (centered)} \\\\
        d &= \\sqrt{E - \\bar g^2} + \\epsilon \\text{ (centered) or } \\sqrt{E} + \\epsilon \\\\
        b &\\leftarrow \\mu b + g/d, \\quad p \\leftarrow p - \\mathrm{lr}_t b
        \\text{ (momentum) or } p \\leftarrow p - \\mathrm{lr}_t\\, g/d

    numpy-ml's ``decay`` is ``alpha`` here. Readable one-step reference (tested equal):
    :func:`mlcore_optim._reference.rmsprop_step`.

    References
    ----------
    Tieleman and Hinton (2012). Lecture 6.5, RMSprop. COURSERA: Neural Networks for
    Machine Learning. Graves (2013). Generating sequences with recurrent neural
    networks, arXiv:1308.0850 (centred form).

    Examples
    --------
    >>> import numpy as np, mlcore
    >>> opt = mlcore.build("rmsprop(lr=0.01, alpha=0.9, momentum=0.9)")
    >>> params = {"w": np.zeros(3, dtype=np.float32)}
    >>> opt.step(params, {"w": np.ones(3, dtype=np.float32)})
    >>> params["w"].dtype
    dtype('float32')
    """

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0,
                 clip_norm=None, scheduler: Scheduler | None = None):
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum
        self.centered = centered
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.scheduler = scheduler
        self._check_common()
        check_unit_interval(alpha, "alpha")
        check_scalar(eps, "eps", low=0)
        check_unit_interval(momentum, "momentum")
        check_scalar(centered, "centered", bool)

    def _buffers(self):
        return ("square_avg",) + (("grad_avg",) if self.centered else ()) + \
            (("momentum_buffer",) if self.momentum else ())

    def _scalars(self, state, lr, dtype):
        return {"neg_lr": dtype(-lr), "alpha": dtype(self.alpha), "one_m_alpha": dtype(1 - self.alpha),
                "eps": dtype(self.eps), "mu": dtype(self.momentum)}

    def _update(self, p, g, s, tmp, c):
        sq = s["square_avg"]
        sq *= c["alpha"]
        np.multiply(g, g, out=tmp)
        tmp *= c["one_m_alpha"]
        sq += tmp
        if self.centered:
            ga = s["grad_avg"]
            np.subtract(g, ga, out=tmp)   # torch: grad_avg.lerp_(g, 1 - alpha)
            tmp *= c["one_m_alpha"]
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(sq, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(sq, out=tmp)
        tmp += c["eps"]
        np.divide(g, tmp, out=tmp)
        if self.momentum:
            buf = s["momentum_buffer"]
            buf *= c["mu"]
            buf += tmp
            np.multiply(buf, c["neg_lr"], out=tmp)
        else:
            tmp *= c["neg_lr"]
        p += tmp

    @classmethod
    def conformance_example(cls):
        return {"spec": "rmsprop(lr=0.01, momentum=0.5, centered=True)"}
