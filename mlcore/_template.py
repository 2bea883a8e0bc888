"""``mlcore new-plugin``: write a ready-to-install plugin package.

The generated package (pyproject with the entry point, registration module, one
component, README, tests using :mod:`mlcore.testing`) passes its own tests right after
generation. ``contrib/plugin-template`` in the repository is this template's output for
``mlcore new-plugin example --kind layer``, kept identical by a test.
"""

from __future__ import annotations

import os
import pathlib
import re
import textwrap

__all__ = ["new_plugin", "render", "KINDS"]

_PYPROJECT = '''\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "mlcore-{name_dash}"
version = "0.1.0"
description = "An mlcore plugin providing the {kind} '{name}'."
readme = "README.md"
requires-python = ">=3.10"
license = "MIT"
classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]
dependencies = ["mlcore-core>=0.2,<0.3", "numpy>=1.24"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points."mlcore.plugins"]
{name} = "mlcore_{name}.plugin"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
mlcore_{name} = ["py.typed"]
'''

_README = '''\
# mlcore-{name_dash}

An [mlcore](https://pypi.org/project/mlcore-core/) plugin providing the {kind} `{name}`.

<!-- docs: skip pip install and the plugin's own pytest run belong to the generated package -->
```sh
pip install -e .
mlcore list {kind}          # shows {name}
pytest                      # the plugin's tests, including the mlcore conformance kit
```

```python
import mlcore
component = mlcore.build("{example_spec}")
```

{doc}
'''

_INIT = '''\
"""mlcore-{name_dash}: the {kind} `{name}` for mlcore.

The registration module (:mod:`mlcore_{name}.plugin`) is all mlcore imports to list
names; the component module is imported only when the component is built.
"""

__all__ = ["{cls}"]


def __getattr__(attr):
    if attr == "{cls}":
        from .component import {cls}

        return {cls}
    raise AttributeError(f"module {{__name__!r}} has no attribute {{attr!r}}")
'''

_PLUGIN = '''\
"""Registration hooks of mlcore-{name_dash} (imports nothing heavy)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("{kind}", "{name}", "mlcore_{name}.component:{cls}")
'''

_TEST_DISCOVERY = '''\
"""The plugin is discovered and its component passes mlcore's conformance kit."""

import mlcore
from mlcore.testing import check_component


def test_plugin_is_discovered():
    reg = mlcore.registry()
    assert "{name}" in reg.names("{kind}")
    assert reg.info("{name}", "{kind}")["distribution"] == "mlcore-{name_dash}"
    assert [str(e) for e in reg.errors() if e.plugin == "{name}"] == []


def test_conformance(tmp_path):
    check_component("{example_spec}", tmp_path=tmp_path)
'''

