"""The interfaces every component kind implements.

Each kind registered by the core has a base class here. Subclassing is the easy way to
satisfy an interface (it brings ``repr`` as a spec, the save/load state protocol and,
for estimators, scikit-learn compatibility); the registry only requires the methods.

Each interface lists what it requires in ``_required`` (methods, beyond the abstract
ones, that a component of the kind must have); :func:`required_methods` collects them and
the conformance kit (:mod:`mlcore.testing`) checks every item.

Conventions (docs/architecture.md, "Components")
------------------------------------------------
* Hyperparameters are constructor arguments stored verbatim under the same names.
  Use plain classes without ``__slots__``: slotted classes cannot carry the state
  attributes below.
* Learned state is set in ``fit`` (or on first ``forward``) and ends with ``_``.
* Randomness only through a ``random_state`` argument.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any

__all__ = [
    "Component", "Layer", "Optimizer", "Scheduler", "Initializer", "Loss", "Agent",
    "Kernel", "Estimator", "Env", "constructor_params", "check_state_keys",
    "ClassifierMixin", "RegressorMixin", "TransformerMixin", "ClusterMixin", "EstimatorHelpers", "Interval", "Options",
    "required_methods", "missing_methods",
]


def required_methods(interface) -> tuple[str, ...]:
    """Every method a component of ``interface``'s kind must provide: the ``_required``
    tuples of the class and its bases, then its abstract methods, sorted within each."""
    names: list[str] = []
    for base in reversed(getattr(interface, "__mro__", ())):
        names += [n for n in base.__dict__.get("_required", ()) if n not in names]
    names += sorted(n for n in getattr(interface, "__abstractmethods__", ()) if n not in names)
    return tuple(names)


def missing_methods(obj, interface) -> list[str]:
    """The :func:`required_methods` of ``interface`` that ``obj`` lacks (or has but not callable)."""
    return [m for m in required_methods(interface) if not callable(getattr(obj, m, None))]


def constructor_params(cls) -> list[inspect.Parameter]:
    """The hyperparameters of ``cls``: its constructor's named parameters, in order."""
    try:
        sig = inspect.signature(cls)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)]


def check_state_keys(obj, state) -> None:
    """Raise :class:`~mlcore.errors.FileFormatError` unless every key of ``state`` is
    declared state of ``obj`` (``_state_attrs``, ``_state_keys`` or a learned ``name_``
    attribute that is not a constructor parameter, method or property)."""
    from ._state import check_state_keys as check

    check(obj, state)


