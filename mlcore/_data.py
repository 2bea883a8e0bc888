"""Data for config-driven training: CSV with a header, ``.npy``/``.npz``, and bundled datasets by name.

Bundled (``mlcore/datasets/``, NOTICE in its README line below):

* ``digits``: the 1,797 8x8 handwritten digits of ``sklearn.datasets.load_digits`` (the UCI
  "Optical Recognition of Handwritten Digits" test set, Alpaydin and Kaynak 1998; CC BY 4.0
  at UCI, BSD-3 in scikit-learn), features scaled to [0, 1], 64 per image.
* ``iris``: Fisher's 150 iris flowers (UCI, CC BY 4.0), 4 features in cm.

Every problem (a missing target column, a non-numeric feature, an example shape that does
not fit ``data.shape`` or the model) is a :class:`~mlcore.config.ConfigError` raised before
any training.
"""

from __future__ import annotations

import csv
import os

import numpy as np

from ._overrides import ConfigError

__all__ = ["DATASETS", "load_dataset", "read_file", "prepare", "reshape"]

DATASETS = {
    "digits": "8x8 handwritten digits, 1,797 x 64 in [0, 1], 10 classes (UCI optdigits via scikit-learn)",
    "iris": "Fisher's iris, 150 x 4 (cm), 3 classes (UCI)",
}


def load_dataset(name: str):
    """``(X, y)`` of a bundled dataset: X float64 (n, d), y int labels."""
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r}; bundled: {', '.join(DATASETS)}")
    path = os.path.join(os.path.dirname(__file__), "datasets", f"{name}.npz")
    with np.load(path, allow_pickle=False) as f:
        if name == "digits":
            X = f["images"].reshape(len(f["images"]), -1).astype(np.float64) / 16.0
        else:
            X = f["data"].astype(np.float64) / 10.0
        y = f["target"].astype(np.intp)
    return X, y


def read_file(path: str, target: str | None = None, delimiter: str | None = None, need_target: bool = True):
    """``(X, y)`` from a CSV with a header (``target`` names the label column), ``.npz`` (arrays
    ``X`` and ``target`` or ``"y"``) or ``.npy`` (X only: y is None)."""
    ext = os.path.splitext(path)[1].lower()
    if not os.path.exists(path):
        raise ConfigError(f"data file {path} does not exist")
    if ext in (".csv", ".tsv", ".txt"):
        return _read_csv(path, target, delimiter or ("\t" if ext == ".tsv" else ","), need_target)
    if ext == ".npy":
        if need_target:
            raise ConfigError(f"{path}: a .npy file holds the features only; training and evaluating need "
                              "labels: use a .npz with arrays X and y, or a CSV with a target column")
        return _checked_X(np.load(path, allow_pickle=False), path), None
    if ext == ".npz":
        key = target or "y"
        try:
            with np.load(path, allow_pickle=False) as f:
                if "X" not in f.files:
                    raise ConfigError(f"{path}: no array 'X' (arrays: {', '.join(f.files)})")
                X = f["X"]
                if key not in f.files and need_target:
                    raise ConfigError(f"{path}: no target array {key!r} (arrays: {', '.join(f.files)}); "
                                      "set data.target to its name")
                y = f[key] if key in f.files else None
        except (ValueError, OSError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None
        X = _checked_X(X, path)
        if y is not None and len(y) != len(X):
            raise ConfigError(f"{path}: X has {len(X)} rows but {key} has {len(y)}")
        return X, y
    raise ConfigError(f"{path}: unknown data format {ext!r}; use .csv (with a header), .npy or .npz")


def _checked_X(X, path):
    if X.dtype.kind not in "biuf":
        raise ConfigError(f"{path}: features must be numbers, got dtype {X.dtype}")
    if X.ndim < 2:
        raise ConfigError(f"{path}: X must have one row per example (2 or more dimensions), got shape {X.shape}")
    return X


def _read_csv(path, target, delimiter, need_target):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))
    if not rows:
        raise ConfigError(f"{path}: empty file (a CSV needs a header line naming the columns)")
    header = [h.strip() for h in rows[0]]
    if need_target and target is None:
        raise ConfigError(f"{path}: set data.target to the name of the label column (columns: {', '.join(header)})")
    t = None
    if target is not None:
        if target in header:
            t = header.index(target)
        elif need_target:
            import difflib

            close = difflib.get_close_matches(target, header, n=1)
            raise ConfigError(f"{path}: key 'data.target': no column {target!r}"
                              + (f"; did you mean {close[0]!r}?" if close else "")
                              + f" Columns: {', '.join(header)}")
    feats = [i for i in range(len(header)) if i != t]
    X = np.empty((len(rows) - 1, len(feats)))
    labels = []
    for r, row in enumerate(rows[1:]):
        if len(row) != len(header):
            raise ConfigError(f"{path}, line {r + 2}: {len(row)} fields, the header has {len(header)}")
        for j, i in enumerate(feats):
            try:
                X[r, j] = float(row[i])
            except ValueError:
                raise ConfigError(f"{path}, line {r + 2}: column {header[i]!r} holds {row[i]!r}, not a number") from None
        if t is not None:
            labels.append(row[t].strip())
    if len(X) == 0:
        raise ConfigError(f"{path}: no data rows after the header")
    return X, (_labels(labels) if t is not None else None)


