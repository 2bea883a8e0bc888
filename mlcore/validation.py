"""Input and hyperparameter validation shared by every family.

Small helpers so that every component reports bad input the same way: what was given,
what was expected, what to do.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import ComponentArgumentError, NotFittedError

__all__ = [
    "check_random_state", "check_array", "check_X_y", "check_is_fitted",
    "check_scalar", "check_choice", "check_classification_targets", "check_sample_weight",
    "column_or_1d", "type_of_target", "validate_data",
]


def check_random_state(random_state: Any) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, a Generator, or None (fresh entropy).

    Never touches NumPy's global random state.
    """
    if random_state is None or isinstance(random_state, (numbers.Integral, np.integer)):
        return np.random.default_rng(None if random_state is None else int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    raise TypeError(f"random_state must be an int, a numpy.random.Generator or None, "
                    f"not {type(random_state).__name__}")


def _sparse(X: Any) -> Any:
    """``scipy.sparse`` when ``X`` is a sparse matrix or array, else None (never imports scipy)."""
    sp = sys.modules.get("scipy.sparse")
    return sp if sp is not None and sp.issparse(X) else None


def _who(estimator: Any) -> str:
    return "" if estimator is None else f"{type(estimator).__name__} "


def check_array(X: Any, *, name: str = "X", ndim: int | tuple[int, ...] | None = None, dtype: Any = "numeric",
                allow_nan: bool = False, min_samples: int = 1, copy: bool = False, accept_sparse: Any = False,
                min_features: int = 1, estimator: Any = None) -> Any:
    """Validate an array argument and return it as an ndarray (or an accepted sparse matrix).

    Parameters
    ----------
    X : array-like or scipy.sparse matrix
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    dtype : "numeric", numpy dtype or None
        ``"numeric"`` keeps float dtypes and converts others to float64 (an object array
        of numbers is converted; strings or other objects raise); a dtype converts; None
        keeps whatever ``np.asarray`` gives (object arrays are refused).
    allow_nan : bool
        Whether NaN and inf are acceptable.
    min_samples : int
        Minimum length of the first axis.
    copy : bool
        Return a copy even when no conversion was needed.
    accept_sparse : bool or tuple of str
        Whether a ``scipy.sparse`` matrix is accepted (True, or the formats accepted, the
        first being the one others are converted to); otherwise sparse input raises a
        ``TypeError`` saying so. Accepted sparse input is returned sparse, never densified.
    min_features : int
        Minimum number of columns of a 2-D array.
    estimator : object, optional
        Named in the messages.

    Raises
    ------
    ValueError
        Complex data, NaN/inf, too few samples or features, a wrong number of dimensions.
    TypeError
        Sparse input where it is not accepted, non-numeric values.
    """
    sp = _sparse(X)
    if sp is not None:
        return _check_sparse(X, name, ndim, dtype, allow_nan, min_samples, copy, accept_sparse,
                             min_features, estimator)
    try:
        arr = np.asarray(X)
    except Exception as exc:
        raise TypeError(f"{name} must be array-like, got {type(X).__name__}") from exc
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} has dtype {arr.dtype}")
    if arr.dtype.hasobject:
        if dtype is None or not (dtype == "numeric" or np.issubdtype(np.dtype(dtype), np.number)):
            raise TypeError(f"{name} must be a numeric array; got dtype object (ragged or mixed input?)")
        if any(isinstance(v, complex) for v in arr.flat):
            raise ValueError(f"Complex data not supported: {name} holds complex numbers")
        try:
            arr = arr.astype(np.float64 if dtype == "numeric" else dtype)
        except TypeError as exc:
            raise TypeError(f"{name} must be numeric: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"{name} must be numeric: {exc} (ragged or mixed input?)") from None
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
            hint = ""
            if 2 in allowed and arr.ndim < 2:
                hint = (f" Expected 2D array, got {arr.ndim}D array instead. Reshape your data either using "
                        "array.reshape(-1, 1) if your data has a single feature or array.reshape(1, -1) "
                        "if it contains a single sample.")
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s), "
                             f"got shape {arr.shape}.{hint}")
    _check_shape(arr.shape, name, min_samples, min_features, estimator)
    if not allow_nan and np.issubdtype(arr.dtype, np.inexact) and arr.size and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; clean or impute the input first")
    if copy and arr is X:
        arr = arr.copy()
    return arr


