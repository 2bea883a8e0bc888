"""dlib's loss-plateau learning-rate schedule (Davis King, 2018)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from mlcore.interfaces import Scheduler
from mlcore.validation import check_scalar

from .schedulers import check_step

__all__ = ["KingScheduler", "probability_decreasing"]

#: dlib's ``probability_of_decrease``: below it, the loss is "not confidently decreasing".
PROB_DECREASE = 0.51
#: dlib's robust check discards this upper fraction of the losses.
QUANTILE_DISCARD = 0.10
#: dlib's ``previous_loss_values_dump_amount``.
DUMP_AMOUNT = 400


def probability_decreasing(losses) -> float:
    """P(slope < 0) of an ordinary least-squares line through ``losses``.

    Parameters
    ----------
    losses : array-like, shape (n,), n >= 3
        Loss values at x = 0, 1, ..., n-1.

    Returns
    -------
    float
        ``Phi(-b / se)`` where b is the OLS slope and ``se**2 = 12 s**2 / (n**3 - n)``,
        ``s**2 = RSS / (n - 2)``: dlib's ``probability_gradient_less_than(0)``. A
        perfect fit (se = 0) gives 1, 0 or 0.5 for b < 0, b > 0, b = 0, as dlib.

    Notes
    -----
    dlib fits the line by recursive least squares started from a 1e6 * I covariance
    (a 1e-6 ridge prior); the exact OLS fit here differs from it by about 1e-6
    relative, far from mattering for a 0.51 threshold.
    """
    y = np.asarray(losses, dtype=np.float64)
    n = y.size
    if n < 3:
        raise ValueError(f"need at least 3 losses to estimate a slope and its error, got {n}")
    x = np.arange(n) - (n - 1) / 2
    yc = y - y.mean()
    slope = float(x @ yc) / float(x @ x)
    rss = float(np.sum((yc - slope * x) ** 2))
    se = math.sqrt(rss / (n - 2) * 12.0 / (n ** 3 - n))
    if se == 0:
        return 1.0 if slope < 0 else 0.0 if slope > 0 else 0.5
    return 0.5 * math.erfc(slope / (se * math.sqrt(2)))   # Phi((0 - slope) / se)


class KingScheduler(Scheduler):
    """Shrink the learning rate when the loss has stopped decreasing (dlib's rule).

    A factor of the optimizer's ``lr`` (1 at the start, times ``decay`` at each
    plateau): the optimizer steps with ``lr * decay ** k``.

    Parameters
    ----------
    patience : int, default 1000
        Window N of recent losses examined (>= 3; dlib's
        ``iterations_without_progress_threshold``, default 2000 there).
    decay : float, default 0.1
        Factor applied at each plateau, in (0, 1] (dlib's ``learning_rate_shrink``).

    Attributes
    ----------
    lr_ : float
        Current factor of the optimizer's ``lr``.
    history_ : ndarray of float64, shape (<= patience,)
        The most recent losses, oldest first.
    last_step_ : int
        Last step whose loss was recorded (-1 before any).

    Notes
    -----
    ``learning_rate(step, cur_loss)`` records ``cur_loss`` (the loss at the current
    parameters, before this step's update) once per new ``step`` and keeps the last
    ``patience`` losses. Once N losses are held, the rate is multiplied by ``decay``
    when both hold:

    * the OLS slope of the N losses is not confidently negative:
      P(slope < 0) < 0.51 (see :func:`probability_decreasing`);
    * the same after dropping the losses above the upper 10 % quantile (dlib's
      ``find_upper_quantile``: the element of rank ``round(0.9 (N - 1))``), with the
      kept losses re-indexed 0, 1, ... (robust to a few bad mini-batches).

    This is dlib's ``count_steps_without_decrease(h) >= N`` and
    ``count_steps_without_decrease_robust(h) >= N`` for a history h of length N: a
    count reaches N exactly when the whole window is not confidently decreasing.
    After a decay the oldest ``400 + N // 10`` losses are discarded (dlib's dump
    amount), so the next decision needs that many fresh losses. dlib tests every
    N/200 steps to save time; this tests every step, O(N) vectorised.

    The decayed rate applies to the step that triggered it. Repeated calls for an
    already recorded step return the current rate without recording anything;
    ``cur_loss`` is required: ``sequential`` passes each minibatch's loss; by hand, pass
    it through ``optimizer.step(..., cur_loss=loss)``.

    References
    ----------
    King (2018). Automatic learning rate scheduling that really works.
    http://blog.dlib.net/2018/02/automatic-learning-rate-scheduling-that.html ;
    dlib ``dlib/statistics/running_gradient.h`` and ``dlib/dnn/trainer.h``.

    Examples
    --------
    >>> s = KingScheduler(patience=4, decay=0.5)
    >>> [s.learning_rate(t, loss) for t, loss in enumerate([1.0, 3.0, 2.0, 4.0])]
    [1.0, 1.0, 1.0, 0.5]
    """

    def __init__(self, patience=1000, decay=0.1):
        self.patience = patience
        self.decay = decay
        check_scalar(patience, "patience", numbers.Integral, low=3)
        check_scalar(decay, "decay", low=0, high=1, low_inclusive=False)

    def reset(self):
        """Back to the factor 1 with an empty loss history; returns self."""
        self.lr_ = 1.0
        self.history_ = np.empty(0, dtype=np.float64)
        self.last_step_ = -1
        return self

    def learning_rate(self, step, cur_loss=None):
        step = check_step(step)
        if not hasattr(self, "lr_"):
            self.reset()
        if step <= self.last_step_:
            return self.lr_
        if cur_loss is None or not math.isfinite(cur_loss):
            raise ValueError(f"king needs the finite current loss at each new step (got cur_loss={cur_loss!r}); "
                             "call optimizer.step(params, grads, cur_loss=loss)")
        self.last_step_ = step
        self.history_ = np.append(self.history_, float(cur_loss))[-self.patience:]
        if self.history_.size >= self.patience and self._plateau(self.history_):
            self.lr_ *= self.decay
            self.history_ = self.history_[DUMP_AMOUNT + self.patience // 10:].copy()
        return self.lr_

    @staticmethod
    def _plateau(h: np.ndarray) -> bool:
        if probability_decreasing(h) >= PROB_DECREASE:
            return False
        k = math.floor((h.size - 1) * (1 - QUANTILE_DISCARD) + 0.5)   # C++ std::round, not banker's
        kept = h[h <= np.partition(h, k)[k]]
        return kept.size > 2 and probability_decreasing(kept) < PROB_DECREASE

    def set_state(self, state):
        super().set_state(state)
        if "history_" in state:
            self.history_ = np.array(state["history_"], dtype=np.float64)
