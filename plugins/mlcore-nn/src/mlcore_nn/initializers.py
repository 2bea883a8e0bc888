"""Weight initializers (kind ``initializer``).

``init(shape, random_state=None, gain=None, dtype="float64")`` returns a new array.
Fan-in and fan-out follow PyTorch for mlcore's layouts: a 2-D weight ``(n_in, n_out)``
has fan_in = n_in and fan_out = n_out; a convolution weight
``(k_1, ..., k_d, in_ch, out_ch)`` has fan_in = in_ch * prod(k) and fan_out =
out_ch * prod(k); a 1-D array has fan_in = fan_out = its length.

The gain of the Glorot initializers defaults to the gain of the layer's activation
(:func:`torch.nn.init.calculate_gain`: ReLU sqrt(2), leaky ReLU sqrt(2/(1+a^2)),
tanh 5/3, SELU 3/4, otherwise 1); the He initializers default to sqrt(2) (He et al.
derive them for ReLU) unless the layer's activation says otherwise.

Example
-------
>>> import mlcore
>>> W = mlcore.build("he_uniform").init((64, 32), random_state=0)
>>> W.shape
(64, 32)
"""

from __future__ import annotations

import math

import numpy as np

from mlcore.interfaces import Initializer
from mlcore.validation import check_random_state, check_scalar

__all__ = [
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "StdNormal",
    "TruncNormal",
    "calc_fan",
    "truncated_normal",
]


def calc_fan(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape`` in mlcore's layouts (see module doc)."""
    shape = tuple(int(s) for s in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def truncated_normal(shape, mean=0.0, std=1.0, random_state=None, dtype="float64"):
    """Normal samples with every value beyond 2 standard deviations redrawn.

    The loop redraws only the rejected entries; each round keeps about 95 % of
    them, so it ends after a handful of rounds.
    """
    rng = check_random_state(random_state)
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():  # rejection sampling: a few rounds, each vectorised
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return (mean + std * out).astype(dtype, copy=False)


class _Init(Initializer):
    default_gain = 1.0

    def __init__(self, gain: float | None = None):
        self.gain = check_scalar(gain, "gain", low=0, low_inclusive=False, allow_none=True)

    def _gain(self, gain):
        if self.gain is not None:
            return float(self.gain)
        return self.default_gain if gain is None else float(gain)

    def init(self, shape, random_state=None, gain=None, dtype="float64"):
        """A new array of ``shape``; ``gain`` is the layer's suggestion, used when ``self.gain`` is None."""
        return self._draw(tuple(shape), check_random_state(random_state), self._gain(gain)).astype(dtype, copy=False)

    def __call__(self, shape, random_state=None, gain=None, dtype="float64"):
        return self.init(shape, random_state, gain, dtype)

    @classmethod
    def conformance_example(cls):
        return {}


class GlorotUniform(_Init):
    """Glorot (Xavier) uniform: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)).

    Parameters
    ----------
    gain : float, optional
        Fixed gain; None takes the layer's activation gain.

    References
    ----------
    Glorot and Bengio (2010). Understanding the difficulty of training deep feedforward
    neural networks. AISTATS. (``torch.nn.init.xavier_uniform_``.)
    """

    def _draw(self, shape, rng, gain):
        fan_in, fan_out = calc_fan(shape)
        b = gain * math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-b, b, size=shape)


class GlorotNormal(_Init):
    """Glorot (Xavier) normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).

    As ``torch.nn.init.xavier_normal_`` (not truncated).
    """

    def _draw(self, shape, rng, gain):
        fan_in, fan_out = calc_fan(shape)
        return gain * math.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal(shape)


class HeUniform(_Init):
    """He (Kaiming) uniform: U(-b, b), b = gain * sqrt(3 / fan_in); gain sqrt(2) by default.

    References
    ----------
    He, Zhang, Ren, Sun (2015). Delving deep into rectifiers. ICCV.
    (``torch.nn.init.kaiming_uniform_`` with mode ``fan_in``.)
    """

    default_gain = math.sqrt(2.0)

    def init(self, shape, random_state=None, gain=None, dtype="float64"):
        # He's derivation assumes ReLU: an identity activation's gain 1 is not a suggestion.
        return super().init(shape, random_state, None if gain == 1.0 else gain, dtype)

    def _draw(self, shape, rng, gain):
        fan_in, _ = calc_fan(shape)
        b = gain * math.sqrt(3.0 / fan_in)
        return rng.uniform(-b, b, size=shape)


class HeNormal(HeUniform):
    """He (Kaiming) normal: N(0, std^2), std = gain / sqrt(fan_in); gain sqrt(2) by default."""

    def _draw(self, shape, rng, gain):
        fan_in, _ = calc_fan(shape)
        return gain / math.sqrt(fan_in) * rng.standard_normal(shape)


class StdNormal(Initializer):
    """Standard normal N(0, 1) entries (PyTorch's ``nn.Embedding`` default)."""

    def init(self, shape, random_state=None, gain=None, dtype="float64"):
        return check_random_state(random_state).standard_normal(tuple(shape)).astype(dtype, copy=False)

    def __call__(self, shape, random_state=None, gain=None, dtype="float64"):
        return self.init(shape, random_state, gain, dtype)

    @classmethod
    def conformance_example(cls):
        return {}


class TruncNormal(_Init):
    """Normal N(mean, std^2) truncated at 2 standard deviations (rejected values redrawn).

    Parameters
    ----------
    std : float, optional
        None: the Glorot normal scale gain * sqrt(2 / (fan_in + fan_out)).
    mean : float, default 0
    gain : float, optional
        Used only when ``std`` is None.

    Notes
    -----
    The truncated distribution's standard deviation is about 0.88 * std.
    """

    def __init__(self, std: float | None = None, mean: float = 0.0, gain: float | None = None):
        self.std = check_scalar(std, "std", low=0, low_inclusive=False, allow_none=True)
        self.mean = check_scalar(mean, "mean")
        super().__init__(gain)

    def _draw(self, shape, rng, gain):
        if self.std is None:
            fan_in, fan_out = calc_fan(shape)
            std = gain * math.sqrt(2.0 / (fan_in + fan_out))
        else:
            std = float(self.std)
        return truncated_normal(shape, self.mean, std, rng)
