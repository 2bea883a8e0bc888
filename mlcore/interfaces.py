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

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np

from ._component import (  # the base of every kind, re-exported here
    Component,
    check_state_keys,
    constructor_params,
    missing_methods,
    required_methods,
)

__all__ = [
    "Component", "Layer", "Optimizer", "Scheduler", "Initializer", "Loss", "Agent",
    "Kernel", "Estimator", "Env", "constructor_params", "check_state_keys",
    "ClassifierMixin", "RegressorMixin", "TransformerMixin", "ClusterMixin", "EstimatorHelpers", "Interval", "Options",
    "required_methods", "missing_methods",
]


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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("initialize")
        if callable(init) and not getattr(init, "_records_input_shape", False):
            from ._state import recording_initialize

            cls.initialize = recording_initialize(init)  # type: ignore[method-assign]  # records input_shape_

    def _check_loaded_state(self) -> None:
        """After :func:`mlcore.load`: the parameters must have the shapes ``initialize``
        creates for the input shape it was last called with (recorded as
        ``input_shape_``, plus ``initialize_kwargs_`` for extra arguments)."""
        from ._state import check_layer_params

        super()._check_loaded_state()
        check_layer_params(self)

    def _expected_param_shapes(self, input_shape: tuple[int, ...], dtype: Any, kwargs: dict) -> dict:
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
    def params(self, value: dict) -> None:
        self.__dict__["params"] = dict(value)

    @property
    def grads(self) -> dict:
        d = self.__dict__.get("grads")
        if d is None:
            d = self.__dict__["grads"] = {}
        return d

    @grads.setter
    def grads(self, value: dict) -> None:
        self.__dict__["grads"] = dict(value)

    @property
    def trainable(self) -> bool:
        return self.__dict__.get("trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.__dict__["trainable"] = bool(value)

    @property
    def training(self) -> bool:
        return self.__dict__.get("training", True)

    @training.setter
    def training(self, value: bool) -> None:
        self.__dict__["training"] = bool(value)

    @abstractmethod
    def forward(self, X: Any) -> Any:
        """Compute the layer's output for input ``X``."""

    @abstractmethod
    def backward(self, dY: Any) -> Any:
        """Given dLoss/dY for the last forward, fill ``grads`` and return dLoss/dX."""

    def initialize(self, input_shape: tuple[int, ...], dtype: Any = "float64", random_state: Any = None) -> Layer:
        """Create ``params`` for examples of ``input_shape`` (no batch axis); returns self.

        The default creates none: override it in a layer that has parameters, drawing
        only from ``random_state`` when it is given (the network's generator)."""
        self.params, self.grads = {}, {}
        return self

    @abstractmethod
    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of one output example for one input example of ``input_shape``."""

    def train(self, mode: bool = True) -> Layer:
        """Switch to training mode (or evaluation mode with ``mode=False``); returns self."""
        self.training = mode
        return self

    def eval(self) -> Layer:
        """Switch to evaluation mode; returns self."""
        return self.train(False)

    def freeze(self) -> Layer:
        """Stop parameter updates; returns self."""
        self.trainable = False
        return self

    def unfreeze(self) -> Layer:
        """Resume parameter updates; returns self."""
        self.trainable = True
        return self

    def zero_grads(self) -> None:
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
    def init(self, shape: tuple[int, ...], random_state: Any = None) -> np.ndarray:
        """A new array of ``shape``."""

    def __call__(self, shape: tuple[int, ...], random_state: Any = None) -> np.ndarray:
        return self.init(shape, random_state)


class Loss(Component, ABC):
    """A loss: ``loss(y_true, y_pred)`` -> float and ``grad(y_true, y_pred)`` -> dL/dy_pred."""

    @abstractmethod
    def loss(self, y_true: Any, y_pred: Any) -> float:
        """The loss value."""

    @abstractmethod
    def grad(self, y_true: Any, y_pred: Any) -> Any:
        """Gradient of :meth:`loss` with respect to ``y_pred`` (same shape)."""

    def __call__(self, y_true: Any, y_pred: Any) -> float:
        return self.loss(y_true, y_pred)


class Kernel(Component, ABC):
    """A positive semi-definite kernel: ``K(X, Y=None)`` -> Gram matrix ``(n_X, n_Y)``."""

    @abstractmethod
    def __call__(self, X: Any, Y: Any = None) -> np.ndarray:
        """Gram matrix between the rows of ``X`` and of ``Y`` (``Y=X`` when None)."""


class Agent(Component, ABC):
    """An acting and learning agent (reinforcement learning or bandits).

    ``act(observation)`` returns an action. Families add their own ``update`` methods
    (for example ``update(observation, action, reward, next_observation, terminated)``
    for RL agents, ``update(action, reward, context=None)`` for bandit policies).
    """

    @abstractmethod
    def act(self, observation: Any = None) -> Any:
        """Choose an action."""


class Env(Component, ABC):
    """An environment following the Gymnasium API.

    ``reset(seed=None, options=None)`` -> ``(observation, info)``;
    ``step(action)`` -> ``(observation, reward, terminated, truncated, info)``.
    """

    @abstractmethod
    def reset(self, seed: int | None = None, options: dict | None = None) -> Any:
        """Start an episode."""

    @abstractmethod
    def step(self, action: Any) -> Any:
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

    _required = ("get_params", "set_params")   # scikit-learn's clone, Pipeline and searches use them
    _estimator_type: str | None = None
    _parameter_constraints: ClassVar[dict] = {}
    _tags: ClassVar[dict] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from ._mixins import validating

        for name in ("fit", "partial_fit"):
            method = cls.__dict__.get(name)
            if callable(method):
                setattr(cls, name, validating(method))

    @abstractmethod
    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> Estimator:
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

    def __sklearn_tags__(self) -> Any:
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
