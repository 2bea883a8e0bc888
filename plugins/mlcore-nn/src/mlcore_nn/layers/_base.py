"""Shared plumbing of the mlcore-nn layers (not a registered component)."""

from __future__ import annotations

import numbers
import threading
from typing import ClassVar

import numpy as np

from mlcore.interfaces import Layer
from mlcore.validation import check_random_state

__all__ = ["NNLayer", "as_component", "check_int", "float_input", "identity_act"]

_SHAPES_ONLY = threading.local()   # set by NNLayer._expected_param_shapes (load's shape check)


def as_component(value, kind):
    """A component from a component, a spec string or a mapping (None stays None)."""
    if value is None or not isinstance(value, (str, dict)):
        return value
    import mlcore

    return mlcore.build(value, kind=kind)


def check_int(value, name, low=1, allow_none=False):
    from mlcore.errors import ComponentArgumentError

    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ComponentArgumentError(f"{name} must be an int >= {low}, got {value!r}")
    return value


def check_shape_arg(value, name, low=1):
    """An int or a pair of ints, each >= low (returned verbatim)."""
    from mlcore.errors import ComponentArgumentError

    items = value if isinstance(value, (tuple, list)) else (value,)
    if isinstance(value, (tuple, list)) and len(value) != 2 or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= low for v in items):
        raise ComponentArgumentError(f"{name} must be an int >= {low} or a pair of them, got {value!r}")
    return value


def float_input(X, name="X", ndim=None):
    """``X`` as a float ndarray (ints become float64) with the expected number of dimensions."""
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.floating):
        if X.dtype.hasobject or not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
            raise TypeError(f"{name} must be a numeric array, got dtype {X.dtype}")
        X = X.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if X.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {X.shape}")
    if X.ndim >= 1 and X.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (shape {X.shape}): a layer needs at least one example")
    return X


def colsum(A):
    """Column sums of a 2-D array by a BLAS matrix-vector product (for tall arrays much
    faster than ``A.sum(axis=0)``)."""
    return np.ones(A.shape[0], dtype=A.dtype) @ A


_IDENTITY = None


def identity_act():
    global _IDENTITY
    if _IDENTITY is None:
        from ..activations.elementwise import Identity

        _IDENTITY = Identity()
    return _IDENTITY


