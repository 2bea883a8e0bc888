"""Shared estimator behaviour: declared hyperparameter constraints, tags and the
classifier, regressor, transformer and cluster mixins (re-exported by
:mod:`mlcore.interfaces`).

Nothing here imports scikit-learn: :func:`sklearn_tags` builds scikit-learn's ``Tags``
only when scikit-learn asks for them (``__sklearn_tags__``).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .validation import (
    check_choice,
    check_sample_weight,
    check_scalar,
    validate_data,
)

__all__ = [
    "Interval", "Options", "validate_parameter", "DEFAULT_TAGS", "collect_tags", "sklearn_tags",
    "ClassifierMixin", "RegressorMixin", "TransformerMixin", "ClusterMixin", "EstimatorHelpers",
]


# ----------------------------------------------------------------------------- constraints

class Interval:
    """A scalar constraint checked with :func:`~mlcore.validation.check_scalar`.

    ``Interval(numbers.Real, low=0, low_inclusive=False)`` accepts ``x > 0``; the keyword
    arguments are those of ``check_scalar`` (``high``, ``allow_none``, ``allow_inf`` ...).
    """

    def __init__(self, kinds=numbers.Real, **kwargs):
        self.kinds, self.kwargs = kinds, kwargs

    def __call__(self, value, name: str):
        check_scalar(value, name, self.kinds, **self.kwargs)


class Options:
    """A choice constraint checked with :func:`~mlcore.validation.check_choice`."""

    def __init__(self, *choices):
        self.choices = choices

    def __call__(self, value, name: str):
        if isinstance(value, bool) and not any(isinstance(c, bool) for c in self.choices):
            check_choice(object(), name, self.choices)  # True == 1: refuse booleans explicitly
        check_choice(value, name, self.choices)


def validate_parameter(value, name: str, constraint) -> None:
    """Check ``value`` of hyperparameter ``name`` against one declared constraint.

    A constraint is a type or tuple of types (``bool``, ``numbers.Integral``: checked with
    ``check_scalar``), an :class:`Interval`, an :class:`Options`, a ``list`` of
    alternatives (the value must satisfy one of them; ``None`` stands for "None allowed"),
    or any callable ``f(value, name)`` that raises
    :class:`~mlcore.errors.ComponentArgumentError`.
    """
    from .errors import ComponentArgumentError

    if constraint is None:
        if value is not None:
            raise ComponentArgumentError(f"{name} must be None, got {value!r}")
    elif isinstance(constraint, list):
        errors = []
        for c in constraint:
            try:
                validate_parameter(value, name, c)
                return
            except ComponentArgumentError as exc:
                errors.append(str(exc))
        raise ComponentArgumentError(" or ".join(dict.fromkeys(errors)) if errors else f"invalid {name}")
    elif isinstance(constraint, type) or isinstance(constraint, tuple):
        check_scalar(value, name, constraint)
    else:
        constraint(value, name)


def validate_params(obj) -> None:
    """Run every declared ``_parameter_constraints`` entry (merged over the class
    hierarchy), then the ``_check_params()`` hook for rules across parameters."""
    constraints = {}
    for cls in reversed(type(obj).__mro__):
        constraints.update(cls.__dict__.get("_parameter_constraints", {}))
    for name, constraint in constraints.items():
        if constraint == "no_validation":
            continue
        try:
            validate_parameter(getattr(obj, name), name, constraint)
        except Exception as exc:
            exc.argument = name  # type: ignore[attr-defined]  # any error type: lets mlcore.build point at the argument
            raise
    hook = getattr(obj, "_check_params", None)
    if hook is not None:
        hook()


def signed_error(obj, exc):
    """``exc`` (a ComponentArgumentError) re-made as ``"name(): message. Signature: ..."``,
    the message :func:`mlcore.build` and ``fit`` both give for a bad hyperparameter."""
    import inspect

    from ._registry import registry
    from .errors import ComponentArgumentError

    try:
        entry = registry().entry_for(obj)
    except Exception:  # a half-loaded registry must not hide the real error
        entry = None
    label = entry.primary if entry is not None else type(obj).__name__
    try:
        sig = str(inspect.signature(type(obj)))
    except (TypeError, ValueError):
        sig = "(...)"
    err = ComponentArgumentError(f"{label}(): {exc}. Signature: {label}{sig}")
    err.argument = getattr(exc, "argument", None)
    return err


def validating(method):
    """Wrap ``fit``/``partial_fit`` so that ``_validate_params()`` runs first."""
    if getattr(method, "_validates_params", False):
        return method

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        self._validate_params()
        return method(self, *args, **kwargs)

    wrapper._validates_params = True  # type: ignore[attr-defined]  # a marker on the wrapper
    return wrapper


# ----------------------------------------------------------------------------- tags

#: Every tag an estimator may declare in its class attribute ``_tags`` (merged over the
#: class hierarchy, mixins included) or return from an overridden ``mlcore_tags()``.
DEFAULT_TAGS = {
    "requires_y": False,        # fit needs y (classifiers and regressors)
    "two_d_array": True,        # X is a 2-D numeric array; False for text, sequence and image models
    "one_d_array": False,
    "three_d_array": False,
    "string": False,            # X holds strings (documents, tokens)
    "dict": False,
    "categorical": False,       # X holds non-negative integer codes or counts
    "sparse": False,            # fit/predict accept scipy.sparse CSR/CSC without densifying
    "positive_only": False,     # X must be non-negative ("Negative values in data ...")
    "allow_nan": False,
    "multi_output": False,      # y may be 2-D (several targets)
    "positive_y": False,
    "requires_fit": True,
    "non_deterministic": False,
    "poor_score": False,        # the checks' score thresholds do not apply (documented reason)
    "multi_class": True,
    "preserves_dtype": ("float64",),
    "no_validation": False,
}


def collect_tags(obj) -> dict:
    """The tags of ``obj``: :data:`DEFAULT_TAGS`, ``requires_y`` from the estimator kind,
    then each class's ``_tags`` from the most basic class to the most derived."""
    tags = dict(DEFAULT_TAGS)
    tags["requires_y"] = getattr(obj, "_estimator_type", None) in ("classifier", "regressor")
    for cls in reversed(type(obj).__mro__):
        tags.update(cls.__dict__.get("_tags", {}))
    return tags


