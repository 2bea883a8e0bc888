"""save/load: round trips of nested state, and refusal of tampered or hostile files."""

import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import mlcore
from mlcore.errors import FileFormatError, UnknownComponentError
from mlcore.interfaces import Estimator, Scheduler
from mlcore.testing import assert_state_equal, check_component


@pytest.fixture
def components(isolated_registry):
    @mlcore.register("scheduler", "ramp")
    class Ramp(Scheduler):
        def __init__(self, top=1.0):
            self.top = top

        def learning_rate(self, step, cur_loss=None):
            self.calls_ = getattr(self, "calls_", 0) + 1
            return min(self.top, step / 10)

    @mlcore.register("estimator", "mean_model")
    class MeanModel(Estimator):
        spec_kinds = {"sched": "scheduler"}

        def __init__(self, shift=0.0, sched=None, random_state=None):
            self.shift, self.sched, self.random_state = shift, sched, random_state

        def fit(self, X, y=None):
            rng = np.random.default_rng(self.random_state)
            X = np.asarray(X, dtype=float)
            self.mean_ = X.mean(0) + self.shift + rng.normal() * 1e-3
            self.meta_ = {"n": len(X), "cols": (X.shape[1], "c"), 3: [np.float32(1.5), None, "x", float("nan")]}
            self.helper_ = Ramp(top=2.0)
            return self

        def predict(self, X):
            mlcore.validation.check_is_fitted(self)
            return np.asarray(X) @ self.mean_

        @classmethod
        def conformance_example(cls):
            rng = np.random.default_rng(0)
            return {"spec": "mean_model(shift=0.5, sched=ramp(top=3.0))", "fit": (rng.normal(size=(20, 3)),)}

    return Ramp, MeanModel


def test_round_trip_keeps_everything(components, tmp_path):
    Ramp, MeanModel = components
    m = mlcore.build("mean_model(shift=0.5, sched=ramp(top=3.0), random_state=1)")
    m.sched.learning_rate(3)
    m.fit(np.arange(12.0).reshape(4, 3))
    path = mlcore.save(m, tmp_path / "m.npz")
    assert path == os.fspath(tmp_path / "m.npz")
    back = mlcore.load(path)
    assert mlcore.to_spec(back, full=True) == mlcore.to_spec(m, full=True)
    assert back.sched.calls_ == 1  # nested hyperparameter component state restored
    assert_state_equal(m.get_state(), back.get_state())
    assert isinstance(back.meta_[3][0], np.float32) and isinstance(back.meta_["cols"], tuple)
    assert isinstance(back.helper_, Ramp) and back.helper_.top == 2.0


def test_conformance_kit_on_a_toy_estimator(components, tmp_path):
    check_component("mean_model(shift=0.5, sched=ramp(top=3.0))", tmp_path=tmp_path)


def _write(path, manifest=None, **arrays):
    members = {}
    if manifest is not None:
        members["__mlcore__"] = np.array(json.dumps(manifest))
    members.update(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **members)


