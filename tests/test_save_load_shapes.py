"""Save/load shape checks over the whole registry (issue 17): a file cannot put parameters or
learned arrays of the wrong shape into a rebuilt component."""

import io
import json
import zipfile

import numpy as np
import pytest

import mlcore
from mlcore.errors import FileFormatError
from mlcore.testing import conformance_cases


def _npy(arr) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(arr), allow_pickle=False)
    return buf.getvalue()


def _unpack(path):
    """(manifest dict, {member name: bytes}) of a save file."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    text = np.lib.format.read_array(io.BytesIO(members.pop("__mlcore__.npy")))[()]
    return json.loads(str(text)), members


def _pack(path, manifest, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("__mlcore__.npy", _npy(np.array(json.dumps(manifest))))
        for name, data in members.items():
            z.writestr(name, data)


_LAYERS = [c for c in conformance_cases() if c.kind == "layer"]


def _initialised_layer(case):
    layer = mlcore.build(case.spec, kind="layer")
    X = case.example.get("input")
    if X is None:  # e.g. embedding: integer ids, initialised for sequences of 4
        return layer.initialize((4,))
    layer.forward(list(X) if isinstance(X, tuple) else X)
    return layer


def _param_members(manifest):
    """{param name: member} of a saved layer's top-level ``params``."""
    for k, v in manifest["tree"]["state"]["__d__"]:
        if k == "params":
            return {name: ref["__a__"] + ".npy" for name, ref in v["__d__"]}
    return {}


@pytest.mark.parametrize("case", _LAYERS, ids=str)
def test_every_layer_refuses_parameters_of_the_wrong_shape(case, tmp_path):
    layer = _initialised_layer(case)
    path = tmp_path / "layer.npz"
    mlcore.save(layer, path)
    manifest, members = _unpack(path)
    refs = _param_members(manifest)
    if not refs:  # a layer without parameters of its own (activation, pooling, a wrapper)
        assert not layer.__dict__.get("params"), f"{case}: parameters not saved under 'params'"
        return
    mlcore.load(path)  # the untouched file loads
    name = sorted(refs)[0]
    param = layer.params[name]
    wrong = np.zeros(param.shape[:-1] + (param.shape[-1] + 1,) if param.ndim else (2,), dtype=param.dtype)
    _pack(path, manifest, {**members, refs[name]: _npy(wrong)})
    with pytest.raises(FileFormatError, match="do not match"):
        mlcore.load(path)
    assert "input_shape_" in layer.get_state()  # what the check compares against


def test_dense_with_weights_of_another_layer_is_refused(tmp_path):
    layer = mlcore.build("dense(n_out=4, random_state=0)").initialize((3,))
    path = mlcore.save(layer, tmp_path / "d.npz")
    manifest, members = _unpack(path)
    refs = _param_members(manifest)
    _pack(path, manifest, {**members, refs["W"]: _npy(np.ones((3, 5))), refs["b"]: _npy(np.ones(5))})
    with pytest.raises(FileFormatError, match=r"'W': \(3, 5\)"):
        mlcore.load(path)


_ESTIMATORS = [c for c in conformance_cases() if c.kind == "estimator" and "fit" in c.example]
_FEATURE_AXIS = ("coef_", "components_", "feature_importances_", "mean_", "var_", "scale_", "theta_", "means_",
                 "X_fit_", "X_train_")  # learned arrays with one entry per feature on their last axis


@pytest.mark.parametrize("case", _ESTIMATORS, ids=str)
def test_every_estimator_checks_n_features_in_against_its_arrays(case, tmp_path):
    est = mlcore.build(case.spec, kind="estimator").fit(*case.example["fit"])
    state = est.get_state()
    checked = [k for k in _FEATURE_AXIS if isinstance(state.get(k), np.ndarray) and state[k].ndim]
    if "n_features_in_" not in state or not checked:
        return
    path = mlcore.save(est, tmp_path / "e.npz")
    manifest, members = _unpack(path)
    for pair in manifest["tree"]["state"]["__d__"]:
        if pair[0] == "n_features_in_":
            pair[1] = int(state["n_features_in_"]) + 1
    _pack(path, manifest, members)
    with pytest.raises(FileFormatError, match="n_features_in_"):
        mlcore.load(path)