def sklearn_tags(obj, tags: dict):
    """scikit-learn's ``Tags`` for ``obj`` from mlcore ``tags`` (imports scikit-learn)."""
    from sklearn.utils import (
        ClassifierTags,
        InputTags,
        RegressorTags,
        Tags,
        TargetTags,
        TransformerTags,
    )

    kind = getattr(obj, "_estimator_type", None)
    return Tags(
        estimator_type=kind if kind in ("classifier", "regressor", "clusterer", "density_estimator",
                                        "outlier_detector") else None,
        target_tags=TargetTags(required=tags["requires_y"], positive_only=tags["positive_y"],
                               multi_output=tags["multi_output"], single_output=True),
        transformer_tags=(TransformerTags(preserves_dtype=list(tags["preserves_dtype"]))
                          if hasattr(obj, "transform") else None),
        classifier_tags=(ClassifierTags(poor_score=tags["poor_score"], multi_class=tags["multi_class"])
                         if kind == "classifier" else None),
        regressor_tags=RegressorTags(poor_score=tags["poor_score"]) if kind == "regressor" else None,
        no_validation=tags["no_validation"],
        non_deterministic=tags["non_deterministic"],
        requires_fit=tags["requires_fit"],
        input_tags=InputTags(
            one_d_array=tags["one_d_array"], two_d_array=tags["two_d_array"],
            three_d_array=tags["three_d_array"], sparse=tags["sparse"], categorical=tags["categorical"],
            string=tags["string"], dict=tags["dict"], positive_only=tags["positive_only"],
            allow_nan=tags["allow_nan"]),
    )


# ----------------------------------------------------------------------------- mixins

class EstimatorHelpers:
    """Validation helpers every mixin shares (also usable alone)."""

    def _validate_data(self, X="no_validation", y="no_validation", *, reset: bool = True, **kwargs):
        """:func:`mlcore.validation.validate_data` for this estimator (``n_features_in_``
        set when ``reset``, checked otherwise)."""
        return validate_data(self, X, y, reset=reset, **kwargs)

    def _check_X(self, X, **kwargs):
        """``X`` for ``predict``/``transform``: fitted, validated, ``n_features_in_`` columns."""
        return validate_data(self, X, reset=False, **kwargs)

    def _check_sample_weight(self, sample_weight, n_samples: int, **kwargs):
        """Validated ``sample_weight`` (None, or a non-negative vector of ``n_samples``)."""
        return check_sample_weight(sample_weight, n_samples, **kwargs)


