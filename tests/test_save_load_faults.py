"""Fault injection for save/load (issue 17): atomic saves, hostile files, declared state.

The registry-wide shape checks are in test_save_load_shapes.py.

Memory bound (stated in mlcore/_io.py and checked here with tracemalloc): loading a file
of ``n`` bytes allocates at most ``LOAD_BOUND(n) = 4 MiB + 16 n`` at its peak, whatever
the file contains -- the arrays cannot claim more bytes than the file holds and the
manifest's JSON expands to at most about 11 times its size (nested empty lists are
the worst case, tested below).
"""

import errno
import io
import json
import os
import resource
import signal
import threading
import tracemalloc
import zipfile

import numpy as np
import pytest

import mlcore
from mlcore.errors import FileFormatError
from mlcore.interfaces import Estimator


def LOAD_BOUND(n):
    return 4 * 2 ** 20 + 16 * n


@pytest.fixture
def toy(isolated_registry):
    @mlcore.register("estimator", "lin_toy")
    class LinToy(Estimator):
        def __init__(self, alpha=1.0, random_state=None):
            if not alpha > 0:
                raise mlcore.errors.ComponentArgumentError(f"alpha must be > 0, got {alpha!r}")
            self.alpha, self.random_state = alpha, random_state

        def fit(self, X, y=None):
            X = np.asarray(X, dtype=float)
            self.n_features_in_ = X.shape[1]
            self.coef_ = np.linspace(1, 2, 2 * X.shape[1]).reshape(2, -1) / self.alpha
            self.intercept_ = np.zeros(2)
            self.meta_ = {"n": len(X), "tag": ("a", 1)}
            return self

        def predict(self, X):
            return np.asarray(X) @ self.coef_.T + self.intercept_

    return LinToy


def _fitted(cols=3, alpha=1.0):
    return mlcore.build(f"lin_toy(alpha={alpha})").fit(np.ones((4, cols)))


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
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("__mlcore__.npy", _npy(np.array(text)))
        for name, data in members.items():
            z.writestr(name, data)


def _state_ref(manifest, key):
    """The array member name holding ``key`` of the top-level state."""
    for k, v in manifest["tree"]["state"]["__d__"]:
        if k == key:
            return v["__a__"] + ".npy"
    raise KeyError(key)


def _load_peak(path):
    """Load ``path`` under tracemalloc; returns (exception or None, peak bytes)."""
    tracemalloc.start()
    try:
        mlcore.load(path)
        exc = None
    except Exception as e:  # noqa: BLE001 - returned to the caller, which checks its type
        exc = e
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return exc, peak


def _temp_files(d):
    return [p for p in os.listdir(d) if p.endswith(".tmp")]


# ---------------------------------------------------------------------- atomic saves
def _failing_writes(monkeypatch, exc=None):
    calls = []
    real = np.lib.format.write_array

    def write_array(fp, arr, *a, **k):
        calls.append(1)
        if len(calls) == 3:  # the manifest and one array are written, then the disk "fails"
            fp.write(b"\0" * 1000)
            raise exc or OSError(errno.ENOSPC, "No space left on device")
        return real(fp, arr, *a, **k)

    monkeypatch.setattr(np.lib.format, "write_array", write_array)


def _interrupted(monkeypatch):
    _failing_writes(monkeypatch, KeyboardInterrupt())


def _failing_fsync(monkeypatch):
    def fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)


def _failing_replace(monkeypatch):
    def replace(a, b):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("fault", ["huge_int", "object", "deep_state", "array_write", "interrupt", "fsync",
                                   "replace"])
def test_a_failing_save_keeps_the_previous_file_intact(toy, tmp_path, monkeypatch, fault):
    path = tmp_path / "m.npz"
    mlcore.save(_fitted(), path)
    before = path.read_bytes()
    m = _fitted(cols=5, alpha=2.0)
    expected = {"huge_int": ValueError, "object": TypeError, "deep_state": ValueError,
                "interrupt": KeyboardInterrupt}.get(fault, OSError)
    if fault == "huge_int":
        m.count_ = 10 ** 5000
    elif fault == "object":
        m.extra_ = object()
    elif fault == "deep_state":
        deep = []
        for _ in range(200):
            deep = [deep]
        m.deep_ = deep
    else:
        {"array_write": _failing_writes, "interrupt": _interrupted, "fsync": _failing_fsync,
         "replace": _failing_replace}[fault](monkeypatch)
    with pytest.raises(expected) as info:
        mlcore.save(m, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []
    if fault == "huge_int":
        assert "count_" in str(info.value) and "bits" in str(info.value)
    back = mlcore.load(path)
    assert back.coef_.shape == (2, 3)


def test_file_size_limit_keeps_the_previous_file_intact(toy, tmp_path):
    path = tmp_path / "m.npz"
    mlcore.save(_fitted(), path)
    before = path.read_bytes()
    big = _fitted()
    big.table_ = np.arange(200_000, dtype=np.float64)  # 1.6 MB, over the limit below
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, hard))
    try:
        with pytest.raises(OSError) as info:
            mlcore.save(big, path)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)
    assert info.value.errno == errno.EFBIG
    assert path.read_bytes() == before
    assert _temp_files(tmp_path) == []


