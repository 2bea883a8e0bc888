"""Config files (TOML, JSON, YAML), dotted-key overrides, and their error messages (issue 20)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mlcore
from mlcore import config
from mlcore._data import prepare, read_file
from mlcore._overrides import parse_path, parse_value, split_values
from mlcore.config import ConfigError

STRING_FORM = """
seed = 3
[data]
dataset = "iris"
[model]
name = "sequential"
layers = ["dense(n_out=16, act_fn=relu)", "dense(n_out=3)"]
loss = "softmax_cross_entropy"
optimizer = "adam(lr=0.002)"
[fit]
epochs = 2
"""

TABLE_FORM = """
seed = 3
[data]
dataset = "iris"
[model]
name = "sequential"
loss = "softmax_cross_entropy"
layers = [{name = "dense", n_out = 16, act_fn = "relu"}, {name = "dense", n_out = 3}]
[model.optimizer]
name = "adam"
lr = 0.002
[fit]
epochs = 2
"""

WHOLE_STRING = """
model = "sequential(layers=[dense(n_out=16, act_fn=relu), dense(n_out=3)], loss=softmax_cross_entropy, optimizer=adam(lr=0.002))"
seed = 3
[data]
dataset = "iris"
"""

EXPECTED = ("sequential(layers=[dense(n_out=16, act_fn=relu), dense(n_out=3)], loss=softmax_cross_entropy, "
            "optimizer=adam(lr=0.002), random_state=3)")


def _write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("text", [STRING_FORM, TABLE_FORM, WHOLE_STRING], ids=["strings", "tables", "one-string"])
def test_string_and_table_specs_build_the_same_model(tmp_path, text):
    cfg = config.load(_write(tmp_path, text))
    assert mlcore.to_spec(cfg.build_model()) == EXPECTED   # the seed became random_state
    assert mlcore.to_spec(mlcore.build(cfg.model)) == EXPECTED.replace(", random_state=3", "")  # build takes it


def test_json_and_yaml_read_like_toml(tmp_path):
    import tomllib

    data = tomllib.loads(TABLE_FORM)
    cfg_json = config.load(_write(tmp_path, json.dumps(data), "c.json"))
    assert mlcore.to_spec(cfg_json.build_model()) == EXPECTED
    yaml = pytest.importorskip("yaml")
    cfg_yaml = config.load(_write(tmp_path, yaml.safe_dump(data), "c.yaml"))
    assert cfg_yaml.to_dict() == cfg_json.to_dict() == data


@pytest.mark.parametrize("text", [STRING_FORM, TABLE_FORM, WHOLE_STRING], ids=["strings", "tables", "one-string"])
def test_overrides_reach_string_specs_table_specs_and_list_items(tmp_path, text):
    cfg = config.load(_write(tmp_path, text), ["model.optimizer.lr=0.05", "model.layers[0].n_out=7",
                                               "model.layers[1].act_fn=tanh", "seed=11"])
    model = cfg.build_model()
    assert model.optimizer.lr == 0.05 and type(model.optimizer).__name__ == "Adam"
    assert model.layers[0].n_out == 7 and model.layers[0].act_fn is not None
    assert mlcore.to_spec(model.layers[1].act_fn) == "tanh"
    assert model.random_state == 11 and cfg.seed == 11
    # untouched values survive
    assert mlcore.to_spec(model.layers[0].act_fn) == "relu" and model.layers[1].n_out == 3


def test_override_replaces_a_component_and_then_reaches_into_it(tmp_path):
    cfg = config.load(_write(tmp_path, TABLE_FORM), ["model.optimizer=sgd(lr=0.1, momentum=0.5)",
                                                     "model.optimizer.momentum=0.9", "fit.epochs=5"])
    opt = cfg.build_model().optimizer
    assert (type(opt).__name__, opt.lr, opt.momentum) == ("SGD", 0.1, 0.9)
    assert cfg.fit["epochs"] == 5
    # an argument the config did not write, but the component has
    cfg = config.load(_write(tmp_path, TABLE_FORM), ["model.optimizer.beta1=0.8"])
    assert cfg.build_model().optimizer.beta1 == 0.8


def test_overrides_leave_the_original_config_alone(tmp_path):
    cfg = config.load(_write(tmp_path, STRING_FORM))
    before = cfg.to_dict()
    cfg.with_overrides(["model.layers[0].n_out=2"])
    assert cfg.to_dict() == before


@pytest.mark.parametrize("override, key, hint", [
    ("model.optimizer.lrr=0.1", "model.optimizer.lrr", "did you mean 'lr'"),
    ("model.layers[0].n_outt=3", "model.layers[0].n_outt", "did you mean 'n_out'"),
    ("model.layers[5].n_out=3", "model.layers[5]", "list of 2 items"),
    ("fit.epoch=3", "fit.epoch", "did you mean 'epochs'"),
    ("data.datset=digits", "data.datset", "did you mean 'dataset'"),
    ("modle.loss=x", "modle", "did you mean 'model'"),
    ("model.optimizer=sgd(lr=", "model.optimizer", "cannot read the value"),
])
def test_bad_override_keys_name_file_and_key_with_did_you_mean(tmp_path, override, key, hint):
    path = _write(tmp_path, STRING_FORM)
    with pytest.raises(ConfigError) as err:
        config.load(path, [override])
    msg = str(err.value)
    assert str(path) in msg and repr(key) in msg and hint in msg, msg


@pytest.mark.parametrize("override, key", [
    ("model.optimizer.lr=-1", "model.optimizer.lr"),
    ("model.layers[1].n_out=0", "model.layers[1].n_out"),
    ("model.optimizer=nosuchopt", "model.optimizer"),
    ("data.test_size=1.5", "data.test_size"),
    ("seed=-2", "seed"),
])
def test_bad_override_values_name_file_and_key(tmp_path, override, key):
    path = _write(tmp_path, TABLE_FORM)
    with pytest.raises(ConfigError) as err:
        config.load(path, [override])
    assert str(path) in str(err.value) and repr(key) in str(err.value), str(err.value)


@pytest.mark.parametrize("old, new, key, line", [
    ("lr = 0.002", "lrr = 0.002", "model.optimizer.lrr", 11),
    ("lr = 0.002", 'lr = "fast"', "model.optimizer.lr", 11),
    ('act_fn = "relu"', 'act_fn = "relux"', "model.layers[0].act_fn", 8),
    ("epochs = 2", "epoch = 2", "fit.epoch", 13),
    ('dataset = "iris"', 'dataset = "irsi"', "data.dataset", 4),
    ("[fit]", "[fitt]", "fitt", 12),
])
def test_bad_keys_and_values_in_files_name_file_line_and_key(tmp_path, old, new, key, line):
    path = _write(tmp_path, TABLE_FORM.replace(old, new))
    with pytest.raises(ConfigError) as err:
        config.load(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}, line {line}: key {key!r}"), msg


def test_syntax_errors_name_file_and_line(tmp_path):
    with pytest.raises(ConfigError, match=r"c\.toml: invalid TOML: .*line 3"):
        config.load(_write(tmp_path, "seed = 0\n[model]\nname = \n"))
    with pytest.raises(ConfigError, match=r"c\.json, line 2: invalid JSON"):
        config.load(_write(tmp_path, '{"seed": 0,\n "model": }', "c.json"))
    pytest.importorskip("yaml")
    with pytest.raises(ConfigError, match=r"c\.yaml, line 2: invalid YAML"):
        config.load(_write(tmp_path, "seed: 0\nmodel: x: y\ndata: {}\n", "c.yaml"))
    with pytest.raises(ConfigError, match="no such config file"):
        config.load(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="unknown config format"):
        config.load(_write(tmp_path, "", "c.ini"))
    with pytest.raises(ConfigError, match="key 'model': missing"):
        config.load(_write(tmp_path, "seed = 0\n"))


def test_dumps_round_trips(tmp_path):
    for text in (STRING_FORM, TABLE_FORM, WHOLE_STRING):
        cfg = config.load(_write(tmp_path, text), ["model.optimizer=sgd(lr=0.5)", "model.layers[0].n_out=4"])
        again = config.loads(cfg.dumps(), path="again.toml")
        assert again.to_dict() == cfg.to_dict()
        assert json.loads(cfg.dumps("json")) == cfg.to_dict()
    # TOML has no null: a component holding None is written as spec text, which can
    cfg = config.load(_write(tmp_path, TABLE_FORM), ["model.optimizer.clip_norm=None"])
    again = config.loads(cfg.dumps())
    assert mlcore.to_spec(again.build_model()) == mlcore.to_spec(cfg.build_model())


def test_value_and_path_grammar():
    assert parse_path("model.layers[1].n_out") == ["model", "layers", 1, "n_out"]
    assert parse_path("a.b[0][2]") == ["a", "b", 0, 2]
    with pytest.raises(ConfigError):
        parse_path("model..lr")
    assert parse_value("0.01") == 0.01 and parse_value("1_000") == 1000 and parse_value("None") is None
    assert parse_value("[8, 8, 1]") == [8, 8, 1] and parse_value("'a b'") == "a b"
    assert parse_value("relu") == "relu" and parse_value("train.csv") == "train.csv"
    assert parse_value("sgd(lr=1e-1)") == "sgd(lr=0.1)"
    assert split_values("1e-3, sgd(lr=0.1, momentum=0.9),[1, 2],'a,b'") == [
        "1e-3", "sgd(lr=0.1, momentum=0.9)", "[1, 2]", "'a,b'"]


# ---------------------------------------------------------------------- data
def _csv(tmp_path, header, rows, name="d.csv"):
    p = tmp_path / name
    p.write_text(",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return p


def test_csv_and_npz_data_and_the_split(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    _csv(tmp_path, ["a", "label", "b", "c"], [[X[i, 0], y[i], X[i, 1], X[i, 2]] for i in range(30)])
    np.savez(tmp_path / "d.npz", X=X, y=y)
    base = ('model = "logistic_regression"\nseed = 4\n[data]\ntarget = "label"\ntest_size = 0.2\n'
            'validation_split = 0.25\npath = ')
    for name in ("d.csv", "d.npz"):
        text = base + f'"{name}"\n' if name.endswith("csv") else base.replace('"label"', '"y"') + f'"{name}"\n'
        parts = prepare(config.load(_write(tmp_path, text)))
        order = np.random.default_rng(4).permutation(30)   # the documented split: shuffle with the seed
        np.testing.assert_allclose(parts["X_test"], X[order[:6]], rtol=1e-15)
        np.testing.assert_array_equal(parts["y_val"], y[order[6:12]])
        np.testing.assert_allclose(parts["X_train"], X[order[12:]], rtol=1e-15)


def test_data_errors_come_before_training_and_name_file_and_key(tmp_path):
    _csv(tmp_path, ["a", "b", "label"], [[1, 2, 0], [3, 4, 1], [5, 6, 0]])
    base = 'model = "logistic_regression"\n[data]\npath = "d.csv"\n'
    with pytest.raises(ConfigError, match=r"d\.csv: key 'data.target': no column 'lable'; did you mean 'label'"):
        prepare(config.load(_write(tmp_path, base + 'target = "lable"\n')))
    with pytest.raises(ConfigError, match=r"key 'data.shape': examples have 2 values .* \[3, 1\]"):
        prepare(config.load(_write(tmp_path, base + 'target = "label"\nshape = [3, 1]\n')))
    _csv(tmp_path, ["a", "b", "label"], [[1, "x", 0]], "bad.csv")
    with pytest.raises(ConfigError, match=r"bad\.csv, line 2: column 'b' holds 'x'"):
        read_file(str(tmp_path / "bad.csv"), "label")
    with pytest.raises(ConfigError, match="give exactly one of dataset"):
        config.load(_write(tmp_path, 'model = "logistic_regression"\n[data]\ntarget = "label"\n'))