class ClassifierMixin(EstimatorHelpers):
    """Classifier: accuracy ``score``, ``classes_`` bookkeeping, classifier tags.

    In ``fit``: ``X, y = self._validate_data(X, y)`` (labels checked, a column vector
    raveled with a ``DataConversionWarning``, continuous targets refused), then
    ``y_idx = self._encode_classes(y)`` sets ``classes_`` and gives indices into it.
    ``partial_fit`` passes ``classes=`` through ``_encode_classes(y, classes)``.
    """

    _estimator_type: str | None = "classifier"
    classes_: np.ndarray
    predict: Callable[..., Any]  # provided by the estimator the mixin is combined with
    _tags: ClassVar[dict] = {"requires_y": True}

    def _encode_classes(self, y, classes=None, *, first_call: bool | None = None):
        """Set ``classes_`` (from ``classes``, else ``y``) and return ``y`` as indices into it.

        With ``first_call=False`` (``partial_fit`` after the first call) the known
        ``classes_`` are kept and labels outside them raise ``ValueError``.
        """
        y = np.asarray(y)
        if first_call is False and hasattr(self, "classes_"):
            if classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
                raise ValueError(f"classes={list(classes)!r} differs from the classes of the first "
                                 f"partial_fit call {list(self.classes_)!r}")
            known = self.classes_
        elif classes is not None:
            known = np.unique(np.asarray(classes))
        elif first_call is not None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        else:
            known = np.unique(y)
        idx = np.searchsorted(known, y)
        idx = np.clip(idx, 0, len(known) - 1)
        bad = known[idx] != y
        if np.any(bad):
            raise ValueError(f"y contains labels {sorted(set(y[bad].tolist()))[:10]} not among the classes "
                             f"{known.tolist()[:20]}")
        self.classes_ = known
        return idx

    def score(self, X, y, sample_weight=None) -> float:
        """Mean (weighted) accuracy of ``predict(X)`` against the labels ``y``."""
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        correct = (np.asarray(self.predict(X)) == y).astype(np.float64)
        sw = check_sample_weight(sample_weight, len(y))
        return float(correct.mean() if sw is None else sw @ correct / sw.sum())


class RegressorMixin(EstimatorHelpers):
    """Regressor: ``score`` = coefficient of determination R^2 (``r2_score`` semantics)."""

    _estimator_type: str | None = "regressor"
    predict: Callable[..., Any]
    _tags: ClassVar[dict] = {"requires_y": True}

    def score(self, X, y, sample_weight=None) -> float:
        """R^2 of ``predict(X)`` against ``y``, averaged uniformly over outputs.

        ``1 - sum w (y - y_hat)^2 / sum w (y - mean_w(y))^2``; a constant target gives
        1.0 when predicted exactly and 0.0 otherwise.
        """
        from .validation import check_array

        y = check_array(y, name="y", ndim=(1, 2), min_features=0)
        pred = np.asarray(self.predict(X), dtype=np.float64)
        if pred.shape != y.shape:
            pred = pred.reshape(y.shape)
        sw = check_sample_weight(sample_weight, len(y))
        w = np.ones(len(y)) if sw is None else sw
        y2 = y.reshape(len(y), -1)
        r = pred.reshape(len(y), -1) - y2
        ss_res = w @ (r * r)
        ss_tot = w @ (y2 - (w @ y2) / w.sum()) ** 2
        ok = ss_tot != 0
        r2 = np.where(ok, 1.0 - ss_res / np.where(ok, ss_tot, 1.0), np.where(ss_res == 0, 1.0, 0.0))
        return float(r2.mean())


class TransformerMixin(EstimatorHelpers):
    """Transformer: ``fit_transform(X, y=None, **fit_params)`` = ``fit`` then ``transform``.

    Override ``fit_transform`` when fitting already computes the transform.
    """

    fit: Callable[..., Any]  # provided by the estimator the mixin is combined with

    def fit_transform(self, X, y=None, **fit_params):
        """Fit to ``X`` (and ``y``), then transform ``X``."""
        if y is None:
            return self.fit(X, **fit_params).transform(X)
        return self.fit(X, y, **fit_params).transform(X)


class ClusterMixin(EstimatorHelpers):
    """Clusterer: ``fit_predict(X)`` = ``fit(X)`` then its ``labels_`` (or ``predict(X)``)."""

    _estimator_type: str | None = "clusterer"
    fit: Callable[..., Any]  # provided by the estimator the mixin is combined with
    predict: Callable[..., Any]

    def fit_predict(self, X, y=None, **fit_params):
        """Fit to ``X`` and return the cluster label of each sample."""
        self.fit(X, **fit_params)
        return self.labels_ if hasattr(self, "labels_") else self.predict(X)

