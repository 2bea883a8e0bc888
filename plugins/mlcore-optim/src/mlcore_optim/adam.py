"""Adam and AdamW, as ``torch.optim.Adam`` and ``torch.optim.AdamW`` (amsgrad=False)."""

from __future__ import annotations

import math

import numpy as np

from mlcore.interfaces import Scheduler
from mlcore.validation import check_scalar

from ._base import OptimizerBase, check_unit_interval

__all__ = ["Adam", "AdamW"]


class Adam(OptimizerBase):
    """Adam: bias-corrected moment estimates of the gradient and its square.

    Parameters
    ----------
    lr : float, default 0.001
        Base learning rate (>= 0); a ``scheduler`` scales it.
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates of the first and second moment averages, in [0, 1)
        (torch's ``betas``; numpy-ml's ``decay1``, ``decay2``).
    eps : float, default 1e-8
        Added to the root of the corrected second moment (outside the root, as torch).
    weight_decay : float, default 0.0
        L2 penalty added to the gradient (coupled; see :class:`AdamW` for decoupled).
    clip_norm : float or None, default None
        Per-tensor gradient norm clipping (see :class:`~mlcore_optim.sgd.SGD`).
    scheduler : Scheduler or None, default None
        Learning-rate schedule; the step size is ``lr * scheduler.learning_rate(t, cur_loss)``.

    Attributes
    ----------
    state_ : dict of str -> dict
        torch's per-parameter state: ``exp_avg`` and ``exp_avg_sq`` (the moment averages
        m and v, same shape and dtype as the parameter) and ``step`` (int), the number of
        updates this parameter received, used for its bias correction. Saved as is, so
        a state moves to and from ``torch.optim.Adam`` by name.
    n_steps_ : int
        Completed steps.

    Notes
    -----
    With t the parameter's own 1-based update count:

    .. math::

        m &\\leftarrow \\beta_1 m + (1-\\beta_1) g, \\qquad
        v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2 \\\\
        p &\\leftarrow p - \\frac{\\mathrm{lr}_t}{1-\\beta_1^t}\\,
        \\frac{m}{\\sqrt{v}/\\sqrt{1-\\beta_2^t} + \\epsilon}

    The bias corrections fold into two scalars per parameter and step, so each cache block
    is updated by twelve in-place passes (``_update``): ``m += (1 - beta1) (g - m)``
    (torch's ``lerp``), ``v = beta2 v + (1 - beta2) g^2``, then
    ``p -= c * m / (sqrt(v) + eps * sqrt(1 - beta2**t))`` with
    ``c = lr_t * sqrt(1 - beta2**t) / (1 - beta1**t)``. The paper's Algorithm 1, readable:
    :func:`mlcore_optim._reference.adam_step` (tested equal).

    References
    ----------
    Kingma and Ba (2015). Adam: a method for stochastic optimization. ICLR.

    Examples
    --------
    >>> import numpy as np, mlcore
    >>> opt = mlcore.build("adam(lr=0.1)")
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> opt.step(params, {"w": np.array([3.0, -0.5])})   # first step: about lr * sign(g)
    >>> params["w"].round(6)
    array([0.9, 1.1])
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, clip_norm=None,
                 scheduler: Scheduler | None = None):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.scheduler = scheduler
        self._check_common()
        check_unit_interval(beta1, "beta1")
        check_unit_interval(beta2, "beta2")
        check_scalar(eps, "eps", low=0)

    def _buffers(self):
        return ("exp_avg", "exp_avg_sq")

    def _scalars(self, state, lr, dtype):
        t = state["step"] = state.get("step", 0) + 1
        sqrt_bc2 = math.sqrt(1 - self.beta2 ** t)
        return {"w1": dtype(1 - self.beta1), "beta2": dtype(self.beta2), "w2": dtype(1 - self.beta2),
                "eps": dtype(self.eps * sqrt_bc2),       # sqrt(v / bc2) + eps = (sqrt(v) + eps sqrt(bc2)) / sqrt(bc2)
                "neg_step": dtype(-lr * sqrt_bc2 / (1 - self.beta1 ** t)),
                "decay": dtype(1 - lr * self.weight_decay)}

    def _update(self, p, g, s, tmp, c):
        m, v = s["exp_avg"], s["exp_avg_sq"]
        np.subtract(g, m, out=tmp)      # m <- m + (1 - beta1) (g - m)
        tmp *= c["w1"]
        m += tmp
        np.multiply(g, g, out=tmp)      # v <- beta2 v + (1 - beta2) g^2
        tmp *= c["w2"]
        v *= c["beta2"]
        v += tmp
        np.sqrt(v, out=tmp)             # p <- p - c m / (sqrt(v) + eps')
        tmp += c["eps"]
        np.divide(m, tmp, out=tmp)
        tmp *= c["neg_step"]
        p += tmp

    def moments(self, name: str) -> dict:
        """torch's ``exp_avg`` and ``exp_avg_sq`` (the moment averages m and v) of parameter
        ``name`` (copies)."""
        s = self.state_[name]
        return {"exp_avg": s["exp_avg"].copy(), "exp_avg_sq": s["exp_avg_sq"].copy()}

    def set_state(self, state: dict) -> None:
        super().set_state(state)
        for name, s in getattr(self, "state_", {}).items():   # torch's buffer names, nothing else
            unknown = sorted(set(s) - {"exp_avg", "exp_avg_sq", "step"})
            if unknown:
                from mlcore.errors import FileFormatError

                raise FileFormatError(f"adam state of parameter {name!r} has keys {unknown}; expected torch's "
                                      "'exp_avg', 'exp_avg_sq' and 'step'")

    @classmethod
    def conformance_example(cls):
        return {"spec": "adam(lr=0.01, beta2=0.99, scheduler=noam(model_dim=64, warmup_steps=10))"}


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p <- p * (1 - lr_t * weight_decay)`` first.

    Parameters
    ----------
    lr, beta1, beta2, eps, clip_norm, scheduler
        As :class:`Adam`.
    weight_decay : float, default 0.01
        Decoupled decay rate (torch's default); it is multiplied by the current
        learning rate, as in ``torch.optim.AdamW``.

    Notes
    -----
    Each step first shrinks the parameter, then applies the Adam update computed from
    the raw gradient (the decay never enters the moment estimates). Readable reference
    (tested equal): :func:`mlcore_optim._reference.adam_step` with ``decoupled=True``.

    References
    ----------
    Loshchilov and Hutter (2019). Decoupled weight decay regularization. ICLR.

    Examples
    --------
    >>> import mlcore
    >>> mlcore.build("adamw(lr=1e-3, weight_decay=0.05)")
    adamw(weight_decay=0.05)
    """

    _decoupled_weight_decay = True

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, clip_norm=None,
                 scheduler: Scheduler | None = None):
        super().__init__(lr, beta1, beta2, eps, weight_decay, clip_norm, scheduler)

    def _update(self, p, g, s, tmp, c):
        if self.weight_decay:
            p *= c["decay"]
        super()._update(p, g, s, tmp, c)

    @classmethod
    def conformance_example(cls):
        return {"spec": "adamw(lr=0.01, weight_decay=0.1, scheduler=cosine(T_max=50))"}