_KIND_CODE = {
    "layer": dict(
        cls_suffix="Layer",
        example_spec="{name}",
        doc="An elementwise affine layer `Y = X * w + b` with one weight and bias per feature.",
        component='''\
"""The `{name}` layer: an elementwise affine map."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Layer
from mlcore.validation import check_array, check_random_state, check_scalar


class {cls}(Layer):
    """Elementwise affine layer ``Y = X * w + b`` (one weight and bias per feature).

    Parameters
    ----------
    init_scale : float
        Standard deviation of the normal initialisation of ``w`` around 1.
    random_state : int, Generator or None
        Seed of the initialisation.

    Notes
    -----
    Input ``X`` has shape ``(n, ..., n_features)``; ``params`` are ``w`` and ``b`` of
    shape ``(n_features,)``. Gradients: ``dw = sum(dY * X)``, ``db = sum(dY)`` over every
    axis but the last, ``dX = dY * w``.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> layer = mlcore.build("{name}(random_state=0)")
    >>> layer.forward(np.ones((2, 3))).shape
    (2, 3)
    """

    def __init__(self, init_scale: float = 0.1, random_state=None):
        self.init_scale = check_scalar(init_scale, "init_scale", low=0)
        self.random_state = random_state

    def initialize(self, input_shape, dtype="float64", random_state=None):
        """Create the parameters for examples of ``input_shape`` (no batch axis); returns self."""
        rng = check_random_state(self.random_state if random_state is None else random_state)
        n_features = int(input_shape[-1])
        self.params = {{"w": (1 + self.init_scale * rng.standard_normal(n_features)).astype(dtype),
                       "b": np.zeros(n_features, dtype=dtype)}}
        self.grads = {{k: np.zeros_like(v) for k, v in self.params.items()}}
        return self

    def output_shape(self, input_shape):
        """Shape of one output example (networks use it to size the next layer)."""
        return tuple(input_shape)

    def forward(self, X):
        X = check_array(X, name="X", ndim=(2, 3, 4))
        if not self.params:
            self.initialize(X.shape[1:], X.dtype)
        self._X = X
        return X * self.params["w"] + self.params["b"]

    def backward(self, dY):
        axes = tuple(range(dY.ndim - 1))
        self.grads["w"] = np.sum(dY * self._X, axis=axes)
        self.grads["b"] = np.sum(dY, axis=axes)
        return dY * self.params["w"]

    @classmethod
    def conformance_example(cls):
        X = np.random.default_rng(0).standard_normal((5, 3))
        return {{"spec": "{name}(random_state=0)", "input": X}}
''',
        test='''\
"""The layer against its closed form and finite differences."""

import numpy as np

import mlcore
from mlcore.testing import check_layer_gradients


def test_forward_is_the_affine_map():
    layer = mlcore.build("{name}(random_state=1)")
    X = np.arange(6.0).reshape(2, 3)
    Y = layer.forward(X)
    np.testing.assert_allclose(Y, X * layer.params["w"] + layer.params["b"], rtol=0, atol=0)


def test_gradients_match_finite_differences():
    layer = mlcore.build("{name}(random_state=2)")
    check_layer_gradients(layer, np.random.default_rng(0).standard_normal((4, 2, 3)))
''',
    ),
    "optimizer": dict(
        cls_suffix="Optimizer",
        example_spec="{name}(lr=0.01)",
        doc="Sign gradient descent: `p <- p - lr * sign(g)`.",
        component='''\
"""The `{name}` optimizer: sign gradient descent."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Optimizer, Scheduler
from mlcore.validation import check_scalar


class {cls}(Optimizer):
    """Sign gradient descent ``p <- p - lr_t * sign(g)``.

    Parameters
    ----------
    lr : float
        Step size.
    scheduler : Scheduler, optional
        Scales it: ``lr_t = lr * scheduler.learning_rate(step)`` (PyTorch's and Optax's rule).

    Example
    -------
    >>> import mlcore, numpy as np
    >>> opt = mlcore.build("{name}(lr=0.5)")
    >>> p = {{"w": np.array([1.0, -1.0])}}
    >>> opt.step(p, {{"w": np.array([2.0, -3.0])}})
    >>> p["w"]
    array([ 0.5, -0.5])
    """

    def __init__(self, lr: float = 0.01, scheduler: Scheduler | None = None):
        self.lr = check_scalar(lr, "lr", low=0, low_inclusive=False)
        self.scheduler = scheduler
        self.n_steps_ = 0

    def step(self, params, grads, cur_loss=None):
        lr = self.lr * (self.scheduler.learning_rate(self.n_steps_, cur_loss) if self.scheduler else 1.0)
        for name, p in params.items():
            p -= (lr * np.sign(grads[name])).astype(p.dtype, copy=False)
        self.n_steps_ += 1
''',
        test='''\
"""The optimizer's update rule, checked by hand."""

import numpy as np

import mlcore


def test_one_step_by_hand():
    opt = mlcore.build("{name}(lr=0.25)")
    p = {{"w": np.array([1.0, 2.0, 3.0], dtype=np.float32)}}
    opt.step(p, {{"w": np.array([-5.0, 0.0, 0.1], dtype=np.float32)}})
    assert p["w"].dtype == np.float32
    np.testing.assert_array_equal(p["w"], np.array([1.25, 2.0, 2.75], dtype=np.float32))
    assert opt.n_steps_ == 1
''',
    ),
    "scheduler": dict(
        cls_suffix="Scheduler",
        example_spec="{name}(warmup_steps=5)",
        doc="Linear warm-up of the optimizer's `lr`, then constant.",
        component='''\
"""The `{name}` scheduler: linear warm-up."""

from __future__ import annotations

from mlcore.interfaces import Scheduler
from mlcore.validation import check_scalar


class {cls}(Scheduler):
    """Linear warm-up: the factor ``min(1, (t + 1) / warmup_steps)`` of the optimizer's ``lr``.

    A schedule scales the optimizer's own ``lr`` (step t uses ``lr * learning_rate(t)``).

    Example
    -------
    >>> import mlcore
    >>> mlcore.build("{name}(warmup_steps=4)").learning_rate(1)
    0.5
    """

    def __init__(self, warmup_steps: int = 100):
        self.warmup_steps = check_scalar(warmup_steps, "warmup_steps", int, low=1)

    def learning_rate(self, step, cur_loss=None):
        return min(1.0, (step + 1) / self.warmup_steps)
''',
        test='''\
"""The schedule against its closed form."""

import mlcore


def test_closed_form():
    s = mlcore.build("{name}(warmup_steps=4)")
    assert [s.learning_rate(t) for t in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
''',
    ),
    "estimator": dict(
        cls_suffix="Classifier",
        example_spec="{name}",
        doc=("A nearest-centroid classifier built on `mlcore.interfaces.ClassifierMixin`: it passes "
             "scikit-learn's estimator checks (`sklearn.utils.estimator_checks.check_estimator`)."),
        component='''\
"""The `{name}` estimator: a nearest-centroid classifier."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import ClassifierMixin, Estimator, Interval


class {cls}(ClassifierMixin, Estimator):
    """Nearest-centroid classifier: predict the class whose training mean is closest.

    Parameters
    ----------
    shrink : float in [0, 1]
        Pull every centroid this far towards the overall mean.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
    centroids_ : ndarray (n_classes, n_features)
    n_features_in_ : int

    Notes
    -----
    ``ClassifierMixin`` gives ``score`` (accuracy), ``_validate_data`` (checks X and y
    as scikit-learn does and sets ``n_features_in_``), ``_check_X`` (fitted, same number
    of features) and ``_encode_classes``. The constructor only stores its arguments:
    ``_parameter_constraints`` are checked by ``mlcore.build`` and at every ``fit``.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> clf = mlcore.build("{name}").fit(np.array([[0.0], [1.0], [10.0]]), np.array([0, 0, 1]))
    >>> clf.predict(np.array([[2.0], [9.0]]))
    array([0, 1])
    """

    _parameter_constraints = {{"shrink": Interval(low=0, high=1)}}  # noqa: RUF012

    def __init__(self, shrink: float = 0.0):
        self.shrink = shrink

    def fit(self, X, y):
        X, y = self._validate_data(X, y)
        codes = self._encode_classes(y)
        counts = np.bincount(codes)
        sums = np.zeros((len(self.classes_), X.shape[1]))
        np.add.at(sums, codes, X)
        overall = X.mean(0)
        self.centroids_ = (1 - self.shrink) * sums / counts[:, None] + self.shrink * overall
        return self

    def predict(self, X):
        X = self._check_X(X)
        d = ((X[:, None, :] - self.centroids_[None]) ** 2).sum(-1)
        return self.classes_[np.argmin(d, axis=1)]

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = np.vstack([rng.normal(0, 1, (10, 2)), rng.normal(4, 1, (10, 2))])
        return {{"fit": (X, np.repeat([0, 1], 10))}}
''',
        test='''\
"""The classifier on separable data, checked against the class means."""

import numpy as np

import mlcore


def test_centroids_are_class_means():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0], [12.0, 10.0]])
    clf = mlcore.build("{name}").fit(X, np.array(["a", "a", "b", "b"]))
    np.testing.assert_allclose(clf.centroids_, [[1.0, 0.0], [11.0, 10.0]])
    assert list(clf.predict(np.array([[1.0, 1.0], [9.0, 9.0]]))) == ["a", "b"]
''',
    ),
}