class NNLayer(Layer):
    """Base of the mlcore-nn layers: lazy parameter creation, activation, RNG, summary.

    Subclasses implement ``_create_params(input_shape, dtype, rng)`` (input_shape
    without the batch axis), ``output_shape(input_shape)``, ``forward`` and ``backward``.
    ``initialize(input_shape, dtype, random_state)`` creates the parameters explicitly.
    """

    spec_kinds: ClassVar[dict] = {"act_fn": "activation", "init": "initializer", "optimizer": "optimizer"}
    default_init = "glorot_uniform"
    _state_keys = ("rng",)   # get_state adds the layer's own generator under this key

    # ------------------------------------------------------------------ components
    @property
    def act(self):
        """The activation component (identity when ``act_fn`` is None)."""
        a = getattr(self, "act_fn", None)
        return identity_act() if a is None else a

    def _act_forward(self, Z):
        """f(Z) for the layer's own, freshly computed Z (an activation offering
        ``fn_inplace`` overwrites it: Z stays valid for ``backprop``)."""
        act = getattr(self, "act_fn", None)
        if act is None:
            return Z
        inplace = getattr(act, "fn_inplace", None)
        return inplace(Z) if inplace is not None else act.fn(Z)

    def _act_backward(self, dY, Z):
        act = getattr(self, "act_fn", None)
        if act is None:
            return dY
        fused = getattr(act, "backprop", None)     # dY * f'(Z) in one pass (e.g. ReLU)
        return fused(dY, Z) if fused is not None else dY * act.grad(Z)

    def _initializer(self):
        init = getattr(self, "init", None)
        if init is None:
            import mlcore

            init = mlcore.build(self.default_init, kind="initializer")
        return init

    def _new_param(self, shape, dtype, rng):
        if getattr(_SHAPES_ONLY, "on", False):   # load's shape check: a read-only placeholder
            return np.broadcast_to(np.zeros((), dtype=dtype), shape)
        return self._initializer().init(shape, rng, gain=self.act.gain, dtype=dtype)

    # ------------------------------------------------------------------ randomness
    def _generator(self):
        """The layer's generator: the one attached by a network, else one from ``random_state``."""
        rng = self.__dict__.get("_rng")
        if rng is None:
            rng = self.__dict__["_rng"] = check_random_state(getattr(self, "random_state", None))
            self.__dict__["_own_rng"] = True
        return rng

    def attach_rng(self, rng):
        """Use ``rng`` (a shared numpy Generator) for initialisation and dropout masks."""
        if getattr(self, "random_state", None) is None:
            self.__dict__["_rng"] = rng
            self.__dict__["_own_rng"] = False
        return self

    def get_state(self) -> dict:
        """Parameters, modes and learned attributes, plus the layer's own random generator
        (saved exactly by :func:`mlcore.save`, which restores only numpy's own bit
        generators): dropout masks continue identically after save/load."""
        state = super().get_state()
        rng = self.__dict__.get("_rng")
        if rng is not None and self.__dict__.get("_own_rng"):
            state["rng"] = rng
        return state

    def set_state(self, state: dict) -> None:
        state = dict(state)
        rng = state.pop("rng", None)
        super().set_state(state)
        if rng is not None:
            if not isinstance(rng, np.random.Generator):
                from mlcore.errors import FileFormatError

                raise FileFormatError(f"{type(self).__name__}: the saved 'rng' is a {type(rng).__name__}, "
                                      "not a numpy Generator")
            self.__dict__["_rng"] = rng
            self.__dict__["_own_rng"] = True

    # ------------------------------------------------------------------ parameters
    @property
    def initialized(self) -> bool:
        return bool(self.params) or not self._has_params

    _has_params = True

    #: number of dimensions of an input batch (batch axis included) when it is fixed,
    #: with its layout for error messages; None: any rank
    input_ndim: ClassVar[int | None] = None
    input_layout: ClassVar[str] = ""

    def _check_example_shape(self, input_shape):
        """A ValueError naming the layer, the expected and the received shape when examples
        of ``input_shape`` have the wrong number of dimensions for this layer."""
        if self.input_ndim is not None and len(input_shape) + 1 != self.input_ndim:
            import mlcore

            raise ValueError(
                f"{mlcore.to_spec(self)} expects input of {self.input_ndim} dimensions {self.input_layout}, "
                f"got examples of shape {tuple(input_shape)} (input of {len(input_shape) + 1} dimensions)")

    def initialize(self, input_shape, dtype="float64", random_state=None):
        """Create the parameters for examples of ``input_shape`` (no batch axis); returns self."""
        self._check_example_shape(input_shape)
        rng = check_random_state(random_state) if random_state is not None else self._generator()
        if input_shape and isinstance(input_shape[0], (tuple, list)):   # a layer of several inputs
            shape = tuple(tuple(int(v) for v in s) for s in input_shape)
        else:
            shape = tuple(int(s) for s in input_shape)
        self.params = self._create_params(shape, np.dtype(dtype), rng)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        return self

    def _expected_param_shapes(self, input_shape, dtype, kwargs) -> dict:
        """As Layer's, but weights made by ``_new_param`` are read-only placeholders
        (nothing allocated); a layer writing into its new weights gets real ones."""
        _SHAPES_ONLY.on = True
        try:
            return super()._expected_param_shapes(input_shape, dtype, kwargs)
        except ValueError:
            _SHAPES_ONLY.on = False
            return super()._expected_param_shapes(input_shape, dtype, kwargs)
        finally:
            _SHAPES_ONLY.on = False

    def _create_params(self, input_shape, dtype, rng):
        return {}

    def _ensure_params(self, X):
        if self._has_params and not self.params:
            self.initialize(X.shape[1:], X.dtype)

    def output_shape(self, input_shape):
        """Shape of one output example for one input example of ``input_shape``."""
        return tuple(input_shape)

    @property
    def n_params(self) -> int:
        return int(sum(v.size for v in self.params.values()))

    def _grad_buffer(self, name, shape, dtype):
        """The array ``grads[name]`` is written into (reused between steps, as a framework
        reuses its ``.grad`` tensors); a new one when missing or of another shape."""
        g = self.grads.get(name)
        if g is None or g.shape != tuple(shape) or g.dtype != dtype or not g.flags.writeable \
                or not g.flags.c_contiguous:
            g = np.empty(shape, dtype=dtype)
        return g

    def _scratch(self, name, shape, dtype, fresh=False):
        """A reusable work array (never returned to the caller): large temporaries are
        kept between steps instead of being page-faulted in anew each time. With
        ``fresh=True`` returns ``(array, newly_created)``."""
        bufs = self.__dict__.setdefault("_buffers", {})
        buf = bufs.get(name)
        new = buf is None or buf.shape != tuple(shape) or buf.dtype != dtype
        if new:
            buf = bufs[name] = np.empty(shape, dtype=dtype)
        return (buf, new) if fresh else buf

    def _no_forward(self):
        raise RuntimeError(f"{type(self).__name__}.backward called before forward")
