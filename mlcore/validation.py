"""Input and hyperparameter validation shared by every family.

Small helpers so that every component reports bad input the same way: what was given,
what was expected, what to do.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .errors import ComponentArgumentError, NotFittedError

__all__ = [
    "check_random_state", "check_array", "check_X_y", "check_is_fitted",
    "check_scalar", "check_choice",
]


def check_random_state(random_state) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, a Generator, or None (fresh entropy).

    Never touches NumPy's global random state.
    """
    if random_state is None or isinstance(random_state, (numbers.Integral, np.integer)):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state must be an int, a numpy.random.Generator or None, "
                    f"not {type(random_state).__name__}")


def check_array(X, *, name: str = "X", ndim=None, dtype="numeric", allow_nan: bool = False,
                min_samples: int = 1, copy: bool = False) -> np.ndarray:
    """Validate an array argument and return it as an ndarray.

    Parameters
    ----------
    X : array-like
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    dtype : "numeric", numpy dtype or None
        ``"numeric"`` keeps float dtypes and converts others to float64; a dtype
        converts; None keeps whatever ``np.asarray`` gives.
    allow_nan : bool
        Whether NaN and inf are acceptable.
    min_samples : int
        Minimum length of the first axis.
    copy : bool
        Return a copy even when no conversion was needed.
    """
    try:
        arr = np.asarray(X)
    except Exception as exc:
        raise TypeError(f"{name} must be array-like, got {type(X).__name__}") from exc
    if arr.dtype.hasobject:
        raise TypeError(f"{name} must be a numeric array; got dtype object (ragged or mixed input?)")
    if dtype == "numeric":
        if not (np.issubdtype(arr.dtype, np.floating)):
            if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
                raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
            arr = arr.astype(np.float64)
    elif dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                             f"got shape {arr.shape}")
    if arr.ndim >= 1 and arr.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} sample(s) along its first axis, got shape {arr.shape}")
    if not allow_nan and np.issubdtype(arr.dtype, np.inexact) and arr.size and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; clean or impute the input first")
    if copy and arr is X:
        arr = arr.copy()
    return arr


def check_X_y(X, y, *, X_ndim=2, y_ndim=(1, 2), y_dtype="numeric", allow_nan=False):
    """Validate a design matrix and targets of the same length."""
    X = check_array(X, name="X", ndim=X_ndim, allow_nan=allow_nan)
    y = check_array(y, name="y", ndim=y_ndim, dtype=y_dtype, allow_nan=allow_nan)
    if len(X) != len(y):
        raise ValueError(f"X and y have different numbers of samples: {len(X)} and {len(y)}")
    return X, y


def check_is_fitted(estimator, attributes=None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has its learned attributes."""
    if attributes is None:
        ok = any(k.endswith("_") and not k.startswith("_") for k in vars(estimator))
    else:
        attributes = [attributes] if isinstance(attributes, str) else attributes
        ok = all(hasattr(estimator, a) for a in attributes)
    if not ok:
        raise NotFittedError(f"this {type(estimator).__name__} is not fitted yet; call fit() first")


def check_scalar(value, name: str, kinds=numbers.Real, *, low=None, high=None,
                 low_inclusive: bool = True, high_inclusive: bool = True, allow_none: bool = False,
                 allow_inf: bool = False):
    """Validate a scalar hyperparameter; raises :class:`ComponentArgumentError`.

    NaN is always refused, and so are ``inf`` and ``-inf`` (including literals such as
    ``1e999`` that overflow to them) unless ``allow_inf=True``: a parameter passing it
    must say in its docstring what an infinite value means (for example "no limit").

    Example
    -------
    >>> check_scalar(0.1, "lr", low=0, low_inclusive=False)
    0.1
    """
    if value is None and allow_none:
        return value
    if isinstance(value, bool) and kinds is not bool or not isinstance(value, kinds):
        expected = getattr(kinds, "__name__", str(kinds))
        raise ComponentArgumentError(f"{name} must be {expected}, got {_shown(value)} ({type(value).__name__})")
    if isinstance(value, numbers.Real) and (not isinstance(value, numbers.Integral) or isinstance(1.5, kinds)):
        try:  # an int is checked too where a real number is expected: 10**400 is inf as a float
            as_float = float(value)
        except OverflowError:
            as_float = math.inf
        if math.isnan(as_float) or (math.isinf(as_float) and not allow_inf):
            raise ComponentArgumentError(f"{name} must be a finite number, got {_shown(value)}")
    bad = (low is not None and (value < low if low_inclusive else value <= low)) or \
          (high is not None and (value > high if high_inclusive else value >= high)) or \
          (isinstance(value, float) and np.isnan(value))
    if bad:
        lo = "" if low is None else f"{'>=' if low_inclusive else '>'} {low}"
        hi = "" if high is None else f"{'<=' if high_inclusive else '<'} {high}"
        rng = " and ".join(x for x in (lo, hi) if x)
        raise ComponentArgumentError(f"{name} must be {rng}, got {_shown(value)}")
    return value


def _shown(value) -> str:
    """``repr`` for an error message, short even for a huge int (whose repr may raise)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value).bit_length() > 200:
        return f"an integer of {int(value).bit_length()} bits"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def check_choice(value, name: str, choices):
    """Validate that ``value`` is one of ``choices``; raises :class:`ComponentArgumentError`."""
    if value not in choices:
        raise ComponentArgumentError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value
