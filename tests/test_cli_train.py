"""``mlcore fit / show MODEL / evaluate / predict / plot`` and the README's worked example (issue 20)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import mlcore
from mlcore.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".toml", ".json", ".yaml"))


def _run(argv, expect=0):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    assert code == expect, f"mlcore {' '.join(map(str, argv))} exited {code}:\n{out.getvalue()}\n{err.getvalue()}"
    return out.getvalue() + err.getvalue()


def _members(path):
    """Every member of a save file: the manifest (JSON, metadata left out) and the raw array bytes."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name == "__mlcore__.npy":
                manifest = json.loads(str(np.load(io.BytesIO(data), allow_pickle=False)[()]))
                manifest.pop("metadata", None)
                out[name] = manifest
            else:
                out[name] = data
    return out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_fits_from_the_cli_and_show_refits_bit_identically(example, tmp_path):
    if example.suffix == ".yaml":
        pytest.importorskip("yaml")
    first = tmp_path / "first.npz"
    run = subprocess.run([sys.executable, "-m", "mlcore", "fit", str(example), "--out", str(first)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert re.search(r"^test: \w+=\d\.\d{4}", run.stdout, re.M), run.stdout
    shown = _run(["show", first])
    resolved = tmp_path / "resolved.toml"
    resolved.write_text(shown)
    second = tmp_path / "second.npz"
    _run(["fit", resolved, "--out", second])
    a, b = _members(first), _members(second)
    assert a.keys() == b.keys() and len(a) >= 2
    for name in a:   # bit for bit: every array's bytes, and the spec and state tree
        assert a[name] == b[name], name
    meta = mlcore.read_metadata(first)
    assert meta["seed"] == meta["config"]["seed"]
    assert "mlcore" in meta["versions"] and meta["versions"]["plugins"]
    model = mlcore.load(first)
    assert meta["config"]["model"] == mlcore.to_spec(model, full=True)
    dist = mlcore.registry().info(meta["config"]["model"].split("(")[0])["distribution"]
    assert dist in meta["versions"]["plugins"]


def test_fit_overrides_evaluate_predict(tmp_path):
    cfg = ROOT / "examples" / "digits_cnn.toml"
    out = tmp_path / "m.npz"
    _run(["fit", cfg, "--set", "model.layers[0].out_ch=4", "--set", "fit.epochs=1", "--out", out])
    model = mlcore.load(out)
    assert model.layers[0].out_ch == 4 and model.epochs_ == 1
    meta = mlcore.read_metadata(out)
    assert meta["overrides"] == ["model.layers[0].out_ch=4", "fit.epochs=1"]
    assert len(meta["history"]["loss"]) == 1 and len(meta["history"]["val_accuracy"]) == 1
    # the test split, recomputed independently: digits / 16, shuffled with the seed, first 20 %
    with np.load(ROOT / "mlcore" / "datasets" / "digits.npz") as f:
        X = f["images"].astype(float)[..., None] / 16.0
        y = f["target"].astype(int)
    order = np.random.default_rng(0).permutation(len(X))[:round(0.2 * len(X))]
    Xt, yt = X[order], y[order]
    text = _run(["evaluate", out])
    acc = float(re.search(r"accuracy=(\d\.\d+)", text).group(1))
    pred_file = tmp_path / "p.csv"
    np.savez(tmp_path / "test.npz", X=Xt.reshape(len(Xt), -1), y=yt)
    _run(["predict", out, "--data", tmp_path / "test.npz", "--out", pred_file])
    with open(pred_file) as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["prediction"] and len(rows) == len(yt) + 1
    pred = np.array([int(r[0]) for r in rows[1:]])
    assert abs((pred == yt).mean() - acc) < 1e-4
    text = _run(["evaluate", out, "--data", tmp_path / "test.npz"])
    assert f"accuracy={acc:.4f}" in text


def test_errors_before_training_name_file_and_key(tmp_path):
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text('model = "logistic_regression"\n[data]\npath = "d.csv"\ntarget = "lable"\n')
    out = tmp_path / "m.npz"
    text = _run(["fit", cfg, "--out", out], expect=2)
    assert "d.csv" in text and "'data.target'" in text and "did you mean 'label'" in text
    assert not out.exists()
    text = _run(["fit", cfg, "--set", "data.target=label", "--set", "model.CC=1"], expect=2)
    assert str(cfg) in text and "'model.CC'" in text and "did you mean 'C'" in text
    _run(["fit", cfg, "--set", "data.target=label", "--out", out])
    np.save(tmp_path / "wide.npy", np.zeros((3, 5)))
    text = _run(["predict", out, "--data", tmp_path / "wide.npy"], expect=2)
    assert "shape (5,)" in text and "trained on (2,)" in text
    text = _run(["fit", tmp_path / "nope.toml"], expect=2)
    assert "nope.toml: no such config file" in text


def _check_png(path, min_size=(200, 300)):
    from matplotlib.image import imread

    img = imread(path)
    assert img.shape[0] >= min_size[0] and img.shape[1] >= min_size[1]
    rgb = img[..., :3]
    inked = (rgb.min(axis=2) < 0.9).mean()          # not a blank (white) canvas
    assert 0.005 < inked < 0.5, inked
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 10   # lines in several colours, text


def test_plot_history_and_mlcore_plot_write_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from mlcore.plotting import plot_history, save_history_plot

    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.8, 0.9]}
    ax = plot_history(history)
    labels = sorted(line.get_label() for a in ax.figure.axes for line in a.get_lines())
    assert labels == ["accuracy", "loss", "val_loss"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), history["loss"])
    ax.figure.savefig(tmp_path / "h.png")
    _check_png(tmp_path / "h.png")
    with pytest.raises(ValueError, match="history is empty"):
        save_history_plot({}, tmp_path / "e.png")
    model = tmp_path / "m.npz"
    _run(["fit", ROOT / "examples" / "digits_cnn.toml", "--set", "fit.epochs=2", "--out", model])
    _run(["plot", model, "--out", tmp_path / "curve.png"])
    _check_png(tmp_path / "curve.png", (350, 550))


