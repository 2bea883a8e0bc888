"""Experiment configs: a model spec, data and training settings, and a seed, in one file.

TOML (stdlib ``tomllib``; ``tomli`` on Python 3.10) and JSON; YAML when PyYAML is
installed. A config is specs all the way down: the ``model`` section is a spec in
either form, text (``model = "sequential(...)"``, ``optimizer = "adam(lr=1e-3)"``) or
table (``[model.optimizer] name = "adam"``), and ``mlcore.build(config.model)`` builds it.

.. code-block:: toml

    seed = 0

    [data]
    dataset = "digits"          # or: path = "train.csv", target = "label"
    shape = [8, 8, 1]
    test_size = 0.2

    [model]
    name = "sequential"
    layers = ["conv2d(out_ch=4, kernel_shape=3, pad=1, act_fn=relu)", "flatten", "dense(n_out=10)"]
    loss = "softmax_cross_entropy"

    [model.optimizer]
    name = "adam"
    lr = 0.01

    [fit]
    epochs = 3

Sections: ``model`` (required), ``data`` (keys :data:`DATA_KEYS`), ``fit`` (keyword
arguments of the model's ``fit``) and ``seed`` (an int: shuffles and splits the data and
becomes the model's ``random_state`` when the spec leaves it unset). Every error is a
:class:`ConfigError` naming the file, the line when the format gives it, and the dotted key.
"""

from __future__ import annotations

import copy
import inspect
import json
import os
import re

from ._config_dump import dumps
from ._overrides import ConfigError, _hint, component_params, format_path, parse_path, parse_value, set_path
from ._spec import Spec, parse
from .errors import MlcoreError, SpecSyntaxError

__all__ = ["Config", "ConfigError", "load", "loads", "dumps", "DATA_KEYS", "SECTIONS"]

