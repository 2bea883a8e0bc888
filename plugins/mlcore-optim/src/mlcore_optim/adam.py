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
        ``exp_sum`` and ``exp_sum_sq`` arrays, the discounted sums
        M = sum_k beta1^k g_(t-k) and S = sum_k beta2^k g_(t-k)^2, and ``step`` (int): the
        number of updates this parameter received, used for its bias correction (as
        torch). torch's moment averages are ``exp_avg = (1 - beta1) M`` and
        ``exp_avg_sq = (1 - beta2) S`` (see :meth:`moments`).
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

    The state keeps the discounted sums M = m / (1 - beta1) and S = v / (1 - beta2)
    instead of the averages: ``M <- beta1 M + g`` and ``S <- beta2 S + g^2`` need one
    element-wise pass each fewer than the averages' updates, and the constant factors
    move into the step size. The update is then

    ``p -= c * M / (sqrt(S) + eps * sqrt(1 - beta2**t) / sqrt(1 - beta2))`` with
    ``c = lr_t * (1 - beta1) sqrt(1 - beta2**t) / ((1 - beta1**t) sqrt(1 - beta2))``,

    the same value as torch's in ten passes over each cache block instead of twelve
    (Adam's update is compute-bound in cache, so this is 15% of its time). The paper's
    Algorithm 1, readable: :func:`mlcore_optim._reference.adam_step` (tested equal).

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
        return ("exp_sum", "exp_sum_sq")

    def _scalars(self, state, lr, dtype):
        t = state["step"] = state.get("step", 0) + 1
        bc1 = 1 - self.beta1 ** t
        sqrt_bc2 = math.sqrt(1 - self.beta2 ** t)
        root_b2 = math.sqrt(1 - self.beta2)    # sqrt(v) = root_b2 * sqrt(S)
        return {"beta1": dtype(self.beta1), "beta2": dtype(self.beta2),
                "eps": dtype(self.eps * sqrt_bc2 / root_b2),
                "neg_step": dtype(-lr * (1 - self.beta1) * sqrt_bc2 / (bc1 * root_b2)),
                "decay": dtype(1 - lr * self.weight_decay)}

    def _update(self, p, g, s, tmp, c):
        M, S = s["exp_sum"], s["exp_sum_sq"]
        M *= c["beta1"]                 # M <- beta1 M + g
        M += g
        np.multiply(g, g, out=tmp)      # S <- beta2 S + g^2
        S *= c["beta2"]
        S += tmp
        np.sqrt(S, out=tmp)
        tmp += c["eps"]
        np.divide(M, tmp, out=tmp)
        tmp *= c["neg_step"]
        p += tmp

    def moments(self, name: str) -> dict:
        """torch's ``exp_avg`` and ``exp_avg_sq`` (the moment averages m and v) of parameter
        ``name``, computed from the stored sums (new arrays)."""
        s = self.state_[name]
        return {"exp_avg": s["exp_sum"] * (1 - self.beta1), "exp_avg_sq": s["exp_sum_sq"] * (1 - self.beta2)}

    def set_state(self, state: dict) -> None:
        super().set_state(state)
        for s in getattr(self, "state_", {}).values():   # files written before the sums: averages
            if "exp_avg" in s and "exp_sum" not in s:
                s["exp_sum"] = s.pop("exp_avg") / (1 - self.beta1)    # dtype kept (weak scalar)
            if "exp_avg_sq" in s and "exp_sum_sq" not in s:
                s["exp_sum_sq"] = s.pop("exp_avg_sq") / (1 - self.beta2)

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