def _readme_section():
    text = (ROOT / "README.md").read_text()
    start = text.index("## Configs and the command line")
    end = text.index("\n## ", start + 10)
    return text[start:end]


def test_readme_worked_example_runs(tmp_path, monkeypatch):
    """The README's config file, written out, and every ``mlcore`` command of its section, in order."""
    section = _readme_section()
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    configs = [code for lang, code in blocks if lang == "toml"]
    assert configs, "the README section shows a config file"
    name = re.search(r"`(\w+\.toml)`", section).group(1)
    import tomllib

    assert tomllib.loads(configs[0]) == tomllib.loads((ROOT / "examples" / name).read_text())  # the same example
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(configs[0])
    commands = [line.split(" #")[0].strip() for lang, code in blocks if lang == "sh" for line in code.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert [c.split()[1] for c in commands if c.startswith("mlcore")][:2] == ["fit", "show"]
    for c in commands:
        argv = shlex.split(c)
        assert argv[0] == "mlcore", c
        _run(argv[1:])
    assert os.path.exists("digits.npz")


def test_save_metadata_is_json_only_bounded_and_ignored_by_load(tmp_path):
    from mlcore._io import MAX_METADATA_BYTES

    model = mlcore.build("gaussian_nb").fit(np.arange(8.0).reshape(4, 2), [0, 1, 0, 1])
    path = tmp_path / "r.npz"
    meta = {"config": {"model": "gaussian_nb", "seed": 0}, "history": {"loss": [1.5, float("nan")]}}
    mlcore.save(model, path, metadata=meta)
    got = mlcore.read_metadata(path)
    assert got["config"] == meta["config"] and got["history"]["loss"][0] == 1.5 and np.isnan(got["history"]["loss"][1])
    np.testing.assert_array_equal(mlcore.load(path).theta_, model.theta_)
    mlcore.save(model, tmp_path / "plain.npz")
    assert mlcore.read_metadata(tmp_path / "plain.npz") == {}
    with pytest.raises(TypeError, match="JSON values"):
        mlcore.save(model, path, metadata={"a": object()})
    with pytest.raises(ValueError, match="at most"):
        mlcore.save(model, path, metadata={"a": "x" * MAX_METADATA_BYTES})
    assert mlcore.read_metadata(path)["config"] == meta["config"]   # a refused save left the file intact
    text = _run(["show", tmp_path / "plain.npz"], expect=2)
    assert "not written by `mlcore fit`" in text