def _check_shape(shape: tuple[int, ...], name: str, min_samples: int, min_features: int, estimator: Any) -> None:
    if len(shape) >= 1 and shape[0] < min_samples:
        raise ValueError(f"Found array with {shape[0]} sample(s) (shape={shape}) while a minimum of "
                         f"{min_samples} is required by {_who(estimator)or name}: {name} needs at least "
                         f"{min_samples} sample(s) along its first axis")
    if len(shape) == 2 and min_features and shape[1] < min_features:
        raise ValueError(f"Found array with {shape[1]} feature(s) (shape={shape}) while a minimum of "
                         f"{min_features} is required by {_who(estimator) or name}: {name} needs at least "
                         f"{min_features} column(s)")


def _check_sparse(X: Any, name: str, ndim: Any, dtype: Any, allow_nan: bool, min_samples: int, copy: bool,
                  accept_sparse: Any, min_features: int, estimator: Any) -> Any:
    if not accept_sparse:
        raise TypeError(f"{_who(estimator)}does not accept sparse input: {name} is a {type(X).__name__}; "
                        f"pass a dense array ({name}.toarray()) instead")
    if ndim is not None and 2 not in ((ndim,) if isinstance(ndim, int) else tuple(ndim)):
        raise ValueError(f"{name} must have {ndim} dimension(s); a sparse matrix has 2")
    formats = ("csr", "csc") if accept_sparse is True else tuple(accept_sparse)
    if X.format not in formats:
        X = X.asformat(formats[0])
        copy = False
    if np.iscomplexobj(X.data):
        raise ValueError(f"Complex data not supported: {name} has dtype {X.dtype}")
    if dtype == "numeric" and not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
        copy = False
    elif dtype not in (None, "numeric"):
        X = X.astype(dtype, copy=False)
    _check_shape(X.shape, name, min_samples, min_features, estimator)
    if not allow_nan and X.nnz and not np.isfinite(X.data).all():
        raise ValueError(f"{name} contains NaN or infinity; clean or impute the input first")
    return X.copy() if copy else X


def check_X_y(X: Any, y: Any, *, X_ndim: int | tuple[int, ...] = 2, y_ndim: int | tuple[int, ...] = (1, 2),
              y_dtype: Any = "numeric", allow_nan: bool = False, accept_sparse: Any = False,
              estimator: Any = None) -> tuple[Any, np.ndarray]:
    """Validate a design matrix and targets of the same length (``y=None`` is refused)."""
    X = check_array(X, name="X", ndim=X_ndim, allow_nan=allow_nan, accept_sparse=accept_sparse,
                    estimator=estimator)
    if y is None:
        raise ValueError(f"{_who(estimator) or 'this estimator '}requires y to be passed, but the target y is None")
    y = check_array(y, name="y", ndim=y_ndim, dtype=y_dtype, allow_nan=allow_nan, min_features=0)
    if X.shape[0] != len(y):
        raise ValueError(f"X and y have different numbers of samples: {X.shape[0]} and {len(y)}")
    return X, y