class Component:
    """Base of every mlcore component: spec ``repr``, parameters and the state protocol.

    ``get_params``/``set_params`` follow scikit-learn (nested ``a__b`` names reach the
    hyperparameters of component-valued hyperparameters).

    ``get_state()`` returns the learned state to save: by default every attribute whose
    name ends with ``_`` (and does not start with one; constructor parameters such as
    ``lambda_`` excluded) plus the attributes named in the
    class attribute ``_state_attrs`` (which may name private attributes, such as a
    random generator ``"_rng"``). Values may be arrays, scalars, strings, None, lists,
    tuples, dicts, numpy Generators (saved with their exact state) and other components. ``set_state(state)`` puts it back.
    Nested hyperparameter components (an optimizer's scheduler, a network's layers)
    are saved by :func:`mlcore.save` through their own ``get_state``.

    Only declared state can be restored (:func:`check_state_keys`, run by ``set_state``
    and by :func:`mlcore.load` for every object, also when a class overrides
    ``set_state``): learned ``name_`` attributes, ``_state_attrs`` and ``_state_keys``
    (extra keys a custom ``get_state`` emits and its ``set_state`` consumes). After
    loading, :func:`mlcore.load` calls ``_check_loaded_state()``, which subclasses extend
    to check restored arrays against what the rebuilt component expects.
    """

    #: what every component provides (the save/load and parameter protocols)
    _required: tuple = ("get_params", "set_params", "get_state", "set_state")
    _state_attrs: tuple = ()
    _state_keys: tuple = ()
    #: learned arrays whose last axis has one entry per input feature (checked against
    #: ``n_features_in_`` after loading)
    _feature_axis_state: tuple = ("coef_", "components_", "feature_importances_", "mean_", "var_", "scale_",
                                  "theta_", "means_", "cluster_centers_", "X_fit_", "X_train_")

    def get_state(self) -> dict:
        hyper = {p.name for p in constructor_params(type(self))}  # e.g. ``lambda_``: in the spec, not state
        state = {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_") and k not in hyper}
        for k in self._state_attrs:
            if hasattr(self, k):
                state[k] = getattr(self, k)
        return state

    def set_state(self, state: dict) -> None:
        check_state_keys(self, state)
        for k, v in state.items():
            setattr(self, k, v)

    def _check_loaded_state(self) -> None:
        """Raise :class:`~mlcore.errors.FileFormatError` when restored state contradicts
        itself; called by :func:`mlcore.load` after ``set_state``. The default checks
        ``n_features_in_`` against the last axis of the ``_feature_axis_state`` arrays and
        ``intercept_`` against ``coef_``; subclasses extend it (call ``super()``)."""
        from ._state import check_feature_axes

        check_feature_axes(self)

    def get_params(self, deep: bool = True) -> dict:
        """Hyperparameters by name (nested ``a__b`` keys for estimator-valued ones if ``deep``)."""
        out: dict[str, Any] = {}
        for p in constructor_params(type(self)):
            value = getattr(self, p.name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{p.name}__{k}", v) for k, v in value.get_params().items())
            out[p.name] = value
        return out

    def set_params(self, **params):
        """Set hyperparameters (``a__b`` sets ``b`` on the component ``a``); returns self."""
        from .errors import ComponentArgumentError

        valid = {p.name for p in constructor_params(type(self))}
        nested: dict[str, dict] = {}
        for key, value in params.items():
            head, sep, rest = key.partition("__")
            if head not in valid:
                import difflib

                close = difflib.get_close_matches(head, sorted(valid), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ComponentArgumentError(
                    f"{type(self).__name__} has no parameter {head!r}{hint} Valid: {', '.join(sorted(valid))}")
            if sep:
                nested.setdefault(head, {})[rest] = value
            else:
                setattr(self, key, value)
        for head, sub in nested.items():
            getattr(self, head).set_params(**sub)
        return self

    def __repr__(self) -> str:
        from ._build import to_spec

        try:
            return to_spec(self)
        except Exception:  # unregistered subclass or unprintable value: fall back
            return object.__repr__(self)


class Layer(Component, ABC):
    """A differentiable layer.

    ``forward(X)`` returns ``Y`` and remembers what ``backward`` needs;
    ``backward(dY)`` returns ``dX`` and fills ``grads`` (same keys as ``params``).
    Parameters are created on the first ``forward`` (or by ``initialize(input_shape)``).
    Layers compute in the dtype they are given (float64 or float32).

    The contract a network relies on (``_required``; the conformance kit checks each
    item and a network checks its layers when it is built):

    * ``initialize(input_shape, dtype="float64", random_state=None)`` creates ``params``
      (and zero ``grads``) for examples of ``input_shape``, batch axis excluded, and
      returns self. It creates exactly the parameters, with the shapes, that ``forward``
      would create lazily. The default suits a layer without parameters.
    * ``output_shape(input_shape)`` is the shape of one output example: the shape
      ``forward`` gives, batch axis excluded. No default: a layer says it.

    A layer may accept ``backward(dY, input_grad=False)`` to skip the input gradient of a
    first layer, and an ``optimizer`` hyperparameter to override the network's optimizer.

    Randomness inside a network: the network passes its numpy ``Generator`` as
    ``initialize(..., random_state=generator)`` (and to ``attach_rng(generator)`` when the
    layer has that method, for draws during ``forward`` such as dropout masks). A layer
    inside a network draws only from that generator: never from its own unseeded state,
    fresh entropy or numpy's global state, so the same network spec and seed give
    identical parameters. The conformance kit checks this for every registered layer.

    Attributes
    ----------
    params, grads : dict of str -> ndarray
        Learnable parameters and their gradients, same keys.
    trainable : bool
        False after ``freeze()``: an optimizer leaves the parameters alone.
    training : bool
        Training mode (dropout active, batch statistics) vs evaluation mode.
    """

    _state_attrs = ("params", "trainable", "training")
    _required = ("forward", "backward", "initialize", "output_shape")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("initialize")
        if callable(init) and not getattr(init, "_records_input_shape", False):
            from ._state import recording_initialize

            cls.initialize = recording_initialize(init)  # records input_shape_ for the load check

    def _check_loaded_state(self) -> None:
        """After :func:`mlcore.load`: the parameters must have the shapes ``initialize``
        creates for the input shape it was last called with (recorded as
        ``input_shape_``, plus ``initialize_kwargs_`` for extra arguments)."""
        from ._state import check_layer_params

        super()._check_loaded_state()
        check_layer_params(self)

    def _expected_param_shapes(self, input_shape, dtype, kwargs) -> dict:
        """``{name: shape}`` of the parameters ``initialize(input_shape, dtype, **kwargs)``
        creates on a fresh twin of this layer."""
        from ._state import twin_param_shapes

        return twin_param_shapes(self, input_shape, dtype, kwargs)

    @property
    def params(self) -> dict:
        d = self.__dict__.get("params")
        if d is None:
            d = self.__dict__["params"] = {}
        return d

    @params.setter
    def params(self, value):
        self.__dict__["params"] = dict(value)

    @property
    def grads(self) -> dict:
        d = self.__dict__.get("grads")
        if d is None:
            d = self.__dict__["grads"] = {}
        return d

    @grads.setter
    def grads(self, value):
        self.__dict__["grads"] = dict(value)

    @property
    def trainable(self) -> bool:
        return self.__dict__.get("trainable", True)

    @trainable.setter
    def trainable(self, value):
        self.__dict__["trainable"] = bool(value)

    @property
    def training(self) -> bool:
        return self.__dict__.get("training", True)

    @training.setter
    def training(self, value):
        self.__dict__["training"] = bool(value)

    @abstractmethod
    def forward(self, X):
        """Compute the layer's output for input ``X``."""

    @abstractmethod
    def backward(self, dY):
        """Given dLoss/dY for the last forward, fill ``grads`` and return dLoss/dX."""

    def initialize(self, input_shape, dtype="float64", random_state=None):
        """Create ``params`` for examples of ``input_shape`` (no batch axis); returns self.

        The default creates none: override it in a layer that has parameters, drawing
        only from ``random_state`` when it is given (the network's generator)."""
        self.params, self.grads = {}, {}
        return self

    @abstractmethod
    def output_shape(self, input_shape):
        """The shape of one output example for one input example of ``input_shape``."""

    def train(self, mode: bool = True):
        """Switch to training mode (or evaluation mode with ``mode=False``); returns self."""
        self.training = mode
        return self

    def eval(self):
        """Switch to evaluation mode; returns self."""
        return self.train(False)

    def freeze(self):
        """Stop parameter updates; returns self."""
        self.trainable = False
        return self

    def unfreeze(self):
        """Resume parameter updates; returns self."""
        self.trainable = True
        return self

    def zero_grads(self):
        """Set every gradient to zero."""
        for k, g in self.grads.items():
            g[...] = 0



class Optimizer(Component, ABC):
    """Updates parameters from their gradients.

    ``step(params, grads)`` updates the arrays of the dict ``params`` in place, keeping
    per-parameter state keyed by name, and advances ``n_steps`` once. Use one optimizer
    instance per set of parameter names (clone it per layer). With a ``scheduler``, step t
    uses ``lr * scheduler.learning_rate(t, cur_loss)``.
    """

    @abstractmethod
    def step(self, params: dict, grads: dict, cur_loss: float | None = None) -> None:
        """Update ``params`` in place from ``grads``."""


class Scheduler(Component, ABC):
    """A learning-rate schedule: ``learning_rate(step, cur_loss=None)`` -> float.

    The value is a factor of the optimizer's own ``lr`` (PyTorch's ``LambdaLR`` and Optax's
    rule): an optimizer given a scheduler steps with ``lr * learning_rate(step, cur_loss)``,
    so a schedule never repeats the base rate. ``cur_loss`` is the loss at the current
    parameters (``sequential`` passes each minibatch's loss through ``Optimizer.step``).
    """

    @abstractmethod
    def learning_rate(self, step: int, cur_loss: float | None = None) -> float:
        """The factor of ``lr`` at optimisation step ``step`` (0-based)."""

    def __call__(self, step: int, cur_loss: float | None = None) -> float:
        return self.learning_rate(step, cur_loss)


class Initializer(Component, ABC):
    """Creates parameter arrays: ``init(shape, random_state=None)`` -> ndarray."""

    @abstractmethod
    def init(self, shape, random_state=None):
        """A new array of ``shape``."""

    def __call__(self, shape, random_state=None):
        return self.init(shape, random_state)


class Loss(Component, ABC):
    """A loss: ``loss(y_true, y_pred)`` -> float and ``grad(y_true, y_pred)`` -> dL/dy_pred."""

    @abstractmethod
    def loss(self, y_true, y_pred) -> float:
        """The loss value."""

    @abstractmethod
    def grad(self, y_true, y_pred):
        """Gradient of :meth:`loss` with respect to ``y_pred`` (same shape)."""

    def __call__(self, y_true, y_pred) -> float:
        return self.loss(y_true, y_pred)


class Kernel(Component, ABC):
    """A positive semi-definite kernel: ``K(X, Y=None)`` -> Gram matrix ``(n_X, n_Y)``."""

    @abstractmethod
    def __call__(self, X, Y=None):
        """Gram matrix between the rows of ``X`` and of ``Y`` (``Y=X`` when None)."""


class Agent(Component, ABC):
    """An acting and learning agent (reinforcement learning or bandits).

    ``act(observation)`` returns an action. Families add their own ``update`` methods
    (for example ``update(observation, action, reward, next_observation, terminated)``
    for RL agents, ``update(action, reward, context=None)`` for bandit policies).
    """

    @abstractmethod
    def act(self, observation=None):
        """Choose an action."""


class Env(Component, ABC):
    """An environment following the Gymnasium API.

    ``reset(seed=None, options=None)`` -> ``(observation, info)``;
    ``step(action)`` -> ``(observation, reward, terminated, truncated, info)``.
    """

    @abstractmethod
    def reset(self, seed=None, options=None):
        """Start an episode."""

    @abstractmethod
    def step(self, action):
        """Apply an action."""


class Estimator(Component, ABC):
    """A model with ``fit``; scikit-learn compatible without depending on it.

    ``get_params``/``set_params`` come from the constructor signature (hyperparameters
    are stored verbatim and never validated in ``__init__``), so ``sklearn.base.clone``,
    ``Pipeline`` and ``GridSearchCV`` work when scikit-learn is installed.

    * Hyperparameters are checked by ``_validate_params()``: the class attribute
      ``_parameter_constraints`` (``{name: constraint}``, see
      :func:`mlcore._mixins.validate_parameter`), then the ``_check_params()`` hook for
      rules across parameters. It runs in :func:`mlcore.build` and, automatically, at the
      start of every ``fit`` and ``partial_fit`` a subclass defines, so ``set_params``
      and direct construction are checked too.
    * Mix in :class:`ClassifierMixin`, :class:`RegressorMixin`, :class:`TransformerMixin`
      or :class:`ClusterMixin` (before ``Estimator``) for ``score``/``fit_transform``/
      ``fit_predict``, ``n_features_in_`` bookkeeping (``_validate_data``, ``_check_X``),
      ``classes_`` handling and sample-weight validation.
    * Tags (class attribute ``_tags``, keys of :data:`mlcore._mixins.DEFAULT_TAGS`, or an
      overridden ``mlcore_tags()`` for tags that depend on hyperparameters) say what input
      the estimator takes; ``__sklearn_tags__`` turns them into scikit-learn's tags.
    """

    _estimator_type: str | None = None
    _parameter_constraints: dict = {}
    _tags: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        from ._mixins import validating

        for name in ("fit", "partial_fit"):
            method = cls.__dict__.get(name)
            if callable(method):
                setattr(cls, name, validating(method))

    @abstractmethod
    def fit(self, X, y=None, **kwargs):
        """Learn from data; returns self."""

    def _validate_params(self) -> None:
        """Check the hyperparameters; raises :class:`~mlcore.errors.ComponentArgumentError`."""
        from ._mixins import signed_error, validate_params
        from .errors import ComponentArgumentError

        try:
            validate_params(self)
        except ComponentArgumentError as exc:
            raise signed_error(self, exc) from None

    def _check_params(self) -> None:
        """Hook for checks across hyperparameters (after the declared constraints)."""

    def mlcore_tags(self) -> dict:
        """This estimator's tags (see :data:`mlcore._mixins.DEFAULT_TAGS`)."""
        from ._mixins import collect_tags

        return collect_tags(self)

    def __sklearn_tags__(self):
        from ._mixins import sklearn_tags

        return sklearn_tags(self, self.mlcore_tags())

    def __sklearn_is_fitted__(self) -> bool:
        hyper = {p.name for p in constructor_params(type(self))}
        return any(k.endswith("_") and not k.startswith("_") and k not in hyper for k in vars(self))


from ._mixins import (  # noqa: E402  (the mixins need nothing from this module)
    ClassifierMixin,
    ClusterMixin,
    EstimatorHelpers,
    Interval,
    Options,
    RegressorMixin,
    TransformerMixin,
)