def test_refuses_non_mlcore_and_damaged_files(components, tmp_path):
    p = tmp_path / "x.npz"
    p.write_bytes(b"not a zip at all")
    with pytest.raises(FileFormatError, match="cannot read"):
        mlcore.load(p)
    m = mlcore.build("mean_model").fit(np.ones((3, 2)))
    good = tmp_path / "good.npz"
    mlcore.save(m, good)
    data = good.read_bytes()
    (tmp_path / "trunc.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError):
        mlcore.load(tmp_path / "trunc.npz")
    _write(p, None, a=np.ones(2))
    with pytest.raises(FileFormatError, match="not an mlcore save file"):
        mlcore.load(p)
    _write(p, {"format": "mlcore", "version": 99, "spec": "mean_model", "tree": {}})
    with pytest.raises(FileFormatError, match="version 99"):
        mlcore.load(p)
    _write(p, {"format": "mlcore", "version": 1, "spec": "mean_model",
               "tree": {"state": {"__d__": [["mean_", {"__a__": "a7"}]]}, "children": {}}})
    with pytest.raises(FileFormatError, match="missing array"):
        mlcore.load(p)


class _Marker:
    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_loading_never_executes_code(components, tmp_path):
    marker = tmp_path / "pwned"
    payload = _Marker()
    payload.path = str(marker)
    evil = np.empty(1, dtype=object)
    evil[0] = payload
    p = tmp_path / "evil.npz"
    _write(p, {"format": "mlcore", "version": 1, "spec": "mean_model",
               "tree": {"state": {"__d__": [["mean_", {"__a__": "a0"}]]}, "children": {}}}, a0=evil)
    with pytest.raises(FileFormatError):
        mlcore.load(p)
    assert not marker.exists()
    _write(p, {"format": "mlcore", "version": 1, "spec": "__import__('os').mkdir('x')", "tree": {}})
    with pytest.raises(FileFormatError, match="SpecSyntaxError"):  # a tampered spec is a malformed file
        mlcore.load(p)
    _write(p, {"format": "mlcore", "version": 1, "spec": "system(cmd='touch x')", "tree": {}})
    with pytest.raises(UnknownComponentError):
        mlcore.load(p)
    # a raw pickle renamed to .npz is refused as well
    p.write_bytes(pickle.dumps(payload))
    with pytest.raises(FileFormatError):
        mlcore.load(p)
    assert not marker.exists()


def test_unsaveable_state_is_reported(components, tmp_path):
    m = mlcore.build("mean_model").fit(np.ones((3, 2)))
    m.bad_ = object()
    with pytest.raises(TypeError, match="bad_"):
        mlcore.save(m, tmp_path / "m.npz")
    m.bad_ = np.array([object()])
    with pytest.raises(TypeError, match="object arrays"):
        mlcore.save(m, tmp_path / "m.npz")


def test_zip_member_names_are_plain(components, tmp_path):
    m = mlcore.build("mean_model").fit(np.ones((3, 2)))
    with zipfile.ZipFile(mlcore.save(m, tmp_path / "m.npz")) as z:
        assert sorted(z.namelist())[0] == "__mlcore__.npy"


def test_estimator_params_work_with_sklearn(components):
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone

    _, MeanModel = components
    m = mlcore.build("mean_model(shift=2.0, sched=ramp(top=3.0))")
    assert m.get_params()["sched__top"] == 3.0
    m.set_params(sched__top=4.0, shift=1.0)
    assert (m.sched.top, m.shift) == (4.0, 1.0)
    c = clone(m)
    assert c is not m and mlcore.to_spec(c) == mlcore.to_spec(m)
    with pytest.raises(mlcore.errors.ComponentArgumentError, match="did you mean 'shift'"):
        m.set_params(shfit=1)
    with pytest.raises(mlcore.errors.NotFittedError):
        MeanModel().predict(np.ones((1, 2)))
    assert sklearn.base.is_regressor(m) is False


def test_generators_round_trip_exactly_and_only_numpy_ones_load(isolated_registry, tmp_path):
    @mlcore.register("estimator", "noisy")
    class Noisy(Estimator):
        _state_attrs = ("_rng",)

        def __init__(self, random_state=None):
            self.random_state = random_state

        def fit(self, X=None, y=None):
            self._rng = np.random.default_rng(self.random_state)
            self._rng.random(5)
            self.mt_ = np.random.Generator(np.random.MT19937(3))
            return self

    m = mlcore.build("noisy(random_state=4)").fit()
    back = mlcore.load(mlcore.save(m, tmp_path / "n.npz"))
    assert back._rng.random(3).tolist() == m._rng.random(3).tolist()
    assert back.mt_.integers(100, size=4).tolist() == m.mt_.integers(100, size=4).tolist()
    _write(tmp_path / "bad.npz", {"format": "mlcore", "version": 1, "spec": "noisy", "kind": "estimator",
                                  "tree": {"state": {"__d__": [["mt_", {"__rng__": {"__d__": [["bit_generator", "os.system"]]}}]]},
                                           "children": {}}})
    with pytest.raises(FileFormatError, match="unknown bit generator"):
        mlcore.load(tmp_path / "bad.npz")


def test_progress_iter_is_silent_without_a_terminal():
    assert list(mlcore.progress_iter(range(3))) == [0, 1, 2]  # pytest captures stderr: no terminal


def test_progress_true_without_tqdm_says_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("no tqdm here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    with pytest.raises(ImportError, match="pip install tqdm"):
        mlcore.progress_iter(range(2), progress=True)
    assert mlcore.progress.progress_bar(progress=False) is None


def test_state_equality_compares_generators_by_state():
    a, b = np.random.default_rng(1), np.random.default_rng(1)
    assert_state_equal({"g": a}, {"g": b})
    b.random()
    with pytest.raises(AssertionError):
        assert_state_equal({"g": a}, {"g": b})