def check_is_fitted(estimator: Any, attributes: str | Iterable[str] | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has its learned attributes.

    Without ``attributes``, uses ``estimator.__sklearn_is_fitted__()`` when defined, else
    looks for any public attribute ending in ``_``.
    """
    if attributes is None:
        if hasattr(estimator, "__sklearn_is_fitted__"):
            ok = estimator.__sklearn_is_fitted__()
        else:
            ok = any(k.endswith("_") and not k.startswith("_") for k in vars(estimator))
    else:
        attributes = [attributes] if isinstance(attributes, str) else attributes
        ok = all(hasattr(estimator, a) for a in attributes)
    if not ok:
        raise NotFittedError(f"this {type(estimator).__name__} is not fitted yet; call fit() first")


def type_of_target(y: Any) -> str:
    """The kind of a target, as scikit-learn names it, without importing scikit-learn.

    One of ``"binary"``, ``"multiclass"``, ``"continuous"``, ``"multiclass-multioutput"``,
    ``"continuous-multioutput"`` or ``"unknown"`` (for example dicts or mixed objects).
    """
    y = np.asarray(y)
    if y.ndim > 2 or y.dtype.hasobject and y.size and not all(
            isinstance(v, (str, numbers.Integral)) or isinstance(v, numbers.Real) and float(v).is_integer()
            for v in y.flat):
        return "unknown"
    if np.iscomplexobj(y):
        return "unknown"
    suffix = "-multioutput" if y.ndim == 2 and y.shape[1] > 1 else ""
    if y.dtype.kind == "f" and y.size and (not np.isfinite(y).all() or np.any(y != np.round(y))):
        return "continuous" + suffix
    if suffix:
        return "multiclass" + suffix
    return "multiclass" if np.unique(y.ravel()).size > 2 else "binary"


def column_or_1d(y: Any, *, name: str = "y", warn: bool = True) -> np.ndarray:
    """``y`` as a 1-D array; a column vector ``(n, 1)`` is raveled with a
    :class:`~mlcore.errors.DataConversionWarning`."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        if warn:
            import warnings

            from .errors import data_conversion_warning

            warnings.warn(f"A column-vector {name} was passed when a 1d array was expected. Please change the "
                          f"shape of {name} to (n_samples,), for example using ravel().",
                          data_conversion_warning(), stacklevel=3)
        return y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {y.shape} instead")
    return y


def check_classification_targets(y: Any, *, name: str = "y") -> np.ndarray:
    """Class labels ``y`` as a 1-D array (a column vector is raveled with a warning).

    Raises ``ValueError('Unknown label type: continuous ...')`` for real-valued targets,
    and for complex, infinite or non-label values. String labels in an object array are
    kept (as ``str``).
    """
    if y is None:
        raise ValueError(f"a classifier requires {name} to be passed, but the target {name} is None")
    arr = np.asarray(y)
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} has dtype {arr.dtype}")
    arr = column_or_1d(arr, name=name)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity; class labels must be finite")
    kind = type_of_target(arr)
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"Unknown label type: {kind}. A classifier needs discrete class labels in {name} "
                         "(integers or strings); use a regressor for a continuous target")
    if arr.dtype.hasobject and all(isinstance(v, str) for v in arr.flat):
        arr = arr.astype(str)
    return arr


def check_sample_weight(sample_weight: Any, n_samples: int, *, name: str = "sample_weight",
                        dtype: Any = np.float64, allow_zero_sum: bool = False) -> np.ndarray | None:
    """``None`` or a validated vector ``(n_samples,)`` of non-negative finite weights.

    A scalar is broadcast; negative weights, a length other than ``n_samples`` and (unless
    ``allow_zero_sum``) weights that are all zero raise ``ValueError``.
    """
    if sample_weight is None:
        return None
    sw = check_array(sample_weight, name=name, ndim=(0, 1), dtype=dtype, min_samples=0)
    if sw.ndim == 0:
        sw = np.full(n_samples, sw, dtype=dtype)
    if sw.shape[0] != n_samples:
        raise ValueError(f"{name} has {sw.shape[0]} entries but X has {n_samples} samples")
    if np.any(sw < 0):
        raise ValueError(f"{name} must be non-negative, got {int((sw < 0).sum())} negative weight(s) "
                         f"(smallest {sw.min()})")
    if not allow_zero_sum and not sw.sum() > 0:
        raise ValueError(f"{name} sums to zero: every sample has weight 0, there is nothing to fit")
    return sw


_NO_Y = "no_validation"