def _labels(values):
    for kind in (int, float):
        try:
            return np.array([kind(v) for v in values])
        except ValueError:
            continue
    return np.array(values)


def reshape(X, shape, where: str = "data.shape"):
    """``X`` with each example reshaped to ``shape`` (a clear error when the sizes differ)."""
    if not shape:
        return X
    size = int(np.prod(X.shape[1:]))
    if size != int(np.prod(shape)):
        raise ConfigError(f"key {where!r}: examples have {size} values (shape {X.shape[1:]}), which do not fit "
                          f"the shape {list(shape)} ({int(np.prod(shape))} values)")
    return X.reshape((len(X),) + tuple(shape))


def prepare(cfg) -> dict:
    """Training, validation and test arrays of a config's ``data`` section.

    Returns
    -------
    dict
        ``X_train, y_train`` and, when set up, ``X_val, y_val`` (``data.validation_split``
        of the training rows) and ``X_test, y_test`` (``data.test_path``, or
        ``data.test_size`` of the rows; 0.2 for bundled datasets). Rows are shuffled with
        ``seed`` before splitting.
    """
    d = cfg.data
    if not d:
        raise ConfigError(f"{cfg.path or '<config>'}: key 'data': missing; say what to train on "
                          "([data] dataset = \"digits\", or path = \"train.csv\" and target = \"label\")")
    if "dataset" in d:
        X, y = load_dataset(d["dataset"])
        test_size = d.get("test_size", 0.2)
    else:
        X, y = read_file(_path(cfg, d["path"]), d.get("target"), d.get("delimiter"))
        test_size = d.get("test_size", 0.0)
    rng = np.random.default_rng(cfg.seed)
    order = rng.permutation(len(X))
    out = {}
    if "test_path" in d:
        Xt, yt = read_file(_path(cfg, d["test_path"]), d.get("target"), d.get("delimiter"))
        if Xt.shape[1:] != X.shape[1:]:
            raise ConfigError(f"key 'data.test_path': test examples have shape {Xt.shape[1:]}, "
                              f"training examples {X.shape[1:]}")
        out["X_test"], out["y_test"] = Xt, yt
    elif test_size:
        n_test = max(1, round(test_size * len(X)))
        out["X_test"], out["y_test"] = X[order[:n_test]], y[order[:n_test]]
        order = order[n_test:]
    n_val = round(d.get("validation_split", 0.0) * len(order))
    if n_val:
        out["X_val"], out["y_val"] = X[order[:n_val]], y[order[:n_val]]
        order = order[n_val:]
    out["X_train"], out["y_train"] = X[order], y[order]
    if len(order) < 2:
        raise ConfigError(f"{cfg.path or '<config>'}: key 'data': only {len(order)} training example(s) left "
                          "after the test and validation splits")
    for k in [k for k in out if k.startswith("X_")]:
        out[k] = reshape(out[k], d.get("shape"))
    return out


def _path(cfg, p):
    return p if os.path.isabs(p) else os.path.join(cfg.base_dir, p)


def check_features(model, X, where: str = "--data"):
    """Refuse data whose example shape differs from what ``model`` was trained on."""
    want = getattr(model, "input_shape_", None)
    if want is None and getattr(model, "n_features_in_", None) is not None:
        want = (int(model.n_features_in_),)
    if want is not None and tuple(X.shape[1:]) != tuple(want):
        raise ConfigError(f"{where}: examples have shape {tuple(X.shape[1:])}, the model was trained on {tuple(want)}")
    return X
