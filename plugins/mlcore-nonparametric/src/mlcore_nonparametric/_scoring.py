"""Coefficient of determination shared by the regressors of this plugin."""

from __future__ import annotations

import numpy as np


def r2_score(y, pred) -> float:
    """``1 - sum (y - pred)^2 / sum (y - mean(y))^2`` over every output.

    A constant target (zero denominator) gives 1.0 when predicted exactly and 0.0
    otherwise, as scikit-learn's ``r2_score`` (``force_finite=True``), instead of 0/0.
    """
    y = np.asarray(y, dtype=float)
    pred = np.asarray(pred, dtype=float).reshape(y.shape)
    ss_res = float(((y - pred) ** 2).sum())
    ss_tot = float(((y - y.mean(axis=0)) ** 2).sum())
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1.0 - ss_res / ss_tot