KINDS = tuple(_KIND_CODE)


def render(name: str, kind: str = "layer") -> dict[str, str]:
    """The files of a new plugin, as ``{relative path: text}``."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in ("inf", "nan"):
        raise ValueError(f"plugin name {name!r} must be lowercase snake_case (letters, digits, _)")
    if kind not in _KIND_CODE:
        raise ValueError(f"--kind must be one of {', '.join(KINDS)}; got {kind!r}")
    spec = _KIND_CODE[kind]
    cls = "".join(part.capitalize() for part in name.split("_")) + spec["cls_suffix"]
    fmt = {"name": name, "name_dash": name.replace("_", "-"), "kind": kind, "cls": cls}
    fmt["example_spec"] = spec["example_spec"].format(**fmt)
    fmt["doc"] = spec["doc"]
    mod = f"src/mlcore_{name}"
    return {
        "pyproject.toml": _PYPROJECT.format(**fmt),
        "README.md": _README.format(**fmt),
        f"{mod}/__init__.py": _INIT.format(**fmt),
        f"{mod}/plugin.py": _PLUGIN.format(**fmt),
        f"{mod}/py.typed": "",
        f"{mod}/component.py": spec["component"].format(**fmt),
        f"tests/test_{name}_plugin.py": _TEST_DISCOVERY.format(**fmt),
        f"tests/test_{name}_{kind}.py": textwrap.dedent(spec["test"]).format(**fmt),
    }


def new_plugin(name: str, kind: str = "layer", directory: str | os.PathLike[str] = ".") -> pathlib.Path:
    """Write the plugin ``mlcore-<name>`` under ``directory``; returns its path.

    Refuses to overwrite an existing folder.
    """
    files = render(name, kind)
    root = pathlib.Path(directory) / f"mlcore-{name.replace('_', '-')}"
    if root.exists():
        raise FileExistsError(f"{root} already exists; choose another name or --dir")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