def validate_data(estimator: Any, X: Any = _NO_Y, y: Any = _NO_Y, *, reset: bool = True,
                  ndim: int | tuple[int, ...] = 2, dtype: Any = "numeric", accept_sparse: Any = None,
                  allow_nan: bool | None = None, y_numeric: bool | None = None, multi_output: bool | None = None,
                  min_samples: int = 1) -> Any:
    """Validate ``X`` (and ``y``) for ``estimator`` and keep ``n_features_in_``, like
    scikit-learn's ``validate_data``.

    Parameters
    ----------
    estimator : Estimator
        Its tags (``mlcore_tags()``) give the defaults: ``sparse`` (``accept_sparse``),
        ``allow_nan``, ``positive_only`` (negative values raise), ``multi_output`` and its
        kind (a classifier's ``y`` goes through :func:`check_classification_targets`).
    X : array-like, optional
    y : array-like or None, optional
        Omit it to validate ``X`` alone. ``None`` on an estimator whose tags say
        ``requires_y`` raises "requires y to be passed, but the target y is None".
    min_samples : int
        Fewest rows ``X`` may have.
    reset : bool
        True in ``fit``: set ``n_features_in_``. False in ``predict``/``transform``: check
        that the estimator is fitted and that ``X`` has ``n_features_in_`` columns.

    Returns
    -------
    X, or (X, y) when ``y`` is given.
    """
    tags = estimator.mlcore_tags() if hasattr(estimator, "mlcore_tags") else {}
    if not reset:
        check_is_fitted(estimator)
    who = type(estimator).__name__
    out_X = X
    if not (isinstance(X, str) and X == _NO_Y):
        out_X = check_array(
            X, name="X", ndim=ndim, dtype=dtype,
            accept_sparse=tags.get("sparse", False) if accept_sparse is None else accept_sparse,
            allow_nan=tags.get("allow_nan", False) if allow_nan is None else allow_nan, estimator=estimator,
            min_samples=min_samples)
        if tags.get("positive_only") and (out_X.min() if out_X.size else 0) < 0:
            raise ValueError(f"Negative values in data passed to {who}: X must be non-negative")
        n_feat = out_X.shape[1] if out_X.ndim >= 2 else None
        if reset:
            if n_feat is not None:
                estimator.n_features_in_ = n_feat
        elif n_feat is not None and getattr(estimator, "n_features_in_", n_feat) != n_feat:
            raise ValueError(f"X has {n_feat} features, but {who} is expecting {estimator.n_features_in_} "
                             "features as input")
    if isinstance(y, str) and y == _NO_Y:
        return out_X
    if y is None:
        if tags.get("requires_y", False):
            raise ValueError(f"{who} requires y to be passed, but the target y is None")
        return out_X, None
    kind = getattr(estimator, "_estimator_type", None)
    if kind == "classifier" and not y_numeric:
        y = check_classification_targets(y)
    else:
        multi = tags.get("multi_output", False) if multi_output is None else multi_output
        y = check_array(y, name="y", ndim=(1, 2) if multi else (1, 2), allow_nan=False, min_features=0)
        if not multi:
            y = column_or_1d(y)
    if out_X is not X or not isinstance(X, str):
        n = out_X.shape[0]
        if n != len(y):
            raise ValueError(f"X and y have different numbers of samples: {n} and {len(y)}")
    return out_X, y


def check_scalar(value: Any, name: str, kinds: Any = numbers.Real, *, low: Any = None, high: Any = None,
                 low_inclusive: bool = True, high_inclusive: bool = True, allow_none: bool = False,
                 allow_inf: bool = False) -> Any:
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
        raise _arg_error(name, f"{name} must be {expected}, got {_shown(value)} ({type(value).__name__})")
    if isinstance(value, numbers.Real) and (not isinstance(value, numbers.Integral) or isinstance(1.5, kinds)):
        try:  # an int is checked too where a real number is expected: 10**400 is inf as a float
            as_float = float(value)
        except OverflowError:
            as_float = math.inf
        if math.isnan(as_float) or (math.isinf(as_float) and not allow_inf):
            raise _arg_error(name, f"{name} must be a finite number, got {_shown(value)}")
    bad = (low is not None and (value < low if low_inclusive else value <= low)) or \
          (high is not None and (value > high if high_inclusive else value >= high)) or \
          (isinstance(value, float) and np.isnan(value))
    if bad:
        lo = "" if low is None else f"{'>=' if low_inclusive else '>'} {low}"
        hi = "" if high is None else f"{'<=' if high_inclusive else '<'} {high}"
        rng = " and ".join(x for x in (lo, hi) if x)
        raise _arg_error(name, f"{name} must be {rng}, got {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    """``repr`` for an error message, short even for a huge int (whose repr may raise)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value).bit_length() > 200:
        return f"an integer of {int(value).bit_length()} bits"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """Validate that ``value`` is one of ``choices``; raises :class:`ComponentArgumentError`."""
    if value not in choices:
        raise _arg_error(name, f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def _arg_error(name: str, message: str) -> ComponentArgumentError:
    err = ComponentArgumentError(message)
    err.argument = name  # lets mlcore.build point at the argument in the spec text
    return err
