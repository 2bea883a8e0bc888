"""Base of the composite layers: sub-layers built from specs, one flat parameter dict.

A composite owns private sub-layers (built from spec strings on the first ``forward``)
and exposes their parameters in its own ``params`` under ``"<sub>.<name>"`` keys: the
SAME array objects, so one optimizer step on ``module.params`` updates every part.
Before each forward the sub-layers are re-bound to ``params`` (after :func:`mlcore.load`
or any replacement of the arrays), and their other learned state (batch-norm running
statistics) is saved with the module. numpy-ml's modules broke on the second forward
after ``update``; here nothing is reset between calls.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mlcore.validation import check_random_state

from ..layers._base import NNLayer

_INTERNAL = ("params", "trainable", "training", "rng")


class Composite(NNLayer):
    spec_kinds: ClassVar[dict] = {"init": "initializer", "optimizer": "optimizer"}

    def _sub_specs(self, input_shape) -> dict:  # pragma: no cover - abstract
        """Ordered ``{name: spec string}`` of the sub-layers for ``input_shape``."""
        raise NotImplementedError  # abstract

    # ------------------------------------------------------------------ construction
    def initialize(self, input_shape, dtype="float64", random_state=None):
        import mlcore

        self._check_example_shape(input_shape)
        rng = check_random_state(random_state) if random_state is not None else self._generator()
        shape = tuple(int(s) for s in input_shape)
        subs = {}
        for name, spec in self._sub_specs(shape).items():
            layer = mlcore.build(spec, kind="layer")
            if self.init is not None and "init" in getattr(layer, "__dict__", {}) and layer.init is None:
                layer.init = self.init
            layer.attach_rng(rng)
            subs[name] = layer
        self._subs = subs
        self._build_shapes(shape, dtype)
        self.input_shape_ = shape
        self.params = {f"{n}.{k}": v for n, layer in subs.items() for k, v in layer.params.items()}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        return self

    def _build_shapes(self, shape, dtype):
        """Initialise each sub-layer for its input shape (default: a chain)."""
        for layer in self._subs.values():
            layer.initialize(shape, dtype)
            shape = layer.output_shape(shape)

    def _ensure(self, X):
        if not self.params:
            self.initialize(X.shape[1:], X.dtype)
        elif "_subs" not in self.__dict__:
            self._rebuild()
        self._bind()

    def _rebuild(self):
        """Recreate the sub-layers after a load, then restore their state."""
        params = self.params
        self.initialize(self.input_shape_, next(iter(params.values())).dtype, random_state=0)
        self.params = params
        for name, st in (self.__dict__.pop("_pending_sub_state", None) or {}).items():
            self._subs[name].set_state(st)

    def _bind(self):
        for n, layer in self._subs.items():
            layer.params = {k: self.params[f"{n}.{k}"] for k in layer.params}
            layer.training = self.training
            layer.trainable = self.trainable

    def _collect_grads(self):
        if self.trainable:
            self.grads = {f"{n}.{k}": v for n, layer in self._subs.items() for k, v in layer.grads.items()}

    # ------------------------------------------------------------------ state
    def get_state(self) -> dict:
        state = super().get_state()
        subs = self.__dict__.get("_subs")
        if subs is not None:
            sub = {}
            for n, layer in subs.items():
                st = {k: v for k, v in layer.get_state().items() if k not in _INTERNAL}
                if st:
                    sub[n] = st
            state["sub_state_"] = sub
        return state

    def set_state(self, state: dict) -> None:
        state = dict(state)
        sub = state.pop("sub_state_", None)
        super().set_state(state)
        if isinstance(self.__dict__.get("input_shape_"), (list, np.ndarray)):
            self.input_shape_ = tuple(int(s) for s in self.input_shape_)
        self.__dict__.pop("_subs", None)
        self.__dict__["_pending_sub_state"] = sub or {}
        if self.params:
            self._rebuild()
            self._bind()

    def output_shape(self, input_shape):
        shape = tuple(input_shape)
        if "_subs" not in self.__dict__:
            self.initialize(shape)
        for layer in self._subs.values():
            shape = layer.output_shape(shape)
        return shape
