"""``sequential``: a feed-forward network estimator built from one spec."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mlcore.interfaces import ClassifierMixin, Estimator, EstimatorHelpers, Options, RegressorMixin
from mlcore.progress import progress_bar
from mlcore.validation import check_array, check_classification_targets, check_is_fitted, check_random_state

from .functional import batch_indices
from .layers._base import as_component

__all__ = ["Sequential"]


def _clone(component, kind):
    import mlcore

    return mlcore.build(mlcore.to_spec(component, full=True), kind=kind)


class Sequential(EstimatorHelpers, Estimator):
    """A stack of layers trained by minibatch gradient descent.

    Parameters
    ----------
    layers : list of layer
        Applied in order. They are templates: ``fit`` builds fresh copies (``layers_``)
        from their specs, so refitting starts from scratch.
    loss : loss
        For example ``softmax_cross_entropy`` (classification from logits),
        ``squared_error`` (regression), ``binary_cross_entropy``.
    optimizer : optimizer, optional
        Cloned once per layer with parameters (``adam(lr=0.001)`` when None); a layer
        with its own ``optimizer`` uses a clone of that instead. No two layers share
        optimizer state. Each step passes the minibatch loss as ``cur_loss``, so
        loss-driven schedules (``king``) work.
    dtype : {"float64", "float32"}
        Dtype of parameters and computation.
    random_state : int, Generator or None
        Seeds initialisation, shuffling and dropout: same seed, same network.

    Attributes
    ----------
    layers_ : list of layer
        The trained layers (parameters in ``layer.params``).
    optimizers_ : list of optimizer or None
        One per layer (None for layers without parameters).
    classes_ : ndarray
        Class labels, for classification losses with 1-D labels.
    history_ : dict of str -> list of float
        Per-epoch ``loss`` (mean training loss), and ``val_loss`` / ``val_accuracy``
        with ``validation_data``; plus ``accuracy`` for classification.
    n_steps_, epochs_ : int
        Optimisation steps and epochs done so far.

    Notes
    -----
    ``fit`` returns ``self`` (scikit-learn convention); the history is ``history_``, also
    readable as ``net.fit(...).history`` (Keras' ``History.history``).
    ``partial_fit`` continues training (initialising first if needed). ``mlcore.save``
    stores layers, optimizer states, the random generator's state and the history, so
    a loaded network predicts identically and continues training identically.

    Example
    -------
    >>> import mlcore
    >>> net = mlcore.build("sequential(layers=[dense(n_out=64, act_fn=relu), dense(n_out=10)], "
    ...                    "loss=softmax_cross_entropy, optimizer=adam(lr=1e-3), random_state=0)")
    >>> # net.fit(X, y, epochs=10, batch_size=32).predict(X_test)
    """

    spec_kinds: ClassVar[dict] = {"layers": "layer", "loss": "loss", "optimizer": "optimizer"}

    _parameter_constraints: ClassVar[dict] = {"dtype": Options("float64", "float32")}

    def __init__(self, layers, loss, optimizer=None, dtype: str = "float64", random_state=None):
        self.layers = layers
        self.loss = loss
        self.optimizer = optimizer
        self.dtype = dtype
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(40, 4))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        return {"spec": "sequential(layers=[dense(n_out=8, act_fn=relu), dropout(p=0.1), dense(n_out=2)], "
                        "loss=softmax_cross_entropy, optimizer=sgd(lr=0.1), random_state=0)",
                "fit": (X, y)}

    def _check_params(self) -> None:
        """Every layer keeps the layer contract (run by ``mlcore.build`` and at ``fit``): an
        error naming the layer and the missing methods, not an AttributeError while fitting."""
        from mlcore.errors import ComponentArgumentError
        from mlcore.interfaces import Layer, missing_methods

        layers = self.layers
        if isinstance(layers, (str, bytes)) or not isinstance(layers, (list, tuple)) or not layers:
            raise ComponentArgumentError(f"layers must be a non-empty list of layers, got {layers!r}")
        for i, spec in enumerate(layers):
            layer = as_component(spec, "layer")
            missing = missing_methods(layer, Layer)
            if missing:
                import mlcore

                try:
                    name = mlcore.to_spec(layer)
                except Exception:  # not a registered component
                    name = type(layer).__name__
                raise ComponentArgumentError(
                    f"layers[{i}] ({name}) lacks {', '.join(missing)}: a layer of a sequential needs "
                    f"{', '.join(Layer._required)} (see mlcore.interfaces.Layer)")

    @property
    def history(self) -> dict:
        """The per-epoch metrics (``history_``), so that ``net.fit(...).history["loss"]``
        reads like Keras' ``History`` while ``fit`` returns the network itself."""
        check_is_fitted(self, "history_")
        return self.history_

    # ------------------------------------------------------------------ helpers
    @property
    def _loss_fn(self):
        return as_component(self.loss, "loss")

    @property
    def _estimator_type(self):
        from .losses import CrossEntropy, SoftmaxCrossEntropy

        return "classifier" if isinstance(self._loss_fn, (SoftmaxCrossEntropy, CrossEntropy)) else "regressor"

    def _prepare_X(self, X, reset: bool = False):
        """X (n, ...) in the first layer's layout; ``n_features_in_`` kept for 2-D input."""
        first = as_component(self.layers[0], "layer")
        from .layers.embedding import Embedding

        if isinstance(first, Embedding):
            X = check_array(X, name="X", dtype=None)
            if not np.issubdtype(X.dtype, np.integer):
                raise TypeError(f"a network starting with an embedding takes integer ids, got dtype {X.dtype}")
            return X
        if not reset:
            check_is_fitted(self, "layers_")
        return self._validate_data(X, reset=reset, ndim=(2, 3, 4, 5), dtype=self.dtype)

    def _prepare_y(self, y, n):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(f"X and y have different numbers of samples: {n} and {len(y)}")
        if self._estimator_type == "classifier" and (y.ndim == 1 or y.ndim == 2 and y.shape[1] == 1):
            y = check_classification_targets(y)     # finite labels, not continuous; a column is raveled
            if not hasattr(self, "classes_"):      # trained on target rows: labels are column indices
                if not np.issubdtype(y.dtype, np.integer):
                    raise ValueError("this network was trained on target rows; give labels as column indices")
                return y
            idx = np.searchsorted(self.classes_, y)
            idx = np.clip(idx, 0, len(self.classes_) - 1)
            if not np.array_equal(self.classes_[idx], y):
                raise ValueError(f"y holds labels not seen in the first fit; known classes: {self.classes_}")
            return idx
        y = check_array(y, name="y", dtype=self.dtype)
        if y.ndim == 1:
            y = y[:, None]
        return y

    def _initialize(self, X, y, classes=None):
        rng = check_random_state(self.random_state)
        self._rng = rng
        layers = [_clone(as_component(spec, "layer"), "layer") for spec in self.layers]
        shape = X.shape[1:]
        self.input_shape_ = tuple(int(s) for s in shape)
        for i, layer in enumerate(layers):
            if hasattr(layer, "attach_rng"):
                layer.attach_rng(rng)
            # the layer contract: a layer without its own seed draws only from the network's generator
            own_seed = getattr(layer, "random_state", None)
            layer.initialize(shape, self.dtype, random_state=rng if own_seed is None else None)
            shape = _checked_output_shape(layer, shape, i)
        default = as_component(self.optimizer, "optimizer")
        if default is None:
            import mlcore

            default = mlcore.build("adam", kind="optimizer")
        optimizers = []
        for layer in layers:
            own = getattr(layer, "optimizer", None)
            if own is None and getattr(layer, "layer", None) is not None:
                own = getattr(layer.layer, "optimizer", None)
            optimizers.append(_clone(own if own is not None else default, "optimizer") if layer.params else None)
        self.layers_ = layers
        self.optimizers_ = optimizers
        if self._estimator_type == "classifier" and np.ndim(y) == 1:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
            n_out = int(np.prod(shape)) if len(shape) else 1
            if n_out < len(self.classes_):
                raise ValueError(f"the network has {n_out} outputs but y has {len(self.classes_)} classes "
                                 f"{self.classes_.tolist()[:10]}: give the last layer n_out >= the number of classes")
        self.y_ndim_ = int(np.ndim(y))
        self.n_steps_ = 0
        self.epochs_ = 0
        self.history_ = {}

    # ------------------------------------------------------------------ state
    _state_attrs = ("_rng",)  # saved exactly by mlcore.save; shared with the layers again on load

    def set_state(self, state: dict) -> None:
        super().set_state(state)
        if "_rng" in state:
            for layer in self.layers_:
                if hasattr(layer, "attach_rng"):
                    layer.attach_rng(self._rng)
        for k in ("input_shape_",):
            if isinstance(getattr(self, k, None), (list, np.ndarray)):
                setattr(self, k, tuple(int(s) for s in getattr(self, k)))

    # ------------------------------------------------------------------ training
    def fit(self, X, y, epochs: int = 10, batch_size: int = 32,  # type: ignore[override]  # y is required
            validation_data=None, shuffle: bool = True, progress=None, callbacks=None):
        """Train from scratch; returns self (per-epoch metrics in ``history_``).

        Parameters
        ----------
        X : ndarray (n, ...)
            Inputs in the first layer's layout (integer ids for an embedding).
        y : ndarray (n,) or (n, n_outputs)
            Class labels for classification losses (or target rows), targets otherwise.
        epochs, batch_size : int
        validation_data : (X_val, y_val), optional
        shuffle : bool
            Reshuffle the examples every epoch.
        progress : bool, optional
            tqdm progress bar (None: only when attached to a terminal and tqdm is installed).
        callbacks : list of callables, optional
            ``callback(model, epoch, logs)`` after every epoch; returning True stops training.
        """
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, k)
        return self.partial_fit(X, y, epochs, batch_size, validation_data, shuffle, progress, callbacks)

    def partial_fit(self, X, y, epochs: int = 1, batch_size: int = 32, validation_data=None, shuffle: bool = True,
                    progress=None, callbacks=None, *, classes=None):
        """Continue training for ``epochs`` more epochs (initialising first if unfitted); returns self.

        ``classes`` (classification, first call): every label that can appear, when the first
        batch may not hold them all (otherwise the labels of the first batch)."""
        first = not hasattr(self, "layers_")
        X = self._prepare_X(X, reset=first)
        if first:
            if y is None:
                raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
            y_raw = np.asarray(y)
            if len(y_raw) != len(X):
                raise ValueError(f"X and y have different numbers of samples: {len(X)} and {len(y_raw)}")
            if self._estimator_type == "classifier" and (y_raw.ndim == 1 or y_raw.ndim == 2 and y_raw.shape[1] == 1):
                y_raw = check_classification_targets(y_raw)
            self._initialize(X, y_raw, classes)
        elif tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(f"X has example shape {X.shape[1:]}, the network was built for {self.input_shape_}")
        y = self._prepare_y(y, len(X))
        for name, v in (("epochs", epochs), ("batch_size", batch_size)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be an int >= 1, got {v!r}")
        loss_fn = self._loss_fn
        bar = progress_bar(progress, epochs, unit="epoch")
        for _ in range(epochs):  # epochs and minibatches are inherently sequential
            self._set_training(True)
            total, correct, count = 0.0, 0, 0
            for idx in batch_indices(len(X), batch_size, shuffle, self._rng):
                out, loss = self._step(X[idx], y[idx], loss_fn)
                total += loss * len(idx)
                count += len(idx)
                if self._estimator_type == "classifier" and y.ndim == 1:
                    correct += int((out.argmax(axis=1) == y[idx]).sum())
            self.epochs_ += 1
            logs: dict[str, float] = {"loss": total / count}
            if self._estimator_type == "classifier" and y.ndim == 1:
                logs["accuracy"] = correct / count
            if validation_data is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(*validation_data).items()})
            for key, value in logs.items():
                self.history_.setdefault(key, []).append(float(value))
            if bar is not None:
                bar.update(1)
                bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()})
            stops = [bool(cb(self, self.epochs_ - 1, logs)) for cb in callbacks or ()]   # call every callback
            if any(stops):
                break
        if bar is not None:
            bar.close()
        self._set_training(False)
        return self

    def _set_training(self, mode):
        for layer in self.layers_:
            layer.train(mode)

    def _step(self, Xb, yb, loss_fn):
        out = Xb
        for layer in self.layers_:
            out = layer.forward(out)
        if hasattr(loss_fn, "loss_and_grad"):
            loss, g = loss_fn.loss_and_grad(yb, out)
        else:
            loss, g = loss_fn.loss(yb, out), loss_fn.grad(yb, out)
        if not np.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss} at step {self.n_steps_}; lower the learning rate")
        last = len(self.layers_) - 1
        for i, layer in enumerate(reversed(self.layers_)):
            if i == last and _takes_input_grad(layer):
                layer.backward(g, input_grad=False)     # the data needs no gradient
                break
            g = layer.backward(g)
            if g is None:
                break
        for layer, opt in zip(self.layers_, self.optimizers_):
            if opt is not None and layer.trainable:   # the loss drives loss-based schedules (king)
                opt.step(layer.params, layer.grads, cur_loss=float(loss))
        self.n_steps_ += 1
        return out, loss

    # ------------------------------------------------------------------ inference
    def forward(self, X, batch_size: int = 4096):
        """Network output (logits for ``softmax_cross_entropy``) in evaluation mode."""
        check_is_fitted(self, "layers_")
        X = self._prepare_X(X, reset=False)
        if tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(f"X has example shape {X.shape[1:]}, the network was built for {self.input_shape_}")
        self._set_training(False)
        outs = []
        for i in range(0, len(X), batch_size):  # bounded memory: chunks of examples
            out = X[i:i + batch_size]
            for layer in self.layers_:
                out = layer.forward(out)
            outs.append(out)
        return np.concatenate(outs) if outs else np.empty((0,))

    def predict(self, X):
        """Class labels (classification) or predicted targets (regression)."""
        out = self.forward(X)
        if self._estimator_type == "classifier":
            if hasattr(self, "classes_"):  # output units beyond the classes (never a target) are ignored
                return self.classes_[out[:, :len(self.classes_)].argmax(axis=1)]
            return out.argmax(axis=1)
        return out[:, 0] if self.y_ndim_ == 1 and out.ndim == 2 and out.shape[1] == 1 else out

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits, or the output of a probability network)."""
        from .losses import SoftmaxCrossEntropy, softmax

        out = self.forward(X)
        if hasattr(self, "classes_") and out.ndim == 2 and out.shape[1] > len(self.classes_):
            out = out[:, :len(self.classes_)]          # one column per class (extra units never a target)
            if not isinstance(self._loss_fn, SoftmaxCrossEntropy):
                return out / out.sum(axis=1, keepdims=True)
        return softmax(out, axis=1) if isinstance(self._loss_fn, SoftmaxCrossEntropy) else out

    def evaluate(self, X, y) -> dict:
        """``{"loss": ..., "accuracy": ...}`` (accuracy for classification) on ``(X, y)``."""
        out = self.forward(X)
        yy = self._prepare_y(y, len(out))
        res = {"loss": float(self._loss_fn.loss(yy, out))}
        if self._estimator_type == "classifier":
            truth = yy if yy.ndim == 1 else yy.argmax(axis=1)
            res["accuracy"] = float((out.argmax(axis=1) == truth).mean())
        return res

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy (classification; for target rows, of the argmax) or R^2 (regression)."""
        if self._estimator_type == "classifier":
            if np.ndim(y) == 2 and np.shape(y)[1] > 1:
                return self.evaluate(X, y)["accuracy"]
            return ClassifierMixin.score(self, X, y, sample_weight)  # type: ignore[arg-type]  # the same accuracy
        return RegressorMixin.score(self, X, y, sample_weight)  # type: ignore[arg-type]  # the same R^2

    def summary(self, input_shape=None) -> str:
        """A table of the layers with their output shapes and parameter counts."""
        import mlcore

        if input_shape is None:
            check_is_fitted(self, "layers_")
            input_shape = self.input_shape_
        fitted = hasattr(self, "layers_")
        layers = self.layers_ if fitted else [_clone(as_component(s, "layer"), "layer") for s in self.layers]
        rows, shape, total = [], tuple(input_shape), 0
        for i, layer in enumerate(layers):
            if not fitted:   # throwaway copies, initialised only to count their parameters
                layer.initialize(shape, self.dtype, random_state=0)
            shape = layer.output_shape(shape)
            n = int(sum(v.size for v in layer.params.values())) if layer.params else 0
            total += n
            name = mlcore.to_spec(layer)
            rows.append((str(i), name if len(name) <= 48 else name[:45] + "...", str((None,) + tuple(shape)), f"{n:,}"))
        head = ("#", "layer", "output shape", "params")
        widths = [max(len(r[c]) for r in rows + [head]) for c in range(4)]
        line = lambda r: "  ".join(x.ljust(w) if c < 3 else x.rjust(w) for c, (x, w) in enumerate(zip(r, widths)))
        out = [line(head), "-" * (sum(widths) + 6)] + [line(r) for r in rows]
        out += ["-" * (sum(widths) + 6), f"input shape {(None,) + tuple(input_shape)}, {total:,} parameters"]
        return "\n".join(out)


def _checked_output_shape(layer, shape, index):
    """``layer.output_shape(shape)``, with an IndexError (a layer given examples of too few
    dimensions) turned into a ValueError naming the layer and the shapes."""
    try:
        return layer.output_shape(shape)
    except IndexError:
        import mlcore

        raise ValueError(f"layer {index} ({mlcore.to_spec(layer)}) cannot take examples of shape {tuple(shape)} "
                         f"(input of {len(shape) + 1} dimensions): wrong number of dimensions") from None


_INPUT_GRAD: dict = {}


def _takes_input_grad(layer) -> bool:
    """Whether ``layer.backward`` accepts ``input_grad=False`` (cached per class)."""
    cls = type(layer)
    if cls not in _INPUT_GRAD:
        import inspect

        try:
            _INPUT_GRAD[cls] = "input_grad" in inspect.signature(layer.backward).parameters
        except (TypeError, ValueError):
            _INPUT_GRAD[cls] = False
    return _INPUT_GRAD[cls]