SECTIONS = ("seed", "data", "model", "fit")
DATA_KEYS = ("dataset", "path", "target", "test_path", "test_size", "validation_split", "shape", "delimiter")
_FORMATS = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class Config:
    """A loaded, validated config.

    Parameters
    ----------
    data : dict
        The parsed file: ``{"seed": ..., "data": {...}, "model": ..., "fit": {...}}``.
    path : str, optional
        The file it came from (named in errors; relative data paths are relative to it).
    text : str, optional
        The file's text (to find the line of a key in errors).

    Attributes
    ----------
    model : str or dict
        The model spec, in the form it was written (``mlcore.build`` takes both).
    seed : int
    data, fit : dict
    """

    def __init__(self, data: dict, path: str | None = None, text: str | None = None):
        self.path = None if path is None else os.fspath(path)
        self.text = text
        self._raw = copy.deepcopy(data)
        self._validate()

    # ------------------------------------------------------------------ access
    @property
    def model(self):
        return self._raw["model"]

    @property
    def seed(self) -> int:
        return self._raw.get("seed", 0)

    @property
    def data(self) -> dict:
        return self._raw.get("data", {})

    @property
    def fit(self) -> dict:
        return self._raw.get("fit", {})

    @property
    def base_dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path)) if self.path else os.getcwd()

    def to_dict(self) -> dict:
        """A deep copy of the config as plain data."""
        return copy.deepcopy(self._raw)

    def build_model(self):
        """Build the model section; the seed becomes ``random_state`` when the spec leaves it unset."""
        from ._build import build

        model = build(self.model)
        if "random_state" in _params_of(model) and getattr(model, "random_state", None) is None:
            model.set_params(random_state=self.seed)
        return model

    def with_overrides(self, assignments) -> Config:
        """A new config with ``key=value`` assignments applied (``model.optimizer.lr=0.01``)."""
        raw = copy.deepcopy(self._raw)
        for item in assignments:
            try:
                key, value = split_assignment(item)
                set_path(raw, parse_path(key), parse_value(value, key), self._allowed_keys)
            except ConfigError as exc:
                raise ConfigError(f"{self.path or '<config>'}: --set {item}: {exc}") from None
        try:
            return Config(raw, self.path, self.text)
        except ConfigError as exc:
            raise ConfigError(f"after --set {', '.join(assignments)}: {exc}") from None

    def dumps(self, fmt: str = "toml") -> str:
        """The config as TOML or JSON text that :func:`load` reads back to an equal config."""
        return dumps(self._raw, fmt)

    # ------------------------------------------------------------------ validation
    def error(self, key: str, message: str) -> ConfigError:
        """A :class:`ConfigError` naming the file, the line of ``key`` if found, and ``key``."""
        where = self.path or "<config>"
        line = _line_of(self.text, key) if self.text else None
        return ConfigError(f"{where}{f', line {line}' if line else ''}: key {key!r}: {message}")

    def _allowed_keys(self, section):
        if section is None:
            return SECTIONS
        if section == "data":
            return DATA_KEYS
        if section == "fit":
            return self._fit_keys()
        return None

    def _fit_keys(self):
        try:
            from ._build import build

            fit = build(self.model).fit
            params = inspect.signature(fit).parameters
        except Exception:
            return None
        if any(p.kind == p.VAR_KEYWORD for p in params.values()):
            return None
        return tuple(n for n, p in params.items() if n not in ("X", "y", "self") and p.kind != p.VAR_POSITIONAL)

    def _validate(self):
        raw = self._raw
        if not isinstance(raw, dict):
            raise self.error("", f"a config is a table of sections, got {type(raw).__name__}")
        for key in raw:
            if key not in SECTIONS:
                hint = _hint(key, SECTIONS) or (f"; did you mean 'data.{key}'?" if key in DATA_KEYS else "")
                if not hint and "model" in raw and key in (self._fit_keys() or ()):
                    hint = f"; did you mean 'fit.{key}' (in the [fit] section)?"
                raise self.error(key, f"unknown section{hint} Sections: {', '.join(SECTIONS)}")
        seed = raw.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 32:
            raise self.error("seed", f"must be an int in [0, 2**32), got {seed!r}")
        if "model" not in raw:
            raise self.error("model", "missing: a config needs a model spec ([model] name = ..., or model = \"...\")")
        self._check_component(raw["model"], None, "model")
        try:
            model = self.build_model()
        except ConfigError:
            raise
        except (MlcoreError, TypeError, ValueError) as exc:
            raise self.error("model", f"{type(exc).__name__}: {exc}") from None
        for section in ("data", "fit"):
            if not isinstance(raw.get(section, {}), dict):
                raise self.error(section, f"must be a section (a table), got {raw[section]!r}")
        self._check_data(raw.get("data", {}))
        keys = self._fit_keys()
        for key in raw.get("fit", {}):
            if keys is not None and key not in keys:
                raise self.error(f"fit.{key}", f"{type(model).__name__}.fit() has no argument {key!r}"
                                 f"{_hint(key, keys)} Arguments: {', '.join(keys)}")

    def _check_data(self, data):
        for key, value in data.items():
            if key not in DATA_KEYS:
                raise self.error(f"data.{key}", f"unknown key{_hint(key, DATA_KEYS)} Keys: {', '.join(DATA_KEYS)}")
        if data and ("dataset" in data) == ("path" in data):
            raise self.error("data", "give exactly one of dataset = NAME (a bundled dataset) or path = FILE")
        if "dataset" in data:
            from ._data import DATASETS

            if data["dataset"] not in DATASETS:
                raise self.error("data.dataset", f"unknown dataset {data['dataset']!r}{_hint(data['dataset'], DATASETS)}"
                                 f" Bundled: {', '.join(DATASETS)}")
        for key in ("path", "test_path", "target", "delimiter", "dataset"):
            if key in data and not isinstance(data[key], str):
                raise self.error(f"data.{key}", f"must be a string, got {data[key]!r}")
        for key in ("test_size", "validation_split"):
            v = data.get(key, 0.0)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
                raise self.error(f"data.{key}", f"must be a fraction in [0, 1), got {v!r}")
        shape = data.get("shape")
        if shape is not None and not (isinstance(shape, list) and shape and all(
                isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in shape)):
            raise self.error("data.shape", f"must be a list of positive ints (one example's shape), got {shape!r}")

    def _check_component(self, value, kind, where):
        """Check names and argument names of a spec in text or table form, naming the dotted key."""
        node = value
        if isinstance(value, str):
            try:
                node = parse(value)
            except SpecSyntaxError as exc:
                raise self.error(where, str(exc)) from None
            if not isinstance(node, Spec):
                return
        if isinstance(node, Spec):
            name, items = node.name, list(node.kwargs)
            positional = list(node.args)
        elif isinstance(node, dict) and isinstance(node.get("name"), str):
            name, items, positional = node["name"], [(k, v) for k, v in node.items() if k != "name"], []
        elif isinstance(node, dict) and where == "model":
            raise self.error("model.name", f"missing: the model table needs name = ... (got keys {sorted(node)})")
        else:
            return
        try:
            names, kinds, var_kw, text, pos_names = component_params(name, kind)
        except MlcoreError as exc:
            raise self.error(f"{where}.name" if isinstance(node, dict) else where, str(exc)) from None
        for pname, v in zip(pos_names, positional):
            items.append((pname, v))
        for key, v in items:
            if key not in names and not var_kw:
                raise self.error(f"{where}.{key}", f"{name}() has no argument {key!r}{_hint(key, names)} "
                                 f"Signature: {text}")
            sub = kinds.get(key)
            if sub is None:
                continue
            for i, x in enumerate(v) if isinstance(v, (list, tuple)) else [(None, v)]:
                self._check_component(x, sub, f"{where}.{key}" + ("" if i is None else f"[{i}]"))
        from ._build import build

        try:   # the values of this component (its children passed already), so the error names the key
            build(node if isinstance(node, (Spec, dict)) else value, kind)
        except (MlcoreError, TypeError, ValueError) as exc:
            word = re.match(r"\W*(\w+)", str(exc))
            arg = word.group(1) if word and word.group(1) in names else None
            raise self.error(f"{where}.{arg}" if arg else where, f"{type(exc).__name__}: {exc}") from None