def test_concurrent_saves_leave_one_complete_file(toy, tmp_path):
    path = tmp_path / "m.npz"
    models = [_fitted(cols=c, alpha=1.0 + c) for c in range(1, 9)]
    for _ in range(6):  # the old save left an unloadable file in about half of the rounds
        barrier = threading.Barrier(len(models))
        errors = []

        def work(m, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                for _ in range(3):
                    mlcore.save(m, path)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(m,)) for m in models]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        back = mlcore.load(path)
        twin = next(m for m in models if m.alpha == back.alpha)  # one writer's file, complete
        np.testing.assert_array_equal(back.coef_, twin.coef_)
        assert back.n_features_in_ == twin.n_features_in_ and back.meta_ == twin.meta_
    assert _temp_files(tmp_path) == []


def test_a_symlink_at_the_target_is_replaced_not_followed(toy, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    link = tmp_path / "m.npz"
    link.symlink_to(victim)
    mlcore.save(_fitted(), link)
    assert victim.read_bytes() == b"precious"
    assert not link.is_symlink() and mlcore.load(link).coef_.shape == (2, 3)


# ---------------------------------------------------------------------- hostile files
def _crafted(kind, tmp_path):
    """A hostile or damaged file of the given kind, made from a valid save of lin_toy."""
    good = tmp_path / "good.npz"
    mlcore.save(_fitted(), good)
    data = bytearray(good.read_bytes())
    manifest, members = _unpack(good)
    p = tmp_path / f"{kind}.npz"
    coef = _state_ref(manifest, "coef_")
    if kind == "not_a_zip":
        p.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    elif kind == "central_directory":
        i = data.rfind(b"PK\x01\x02")
        data[i + 10: i + 12] = b"\x63\x00"  # compression method 99 (AES): zipfile's NotImplementedError
        p.write_bytes(bytes(data))
    elif kind == "local_header":
        i = data.find(b"PK\x03\x04", 10)
        data[i + 26: i + 28] = b"\xff\xff"  # file name length beyond the member
        p.write_bytes(bytes(data))
    elif kind == "crc":
        i = data.find(members[coef][-16:])
        data[i] ^= 0xFF
        p.write_bytes(bytes(data))
    elif kind == "truncated":
        p.write_bytes(bytes(data[: len(data) - 30]))
    elif kind == "nested_json":
        text = json.dumps({"format": "mlcore", "version": 1, "spec": "lin_toy", "kind": "estimator", "tree": 0})
        _pack(p, text.replace("0}", "[" * 100_000 + "]" * 100_000 + "}"), {})
    elif kind == "huge_header":
        small = _npy(np.zeros(6))  # same header length: replace (6,) and drop 12 padding spaces
        header = small[:128].replace(b"(6,)", b"(1099511627776,)").replace(b" " * 12 + b"\n", b"\n")
        assert len(header) == 128
        _pack(p, manifest, {**members, coef: header + b"\0" * 48})  # 8 TiB declared, 48 bytes held
    elif kind == "object_array":
        evil = np.empty(2, dtype=object)
        buf = io.BytesIO()
        np.lib.format.write_array(buf, evil, allow_pickle=True)
        _pack(p, manifest, {**members, coef: buf.getvalue()})
    elif kind == "unreferenced_member":
        _pack(p, manifest, {**members, "a99.npy": _npy(np.ones(3))})
    elif kind == "many_members":  # zipfile's per-entry bookkeeping must stay within the bound too
        _pack(p, manifest, {**members, **{f"a{i}.npy": b"" for i in range(100, 5_100)}})
    elif kind == "non_array_member":
        _pack(p, manifest, {**members, "readme.txt": b"hello"})
    elif kind == "not_npy":
        _pack(p, manifest, {**members, coef: b"this is not an npy file at all"})
    elif kind == "duplicate_member":
        _pack(p, manifest, members)
        with zipfile.ZipFile(p, "a") as z, pytest.warns(UserWarning, match="Duplicate name"):
            z.writestr(coef, _npy(np.ones((2, 3))))
    elif kind == "shared_member":  # two state values pointing at one member
        for pair in manifest["tree"]["state"]["__d__"]:
            if pair[0] == "intercept_":
                pair[1] = {"__a__": coef[:-4], "scalar": False}
        _pack(p, manifest, {k: v for k, v in members.items() if k != _state_ref(manifest, "coef_") or True})
    elif kind == "compressed_bomb":
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("__mlcore__.npy", _npy(np.array(json.dumps(manifest))))
            for name, b in members.items():
                z.writestr(name, b)
            z.writestr("a99.npy", _npy(np.zeros(2 ** 24)))
    elif kind in ("predict", "__dict__", "alpha", "set_state"):
        manifest["tree"]["state"]["__d__"].append([kind, -5])
        _pack(p, manifest, members)
    elif kind == "wrong_shape":  # coef_ for 4 features, n_features_in_ says 3
        _pack(p, manifest, {**members, coef: _npy(np.ones((2, 4)))})
    elif kind == "wrong_n_features":
        for pair in manifest["tree"]["state"]["__d__"]:
            if pair[0] == "n_features_in_":
                pair[1] = 7
        _pack(p, manifest, members)
    elif kind == "huge_int_literal":
        text = json.dumps(manifest).replace('"n_features_in_", 3', '"n_features_in_", ' + "9" * 5000)
        _pack(p, text, members)
    elif kind == "unknown_tag":
        manifest["tree"]["state"]["__d__"].append(["x_", {"__pickle__": "cos\nsystem"}])
        _pack(p, manifest, members)
    elif kind == "unhashable_key":
        manifest["tree"]["state"]["__d__"].append([{"__d__": []}, 1])
        _pack(p, manifest, members)
    elif kind == "child_not_a_param":
        manifest["tree"]["children"]["predict"] = {"state": {"__d__": []}, "children": {}}
        _pack(p, manifest, members)
    elif kind == "bad_spec":
        manifest["spec"] = "lin_toy(alpha=-5)"
        _pack(p, manifest, members)
    else:  # pragma: no cover
        raise ValueError(kind)
    return p


HOSTILE = {
    "not_a_zip": "not a valid zip", "central_directory": "compressed (method 99)", "local_header": "damaged",
    "crc": "damaged", "truncated": "", "nested_json": "nested too deeply", "huge_header": "1099511627776",
    "object_array": "Python objects", "unreferenced_member": "not referred to", "many_members": "not referred to", "non_array_member": "readme.txt",
    "not_npy": "damaged", "duplicate_member": "duplicate member", "shared_member": "referred to twice",
    "compressed_bomb": "compressed", "predict": "'predict'", "__dict__": "'__dict__'", "alpha": "'alpha'",
    "set_state": "'set_state'", "wrong_shape": "n_features_in_=3", "wrong_n_features": "n_features_in_=7",
    "huge_int_literal": "not valid JSON", "unknown_tag": "unexpected entry", "unhashable_key": "invalid dict key",
    "child_not_a_param": "'predict'", "bad_spec": "alpha must be > 0",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_files_raise_file_format_error_within_bounded_memory(toy, tmp_path, kind):
    p = _crafted(kind, tmp_path)
    exc, peak = _load_peak(p)
    assert isinstance(exc, FileFormatError), f"{kind}: {type(exc).__name__}: {exc}"
    assert HOSTILE[kind] in str(exc), str(exc)
    assert peak < LOAD_BOUND(p.stat().st_size), f"{kind}: peak {peak} bytes for a {p.stat().st_size}-byte file"


@pytest.mark.parametrize("item", ["[]", "[[[[[[[[]]]]]]]]", "0", '{"__t__": []}', '"a"'])
def test_a_manifest_heavy_file_stays_within_the_bound(toy, tmp_path, item):
    """The worst case of JSON expansion: many tiny (nested, empty) containers in state."""
    good = mlcore.save(_fitted(), tmp_path / "good.npz")
    manifest, members = _unpack(good)
    text = json.dumps(manifest).replace('"__d__": [', '"__d__": [["x_", [' + ",".join([item] * 30_000) + "]], ", 1)
    p = tmp_path / "heavy.npz"
    _pack(p, text, members)
    exc, peak = _load_peak(p)
    assert exc is None
    assert peak < 16 * p.stat().st_size, f"peak {peak} bytes for a {p.stat().st_size}-byte file"  # no 4 MiB slack


def test_a_missing_path_is_not_a_format_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        mlcore.load(tmp_path / "nothing.npz")


def test_state_is_restored_only_into_declared_attributes(toy):
    m = _fitted()
    for key in ("predict", "__dict__", "alpha", "_private", "fit"):
        with pytest.raises(FileFormatError, match=repr(key)):
            m.set_state({key: 1})
    m.set_state({"new_thing_": 1, "coef_": np.zeros((2, 3))})  # learned attributes are fine
    assert m.new_thing_ == 1


def test_hyperparameters_ending_with_underscore_are_not_state(isolated_registry, tmp_path):
    @mlcore.register("estimator", "lam_toy")
    class LamToy(Estimator):
        def __init__(self, lambda_=1.0):
            self.lambda_ = lambda_

        def fit(self, X, y=None):
            self.w_ = np.ones(2)
            return self

    m = mlcore.build("lam_toy(lambda_=2.0)").fit(None)
    assert "lambda_" not in m.get_state()
    with pytest.raises(FileFormatError, match="lambda_"):
        m.set_state({"lambda_": -5.0})
    path = mlcore.save(m, tmp_path / "l.npz")
    assert mlcore.load(path).lambda_ == 2.0
    manifest, members = _unpack(path)  # older files held it in the state: equal values are ignored
    manifest["tree"]["state"]["__d__"].append(["lambda_", 2.0])
    _pack(path, manifest, members)
    assert mlcore.load(path).lambda_ == 2.0
    manifest["tree"]["state"]["__d__"][-1] = ["lambda_", -5.0]  # a different one is refused
    _pack(path, manifest, members)
    with pytest.raises(FileFormatError, match="does not declare 'lambda_'"):
        mlcore.load(path)
