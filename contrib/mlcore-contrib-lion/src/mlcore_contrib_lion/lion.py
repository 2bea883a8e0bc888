"""The Lion optimizer (Chen et al. 2023)."""

from __future__ import annotations

import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Optimizer, Scheduler
from mlcore.validation import check_scalar


class Lion(Optimizer):
    """Lion: sign of an interpolated momentum, with decoupled weight decay.

    Parameters
    ----------
    lr : float
        Base step size; a scheduler scales it.
    betas : tuple of 2 floats
        ``beta1`` interpolates the update direction, ``beta2`` tracks the momentum.
    weight_decay : float
        Decoupled decay: ``p <- p - lr * weight_decay * p``.
    scheduler : Scheduler, optional
        Scales the step size: ``lr_t = lr * scheduler.learning_rate(t, cur_loss)`` (PyTorch's rule).

    Attributes
    ----------
    state_ : dict of str -> ndarray
        Momentum per parameter name.
    n_steps_ : int
        Number of ``step`` calls so far.

    Notes
    -----
    ``c = b1*m + (1-b1)*g``, ``p <- p - lr*(sign(c) + wd*p)``, ``m <- b2*m + (1-b2)*g``.
    Arrays are updated in place in their own dtype.

    References
    ----------
    X. Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> opt = mlcore.build("lion(lr=0.1)")
    >>> p = {"w": np.array([1.0, 1.0])}
    >>> opt.step(p, {"w": np.array([3.0, -2.0])})
    >>> p["w"]
    array([0.9, 1.1])
    """

    def __init__(self, lr: float = 1e-4, betas: tuple = (0.9, 0.99), weight_decay: float = 0.0,
                 scheduler: Scheduler | None = None):
        self.lr = check_scalar(lr, "lr", low=0, low_inclusive=False)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ComponentArgumentError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, b in enumerate(betas):
            check_scalar(b, f"betas[{i}]", low=0, high=1, high_inclusive=False)
        self.betas = tuple(betas)
        self.weight_decay = check_scalar(weight_decay, "weight_decay", low=0)
        self.scheduler = scheduler
        self.state_: dict[str, dict[str, np.ndarray]] = {}
        self.n_steps_ = 0

    def step(self, params, grads, cur_loss=None):
        """Update every array of ``params`` in place from ``grads``."""
        b1, b2 = self.betas
        lr = self.lr * (self.scheduler.learning_rate(self.n_steps_, cur_loss) if self.scheduler is not None else 1.0)
        for name, p in params.items():
            g = np.asarray(grads[name], dtype=p.dtype)
            m = self.state_.get(name)
            if m is None:
                m = self.state_[name] = np.zeros_like(p)
            c = m * b1
            c += (1 - b1) * g
            np.sign(c, out=c)
            if self.weight_decay:
                p *= p.dtype.type(1 - lr * self.weight_decay)
            c *= p.dtype.type(lr)
            p -= c
            m *= b2
            m += (1 - b2) * g
        self.n_steps_ += 1

    def reset(self):
        """Forget the momentum and the step count."""
        self.state_: dict[str, dict[str, np.ndarray]] = {}
        self.n_steps_ = 0