def _params_of(obj):
    try:
        return obj.get_params(deep=False)
    except Exception:
        return {}


def split_assignment(item: str):
    """``"model.optimizer.lr=0.01"`` -> ``("model.optimizer.lr", "0.01")``."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set takes KEY=VALUE (e.g. model.optimizer.lr=0.01), got {item!r}")
    return key.strip(), value.strip()


# ---------------------------------------------------------------------- reading
def load(path, overrides=()) -> Config:
    """Read and validate a config file (``.toml``, ``.json``, ``.yaml``/``.yml``).

    Parameters
    ----------
    path : str or os.PathLike
    overrides : list of str
        ``key=value`` assignments applied after reading (``model.layers[1].n_out=32``).

    Raises
    ------
    ConfigError
        Naming the file, the line (for syntax errors, and for bad keys when it can be
        found) and the dotted key; also for a missing or unreadable file.
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in _FORMATS:
        raise ConfigError(f"{path}: unknown config format {ext or '(no extension)'!r}; use .toml, .json or .yaml")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    cfg = loads(text, _FORMATS[ext], path)
    return cfg.with_overrides(overrides) if overrides else cfg


def loads(text: str, fmt: str = "toml", path: str | None = None) -> Config:
    """Parse config text in ``fmt`` ("toml", "json" or "yaml") and validate it."""
    where = path or "<config>"
    if fmt == "toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    elif fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}, line {exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    elif fmt == "yaml":
        try:
            import yaml
        except ImportError:
            raise ConfigError(f"{where}: reading YAML configs needs PyYAML: pip install pyyaml") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f", line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"{where}{line}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    else:
        raise ValueError(f"fmt must be 'toml', 'json' or 'yaml', got {fmt!r}")
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a config is a table of sections, got {type(data).__name__}")
    return Config(data, path, text)


def _line_of(text: str, key: str):
    """The first line defining the last name of ``key`` (a best effort: formats give no positions)."""
    names = [s for s in parse_path_lenient(key) if isinstance(s, str)]
    if not names:
        return None
    last = re.escape(names[-1])
    for pattern in (rf"^\s*\[+\s*{re.escape('.'.join(names))}\s*\]+", rf"^\s*[\"']?{last}[\"']?\s*[=:]",
                    rf"[\s,({{\"']{last}[\"']?\s*[=:]"):
        for i, line in enumerate(text.splitlines(), 1):
            if re.search(pattern, line):
                return i
    return None


def parse_path_lenient(key: str):
    try:
        return parse_path(key)
    except ConfigError:
        return []


__all__ += ["split_assignment", "format_path"]
