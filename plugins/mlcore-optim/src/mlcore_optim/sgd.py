"""Stochastic gradient descent with (Nesterov) momentum, as ``torch.optim.SGD``."""

from __future__ import annotations

import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Scheduler
from mlcore.validation import check_scalar

from ._base import OptimizerBase, check_unit_interval

__all__ = ["SGD"]


class SGD(OptimizerBase):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    Parameters
    ----------
    lr : float, default 0.01
        Base learning rate (>= 0); a ``scheduler`` scales it.
    momentum : float, default 0.0
        Momentum factor mu in [0, 1).
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0``).
    weight_decay : float, default 0.0
        L2 penalty: ``weight_decay * p`` is added to the gradient.
    clip_norm : float or None, default None
        Per-tensor gradient clipping: a gradient whose L2 norm exceeds ``clip_norm``
        is rescaled to norm ``clip_norm`` (before weight decay).
    scheduler : Scheduler or None, default None
        Learning-rate schedule; the step size is ``lr * scheduler.learning_rate(t, cur_loss)``.

    Attributes
    ----------
    state_ : dict of str -> {"momentum_buffer": ndarray}
        Velocity of each parameter (only when ``momentum > 0``).
    n_steps_ : int
        Completed steps.

    Notes
    -----
    With g the (clipped) gradient and t the 0-based step, exactly as torch.optim.SGD
    with ``dampening=0``:

    .. math::

        g &\\leftarrow g + \\lambda p \\\\
        v &\\leftarrow \\mu v + g \\qquad (v_0 = 0) \\\\
        d &= g + \\mu v \\text{ (Nesterov) or } v \\\\
        p &\\leftarrow p - \\mathrm{lr}_t\\, d

    The learning rate multiplies the velocity when it is applied (torch's form), so a
    scheduled ``lr_t`` takes effect at once. numpy-ml accumulated ``lr * g`` inside v,
    which agrees only for a constant learning rate.

    References
    ----------
    Sutskever, Martens, Dahl and Hinton (2013). On the importance of initialization and
    momentum in deep learning. ICML.

    Examples
    --------
    >>> import numpy as np, mlcore
    >>> opt = mlcore.build("sgd(lr=0.1, momentum=0.9)")
    >>> params, grads = {"w": np.array([1.0, 2.0])}, {"w": np.array([1.0, -1.0])}
    >>> opt.step(params, grads)
    >>> params["w"]
    array([0.9, 2.1])
    """

    def __init__(self, lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0, clip_norm=None,
                 scheduler: Scheduler | None = None):
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.scheduler = scheduler
        self._check_common()
        check_unit_interval(momentum, "momentum")
        check_scalar(nesterov, "nesterov", bool)
        if nesterov and momentum == 0:
            raise ComponentArgumentError("nesterov=True needs momentum > 0 (Nesterov momentum without momentum "
                                         "is plain SGD); set momentum, e.g. sgd(momentum=0.9, nesterov=True)")

    def _buffers(self):
        return ("momentum_buffer",) if self.momentum else ()

    def _scalars(self, state, lr, dtype):
        return {"neg_lr": dtype(-lr), "mu": dtype(self.momentum)}

    def _update(self, p, g, s, tmp, c):
        d = g
        if self.momentum:
            v = s["momentum_buffer"]
            v *= c["mu"]
            v += g
            if self.nesterov:
                np.multiply(v, c["mu"], out=tmp)
                tmp += g
            d = tmp if self.nesterov else v
        np.multiply(d, c["neg_lr"], out=tmp)
        p += tmp

    @classmethod
    def conformance_example(cls):
        return {"spec": "sgd(lr=0.1, momentum=0.9, nesterov=True, scheduler=exponential(decay=0.5))"}
