"""Bookkeeping shared by every optimizer: state, learning rate, clipping, cache blocking.

A subclass says which per-parameter buffers it keeps (``_buffers``), which scalars it
needs once per parameter and step (``_scalars``), and how to update one block of a
parameter in place (``_update``). Everything else lives here:

* ``step(params, grads, cur_loss=None)`` checks the arrays, asks the scheduler for the
  factor of ``lr`` at step ``n_steps_`` (0-based; the step uses ``lr * factor``), and for each parameter that has a
  gradient: clips the gradient, adds L2 weight decay, and calls ``_update``.
* Learned state is ``state_`` (parameter name -> buffer name -> array, plus Adam's
  per-parameter ``step``) and ``n_steps_``; :func:`mlcore.save` stores both, so
  training resumes bit for bit after :func:`mlcore.load`.
* Large contiguous parameters are processed in blocks of ``BLOCK`` elements so that
  the 5-12 element-wise passes of an update run in cache: each array is read from and
  written to memory once per step instead of once per pass.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Optimizer
from mlcore.validation import check_scalar

__all__ = ["BLOCK", "OptimizerBase", "check_unit_interval"]

#: Elements per cache block (float32: 128 KiB per array); see benchmarks/bench_optim.py.
BLOCK = 1 << 15


class OptimizerBase(Optimizer):
    """Base class of the mlcore-optim optimizers (see the module docstring).

    Attributes
    ----------
    state_ : dict of str -> dict
        Per-parameter state (moment buffers, same shape and dtype as the parameter),
        created on the first step that sees the parameter's name.
    n_steps_ : int
        Number of completed ``step`` calls; the scheduler is asked for step ``n_steps_``.
    """

    #: True when ``weight_decay`` is decoupled (AdamW) and handled by ``_update``.
    _decoupled_weight_decay = False

    # The common hyperparameters, set by every subclass's constructor.
    lr: float
    weight_decay: float
    clip_norm: float | None
    scheduler: Any

    # ------------------------------------------------------------------ subclass API
    def _buffers(self) -> tuple[str, ...]:
        """Names of the per-parameter arrays (zero-initialised, like torch)."""
        return ()

    def _scalars(self, state: dict, lr: float, dtype) -> dict:
        """Constants of one parameter's update at this step, cast to ``dtype``.

        Called once per parameter and step, before its blocks are updated; it may
        advance per-parameter counters kept in ``state`` (Adam's ``step``).
        """
        return {"neg_lr": dtype(-lr)}

    def _update(self, p, g, s: dict, tmp, c: dict) -> None:  # pragma: no cover - abstract
        """Update the block ``p`` in place from gradient ``g``, buffers ``s``, scratch ``tmp``."""
        raise NotImplementedError  # abstract

    # ------------------------------------------------------------------ validation
    def _check_common(self) -> None:
        check_scalar(self.lr, "lr", low=0)
        check_scalar(self.weight_decay, "weight_decay", low=0)
        check_scalar(self.clip_norm, "clip_norm", low=0, low_inclusive=False, allow_none=True)
        if self.scheduler is not None and not callable(getattr(self.scheduler, "learning_rate", None)):
            raise ComponentArgumentError(
                f"scheduler must be a scheduler component or None, got {self.scheduler!r}; build one with "
                "mlcore.build('exponential(decay=0.5)', kind='scheduler') or pass it inside the spec")

    # ------------------------------------------------------------------ public API
    def reset(self):
        """Forget all learned state (and the scheduler's, if it keeps any); returns self."""
        self.state_ = {}
        self.n_steps_ = 0
        if hasattr(self.scheduler, "reset"):
            self.scheduler.reset()
        return self

    @property
    def n_steps(self) -> int:
        """Completed steps (``n_steps_``, 0 before the first step)."""
        return getattr(self, "n_steps_", 0)

    def current_lr(self, cur_loss: float | None = None) -> float:
        """The learning rate of the next ``step``: ``lr``, times the scheduler's factor at ``n_steps``.

        The schedule scales the optimizer's own ``lr`` (PyTorch's and Optax's rule).

        With ``king`` this records ``cur_loss`` for that step (a later call for the same
        step, such as ``step`` itself, returns the same rate).
        """
        if self.scheduler is None:
            return float(self.lr)
        factor = float(self.scheduler.learning_rate(self.n_steps, cur_loss))
        if not (factor >= 0 and math.isfinite(factor)):
            raise ValueError(f"the scheduler returned the factor {factor!r} of lr; expected a finite value >= 0")
        return float(self.lr) * factor

    def step(self, params: Mapping, grads: Mapping, cur_loss: float | None = None) -> None:
        """Update ``params`` in place from ``grads``.

        Parameters
        ----------
        params : dict of str -> ndarray
            Floating-point arrays, updated in place (their dtype is kept).
        grads : dict of str -> array-like
            Gradients, same shapes; never modified. Parameters without a gradient
            are left untouched (like torch's ``grad is None``).
        cur_loss : float, optional
            The loss at the current parameters, passed to the scheduler (``king``).
        """
        if not isinstance(params, Mapping) or not isinstance(grads, Mapping):
            raise TypeError("step(params, grads) takes two dicts of arrays keyed by parameter name")
        if not hasattr(self, "n_steps_"):
            self.state_, self.n_steps_ = {}, 0
        todo = []   # check every array and its saved state before updating anything
        for name, g in grads.items():
            p, g = _check_pair(name, params, g)
            todo.append((p, g, self._param_state(name, p)))
        lr = self.current_lr(cur_loss)
        for p, g, state in todo:
            dtype = p.dtype.type
            c = self._scalars(state, lr, dtype)
            self._apply(p, g, state, c, dtype(self._clip_coef(g)), dtype)
        self.n_steps_ += 1

    # ------------------------------------------------------------------ internals
    def _param_state(self, name: str, p: np.ndarray) -> dict:
        state = self.state_.setdefault(name, {})
        for k in self._buffers():
            buf = state.get(k)
            if buf is None:
                state[k] = np.zeros(p.shape, dtype=p.dtype)
            elif buf.shape != p.shape or buf.dtype != p.dtype:
                raise ValueError(
                    f"optimizer state {k!r} of parameter {name!r} has shape {buf.shape} and dtype {buf.dtype}, "
                    f"but the parameter has shape {p.shape} and dtype {p.dtype}; call reset() for a new model")
        return state

    def _clip_coef(self, g: np.ndarray) -> float:
        """Per-tensor clipping: g <- g * clip_norm / ||g||_2 when ||g||_2 > clip_norm."""
        if self.clip_norm is None:
            return 1.0
        norm = float(np.linalg.norm(g.reshape(-1)))
        if not math.isfinite(norm):  # float32 sum of squares may overflow: redo in float64
            norm = float(np.linalg.norm(g.reshape(-1).astype(np.float64)))
        return self.clip_norm / norm if norm > self.clip_norm else 1.0

    def _apply(self, p, g, state, c, coef, dtype):
        names = self._buffers()
        wd = dtype(self.weight_decay) if self.weight_decay and not self._decoupled_weight_decay else None
        own_grad = coef != 1 or wd is not None or g.dtype != p.dtype
        if not own_grad and (p.size <= BLOCK or not p.flags.c_contiguous):   # one block: no generator
            self._update(p, g, state, np.empty(p.shape, p.dtype), c)
            return
        for (pb, gb, *bufs), tmp, gbuf in _blocks(p, g, [state[k] for k in names], own_grad):
            if own_grad:  # effective gradient (clipped, plus L2 decay) in scratch: the caller's g stays intact
                if coef != 1:
                    np.multiply(gb, coef, out=gbuf)
                else:
                    np.copyto(gbuf, gb, casting="same_kind")
                if wd is not None:
                    np.multiply(pb, wd, out=tmp)
                    gbuf += tmp
                gb = gbuf
            self._update(pb, gb, dict(zip(names, bufs)), tmp, c)

    def set_state(self, state: dict) -> None:
        super().set_state(state)
        if isinstance(getattr(self, "state_", None), dict):  # own C-contiguous, writable copies
            self.state_ = {name: {k: np.array(v, order="C") if isinstance(v, np.ndarray) else v
                                  for k, v in s.items()} for name, s in self.state_.items()}


def _check_pair(name, params, g):
    if name not in params:
        raise KeyError(f"grads has an entry {name!r} that params lacks; params has {sorted(params)}")
    p = params[name]
    if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
        got = f"an array of dtype {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
        raise TypeError(f"parameter {name!r} must be a floating-point numpy array (it is updated in place), got {got}")
    if not p.flags.writeable:
        raise ValueError(f"parameter {name!r} is read-only; the optimizer updates parameters in place")
    g = np.asarray(g)
    if g.shape != p.shape:
        raise ValueError(f"gradient {name!r} has shape {g.shape}, expected the parameter's shape {p.shape}")
    if g.dtype.kind not in "fiu":
        raise TypeError(f"gradient {name!r} must be numeric, got dtype {g.dtype}")
    return p, g


def _blocks(p, g, bufs, own_grad):
    """Yield ``([p, g, *bufs] views, tmp, gbuf)`` block by block.

    The loop over blocks is a cache-blocking loop (a few hundred iterations for 10^7
    elements), not a loop over elements. Non-contiguous parameters are one block.
    """
    if not p.flags.c_contiguous or p.size <= BLOCK:
        tmp = np.empty(p.shape, p.dtype)
        yield [p, g, *bufs], tmp, (np.empty(p.shape, p.dtype) if own_grad else None)
        return
    flat = [p.reshape(-1), g.reshape(-1), *(b.reshape(-1) for b in bufs)]
    tmp = np.empty(BLOCK, p.dtype)
    gbuf = np.empty(BLOCK, p.dtype) if own_grad else None
    for start in range(0, p.size, BLOCK):
        stop = min(start + BLOCK, p.size)
        n = stop - start
        yield [a[start:stop] for a in flat], tmp[:n], (gbuf[:n] if own_grad else None)


def check_unit_interval(value, name: str):
    """``0 <= value < 1`` (momentum and decay rates); raises ComponentArgumentError."""
    return check_scalar(value, name, numbers.Real, low=0, high=1, high_inclusive=False)
