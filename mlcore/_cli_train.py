"""``mlcore fit / evaluate / predict / show MODEL / plot / search``: training from config files.

``fit`` saves the model with metadata (:func:`mlcore.read_metadata`): the fully resolved
config (the model as its full spec, with the seed as ``random_state``), the seed, the
versions of Python, NumPy, mlcore and every plugin whose components the model uses, the
training history and the metrics. ``mlcore show MODEL`` prints that config back as TOML,
and ``mlcore fit`` on it reproduces the model bit for bit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import numpy as np

__all__ = ["cmd_fit", "cmd_evaluate", "cmd_predict", "cmd_show_model", "cmd_plot", "add_parsers", "is_model_path"]

#: metadata keys written by ``mlcore fit`` (schema version 1)
METADATA_KIND = "mlcore-fit"


def is_model_path(name: str) -> bool:
    """A ``show`` argument naming a saved model file rather than a component (names have no dot)."""
    return name.lower().endswith(".npz")


# ---------------------------------------------------------------------- helpers
def _fit_kwargs(model, cfg, data) -> dict:
    import inspect

    kwargs = dict(cfg.fit)
    params: Mapping[str, inspect.Parameter]
    try:
        params = inspect.signature(model.fit).parameters
    except (TypeError, ValueError):
        params = {}
    if "X_val" in data and "validation_data" in params and "validation_data" not in kwargs:
        kwargs["validation_data"] = (data["X_val"], data["y_val"])
    return kwargs


def metrics(model, X, y) -> dict:
    """``model.evaluate`` when it has one, else its ``score`` (accuracy, R^2) by name."""
    if hasattr(model, "evaluate"):
        out = model.evaluate(X, y)
        if isinstance(out, dict):
            return {k: float(v) for k, v in out.items()}
    kind = getattr(model, "_estimator_type", None)
    name = {"classifier": "accuracy", "regressor": "r2"}.get(str(kind), "score")
    return {name: float(model.score(X, y))}


def history_of(model) -> dict:
    """Per-epoch/iteration training history as ``{name: [float, ...]}`` (empty if none)."""
    h = getattr(model, "history_", None)
    if isinstance(h, dict):
        return {str(k): [float(v) for v in np.ravel(vals)] for k, vals in h.items()}
    if isinstance(h, (list, np.ndarray)) and np.size(h):
        return {"loss": [float(v) for v in np.ravel(h)]}
    for attr, name in (("loss_curve_", "loss"), ("train_score_", "train_score")):
        v = getattr(model, attr, None)
        if v is not None and np.size(v):
            return {name: [float(x) for x in np.ravel(v)]}
    return {}


def plugin_versions(model) -> dict:
    """``{distribution or plugin: version}`` of every plugin providing a component of ``model``."""
    from ._registry import registry

    reg = registry()
    plugins = {p.name: p for p in reg.plugins()}
    found, stack, seen = {}, [model], set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        entry = reg.entry_for(obj)
        if entry is None:
            continue
        info = plugins.get(entry.plugin)
        found[(info.distribution if info and info.distribution else entry.plugin)] = (
            info.version if info and info.version else None)
        try:
            params = obj.get_params(deep=False)
        except Exception:
            continue
        for v in params.values():
            for x in v if isinstance(v, (list, tuple)) else [v]:
                if not isinstance(x, (str, int, float, bool, type(None), np.ndarray, dict)):
                    stack.append(x)
    return dict(sorted(found.items()))


def resolved_config(cfg, model) -> dict:
    """The config with the model written as its full spec (every argument, seed included)."""
    from ._build import to_spec

    raw = cfg.to_dict()
    raw["seed"] = cfg.seed
    raw["model"] = to_spec(model, full=True)
    if "data" in raw:
        for key in ("path", "test_path"):
            if key in raw["data"]:
                raw["data"][key] = os.path.normpath(os.path.join(cfg.base_dir, raw["data"][key]))
    return {k: raw[k] for k in ("seed", "data", "model", "fit") if k in raw}


def _save(model, path, metadata):
    from ._io import save

    return save(model, path, metadata=metadata)


def read_model_metadata(path) -> dict:
    from ._io import read_metadata

    meta = read_metadata(path)
    if not isinstance(meta, dict) or meta.get("kind") != METADATA_KIND:
        from .config import ConfigError

        raise ConfigError(f"{path} was not written by `mlcore fit` (no resolved config in it); "
                          "it holds a model saved by mlcore.save")
    return meta


def _print_metrics(label, values):
    print(f"{label}: " + ", ".join(f"{k}={v:.4f}" for k, v in values.items()))


# ---------------------------------------------------------------------- commands
def _clean_errors(fn):
    """A missing optional library or an unreadable file is one line on stderr and exit code 2."""
    import functools

    @functools.wraps(fn)
    def run(args):
        try:
            return fn(args)
        except (ImportError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return run


@_clean_errors
def cmd_fit(args) -> int:
    from . import _data
    from .config import load

    cfg = load(args.config, args.set or ())
    data = _data.prepare(cfg)          # every data error comes before training
    model = cfg.build_model()
    with _parallel(args):
        model.fit(data["X_train"], data["y_train"], **_fit_kwargs(model, cfg, data))
    results = {"train": metrics(model, data["X_train"], data["y_train"])}
    if "X_val" in data:
        results["validation"] = metrics(model, data["X_val"], data["y_val"])
    if "X_test" in data:
        results["test"] = metrics(model, data["X_test"], data["y_test"])
    for label, values in results.items():
        _print_metrics(label, values)
    if args.out:
        import platform

        import mlcore

        meta = {"kind": METADATA_KIND, "config": resolved_config(cfg, model), "seed": cfg.seed,
                "source": os.path.abspath(args.config), "overrides": list(args.set or ()),
                "versions": {"python": platform.python_version(), "numpy": np.__version__,
                             "mlcore": mlcore.__version__, "plugins": plugin_versions(model)},
                "history": history_of(model), "metrics": results}
        _save(model, args.out, meta)
        print(f"saved {args.out}")
    return 0


def _parallel(args):
    """joblib's backend for the fit (forests' ``n_jobs``), when ``--n-jobs``/``--backend`` ask for one."""
    import contextlib

    if getattr(args, "n_jobs", None) in (None, 1) and getattr(args, "backend", None) in (None, "loky"):
        return contextlib.nullcontext()
    from ._search import parallel_backend

    return parallel_backend(args.backend or "loky", args.n_jobs, getattr(args, "scheduler", None))


def _load_model(path):
    from ._io import load

    return load(path)


def _eval_data(args, meta, need_target):
    from . import _data
    from .config import Config, ConfigError

    cfg_raw = meta["config"]
    shape = cfg_raw.get("data", {}).get("shape")
    target = args.target or cfg_raw.get("data", {}).get("target")
    if args.data and args.dataset:
        raise ConfigError("give --data FILE or --dataset NAME, not both")
    if args.data:
        X, y = _data.read_file(args.data, target, None, need_target)
    elif args.dataset:
        X, y = _data.load_dataset(args.dataset)
    else:   # the saved config's own test split
        cfg = Config(cfg_raw, args.model)
        parts = _data.prepare(cfg)
        if "X_test" not in parts:
            raise ConfigError(f"{args.model}: the saved config has no test split; pass --data FILE or --dataset NAME")
        return parts["X_test"], parts["y_test"]
    return _data.reshape(X, shape, "data.shape (from the saved config)"), y


@_clean_errors
def cmd_evaluate(args) -> int:
    from ._data import check_features

    meta = read_model_metadata(args.model)
    model = _load_model(args.model)
    X, y = _eval_data(args, meta, True)
    check_features(model, X)
    _print_metrics("evaluate", metrics(model, X, y))
    return 0


@_clean_errors
def cmd_predict(args) -> int:
    from ._data import check_features

    meta = read_model_metadata(args.model)
    model = _load_model(args.model)
    X, _ = _eval_data(args, meta, False)
    check_features(model, X)
    pred = np.asarray(model.predict(X))
    pred = pred.reshape(len(pred), -1)
    cols = ["prediction"] if pred.shape[1] == 1 else [f"prediction_{i}" for i in range(pred.shape[1])]
    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout
    try:
        import csv

        w = csv.writer(out)
        w.writerow(cols)
        w.writerows(pred.tolist())
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"wrote {len(pred)} predictions to {args.out}")
    return 0


@_clean_errors
def cmd_show_model(args) -> int:
    from .config import dumps

    meta = read_model_metadata(args.name)
    if getattr(args, "format", "toml") == "json":
        print(dumps(meta["config"], "json"), end="")
        return 0
    v = meta.get("versions", {})
    print(f"# mlcore show {args.name}: the resolved config (mlcore fit on it reproduces the model)")
    plugins = ", ".join(f"{k} {x}" for k, x in v.get("plugins", {}).items())
    print(f"# python {v.get('python')}, numpy {v.get('numpy')}, mlcore {v.get('mlcore')}; plugins: {plugins}")
    for label, values in meta.get("metrics", {}).items():
        print(f"# {label}: " + ", ".join(f"{k}={x:.4f}" for k, x in values.items()))
    print(dumps(meta["config"], "toml"), end="")
    return 0


@_clean_errors
def cmd_plot(args) -> int:
    from .plotting import save_history_plot

    history = read_model_metadata(args.model).get("history") or {}
    save_history_plot(history, args.out, title=os.path.basename(args.model))
    print(f"wrote {args.out}")
    return 0


def add_parsers(sub) -> None:
    """Add fit, evaluate, predict, plot and search to the ``mlcore`` argument parser."""
    from ._search import add_search_parser

    s = sub.add_parser("fit", help="train the model of a config file (TOML, JSON, YAML) and save it")
    s.add_argument("config")
    s.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a config value: model.optimizer.lr=0.01, model.layers[1].n_out=32, fit.epochs=5")
    s.add_argument("--out", help="save the model (with the resolved config, seed, versions, history) here")
    _add_parallel(s)
    s.set_defaults(fn=cmd_fit)
    for name, fn, helptext in (("evaluate", cmd_evaluate, "metrics of a model saved by mlcore fit"),
                               ("predict", cmd_predict, "predictions of a model saved by mlcore fit, as CSV")):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("model")
        s.add_argument("--data", help="a CSV (with header), .npz or .npy file; default: the config's test split")
        s.add_argument("--dataset", help="a bundled dataset by name (digits, iris)")
        s.add_argument("--target", help="label column / array (default: the config's data.target)")
        if name == "predict":
            s.add_argument("--out", help="CSV file to write (default: standard output)")
        s.set_defaults(fn=fn)
    s = sub.add_parser("plot", help="draw the training history of a model saved by mlcore fit (matplotlib)")
    s.add_argument("model")
    s.add_argument("--out", required=True, help="image file to write (.png, .svg, .pdf)")
    s.set_defaults(fn=cmd_plot)
    add_search_parser(sub, _add_parallel)


def _add_parallel(s):
    s.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib); -1: all cores")
    s.add_argument("--backend", choices=("loky", "threading", "dask"), default=None,
                   help="joblib backend (dask: a dask.distributed cluster)")
    s.add_argument("--scheduler", help="dask scheduler address (default: a local cluster of --n-jobs workers)")
