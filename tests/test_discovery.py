"""The entry-point cache: a speed-up, never a source of truth.

Reused while nothing it depends on changed; every cached entry point is checked against
the installed distributions' own metadata; the file is written safely and ignored when
it cannot be trusted.
"""

import importlib.metadata  # imported before tests narrow sys.path
import os
import stat
import sys
import time

import pytest

import mlcore
from mlcore import _discovery

EVIL = """
import builtins
builtins.__dict__.setdefault("_mlcore_evil_imports", []).append(__name__)
"""


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache directory; metadata written during the test counts as settled."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MLCORE_NO_CACHE", raising=False)
    monkeypatch.setattr(_discovery, "_RACY_NS", -10**12)
    return tmp_path / "cache" / "mlcore"


@pytest.fixture
def scans(monkeypatch):
    """Count full scans."""
    calls = []
    real = _discovery._scan_full
    monkeypatch.setattr(_discovery, "_scan_full", lambda: calls.append(1) or real())
    return calls


def _age(*paths, seconds=100):
    t = time.time() - seconds
    for p in paths:
        os.utime(p, (t, t))


def _fake_dist(root, dist, entry=None, module=None):
    """A .dist-info folder (METADATA, and entry_points.txt if ``entry``) in ``root``."""
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    if entry:
        (info / "entry_points.txt").write_text(f"[mlcore.plugins]\n{entry} = {module}\n")
    return info


def test_cache_is_used_then_invalidated(cache, scans, make_plugin, monkeypatch):
    first = _discovery.find_entry_points()
    path = _discovery._cache_path()
    assert os.path.exists(path) and scans == [1]
    assert _discovery.find_entry_points() == first and scans == [1]  # served from the cache
    make_plugin("late-dist", "late", "")  # a new distribution changes a sys.path directory
    names = [e.name for e in _discovery.find_entry_points()]
    assert "late" in names and scans == [1, 1]
    assert _discovery.find_entry_points(use_cache=False) and scans == [1, 1, 1]
    monkeypatch.setenv("MLCORE_NO_CACHE", "1")
    _discovery.find_entry_points()
    assert scans == [1, 1, 1, 1]


def test_cached_result_equals_a_scan(cache, scans):
    expected = _discovery._scan()
    assert _discovery.find_entry_points() == expected
    assert _discovery.find_entry_points() == expected and scans == [1, 1]  # _scan, then the first call
    by_name = {e.name: e for e in expected}
    assert by_name["optim"].value == "mlcore_optim.plugin"
    assert by_name["optim"].distribution == "mlcore-optim"


def test_corrupt_cache_is_ignored(cache):
    expected = _discovery.find_entry_points()
    with open(_discovery._cache_path(), "w") as fh:
        fh.write("garbage\n-- entry points --\nx\ty\n")
    assert _discovery.find_entry_points() == expected


def _edit_cache(old: str, new: str):
    path = _discovery._cache_path()
    with open(path) as fh:
        text = fh.read()
    assert old in text
    with open(path, "w") as fh:
        fh.write(text.replace(old, new))


@pytest.mark.parametrize("edit", ["value", "extra_row", "foreign_folder"])
def test_an_edited_cache_imports_nothing_no_entry_point_names(edit, cache, scans, tmp_path, monkeypatch,
                                                             plugin_registry):
    """Today's attack: point a cached entry point at another importable module."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "evil_cache_target.py").write_text(EVIL)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "evil_cache_target", raising=False)
    monkeypatch.setattr("builtins._mlcore_evil_imports", [], raising=False)
    expected = _discovery.find_entry_points()
    assert _discovery.find_entry_points() == expected and scans == [1]  # the cache is in use
    if edit == "value":  # the module of a real, installed entry point
        _edit_cache("mlcore_optim.plugin", "evil_cache_target")
    elif edit == "extra_row":  # a row for a distribution that has no mlcore entry point
        pluggy_dir = str(importlib.metadata.distribution("pluggy")._path)
        with open(_discovery._cache_path(), "a") as fh:
            fh.write(f"E\t{pluggy_dir}\tzz\tevil_cache_target\tpluggy\t{importlib.metadata.version('pluggy')}\n")
    else:  # a well-formed distribution folder that is not on sys.path, with honest stat keys
        other = tmp_path / "elsewhere"
        other.mkdir()
        info = _fake_dist(other, "evil-dist", "zz", "evil_cache_target")
        key = "\t".join(map(str, _discovery._ep_key(str(info))))
        with open(_discovery._cache_path(), "a") as fh:
            fh.write(f"D\t{info}\t{key}\nE\t{info}\tzz\tevil_cache_target\tevil-dist\t1.0\n")
    assert _discovery.find_entry_points() == expected and scans == [1, 1]  # doubt: scanned again
    plugin_registry()
    opt = mlcore.build("adam(lr=0.01)")
    assert type(opt).__module__.startswith("mlcore_optim") and mlcore.registry().lookup("adam").plugin == "optim"
    assert "evil_cache_target" not in sys.modules
    import builtins

    assert builtins._mlcore_evil_imports == []


def test_stale_cache_after_a_half_finished_install_heals(cache, scans, tmp_path, monkeypatch):
    """A scan between a .dist-info folder and its entry_points.txt appearing must not stick."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root)])
    info = _fake_dist(root, "late-dist")  # the installer wrote the folder, not yet entry_points.txt
    (root / "late_plugin.py").write_text("")
    _age(info, root)
    assert _discovery.find_entry_points() == [] and scans == [1]
    assert os.path.exists(_discovery._cache_path())
    assert _discovery.find_entry_points() == [] and scans == [1]  # cached
    (info / "entry_points.txt").write_text("[mlcore.plugins]\nlate = late_plugin\n")  # the install finishes
    assert [(e.name, e.value, e.distribution) for e in _discovery.find_entry_points()] == \
        [("late", "late_plugin", "late-dist")]
    assert scans == [1, 1]


def test_entry_points_edited_in_place_are_seen(cache, scans, tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root)])
    info = _fake_dist(root, "some-dist", "one", "mod_one")
    ep = info / "entry_points.txt"
    _age(ep, info, root)
    assert [e.value for e in _discovery.find_entry_points()] == ["mod_one"]
    ep.write_text("[mlcore.plugins]\none = mod_two\n")  # same size, new content, same folder
    assert [e.value for e in _discovery.find_entry_points()] == ["mod_two"]


def test_recently_changed_metadata_is_not_cached(tmp_path, monkeypatch, scans):
    """Racy metadata (changed within the timestamp granularity of the scan) is not cached."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MLCORE_NO_CACHE", raising=False)
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root)])
    info = _fake_dist(root, "fresh-dist")
    _discovery.find_entry_points()
    assert not os.path.exists(_discovery._cache_path())
    _age(info, root)
    _discovery.find_entry_points()
    assert os.path.exists(_discovery._cache_path())


def test_cache_files_are_private_and_written_without_following_links(cache, scans, tmp_path):
    cache.mkdir(parents=True, mode=0o755)  # as an older mlcore left it
    os.chmod(cache, 0o755)
    _discovery.find_entry_points()
    path = _discovery._cache_path()
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [n for n in os.listdir(cache) if n.endswith(".tmp")] == []
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.unlink(path)
    os.symlink(victim, path)
    _discovery.find_entry_points()  # a symlink at the cache path: not read, and replaced, not followed
    assert scans == [1, 1] and victim.read_text() == "keep me"
    assert not os.path.islink(path) and os.path.isfile(path)


@pytest.mark.parametrize("what", ["file_owner", "dir_owner", "file_mode", "dir_mode"])
def test_untrusted_cache_is_ignored(what, cache, scans):
    if os.geteuid() != 0 and what.endswith("owner"):
        pytest.skip("changing a file's owner needs root")  # pragma: no cover
    _discovery.find_entry_points()
    path = _discovery._cache_path()
    target = path if what.startswith("file") else str(cache)
    if what.endswith("owner"):
        os.chown(target, os.geteuid() + 4242, -1)
    else:
        os.chmod(target, os.stat(target).st_mode | stat.S_IWOTH)
    _discovery.find_entry_points()
    if what.startswith("file"):  # not read; replaced by a trusted file in the trusted folder
        assert scans == [1, 1] and os.stat(path).st_uid == os.geteuid()
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        _discovery.find_entry_points()
        assert scans == [1, 1]
    else:  # an untrusted folder is neither read nor written
        mtime = os.stat(path).st_mtime_ns
        _discovery.find_entry_points()
        assert scans == [1, 1, 1] and os.stat(path).st_mtime_ns == mtime


def test_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch, scans):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setattr(_discovery, "_RACY_NS", -10**12)
    assert _discovery._cache_path().startswith(str(tmp_path / "home" / ".cache" / "mlcore") + os.sep)
    _discovery.find_entry_points()
    assert not (tmp_path / "relative").exists()
    assert os.path.exists(_discovery._cache_path())


def test_old_cache_files_are_cleaned(cache, scans):
    cache.mkdir(parents=True, mode=0o700)
    old = []
    for i in range(3 * _discovery._MAX_FILES):
        p = cache / f"entry-points-{i:08x}.txt"
        p.write_text("old")
        _age(p, seconds=1000 + i)
        old.append(p)
    tmp = cache / "entry-points-00000000.txt.123.abcd.tmp"
    tmp.write_text("half")
    _age(tmp, seconds=7200)
    _discovery.find_entry_points()
    left = sorted(os.listdir(cache))
    assert len(left) == _discovery._MAX_FILES and os.path.basename(_discovery._cache_path()) in left
    assert left[:-1] == [p.name for p in old[:_discovery._MAX_FILES - 1]]  # the newest old ones are kept
    assert not tmp.exists()


def test_files_that_are_not_distributions_do_not_void_the_cache(cache, scans, tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root)])
    _fake_dist(root, "one-dist", "one", "mod_one")
    _discovery.find_entry_points()
    (root / "notes.txt").write_text("the current directory changes all the time")
    _discovery.find_entry_points()
    assert scans == [1]
    _fake_dist(root, "two-dist", "two", "mod_two")
    assert [e.name for e in _discovery.find_entry_points()] == ["one", "two"] and scans == [1, 1]


def test_a_distribution_added_within_the_same_clock_tick_is_seen(tmp_path, monkeypatch, scans):
    """A sys.path folder changed just before the scan is compared by listing, not by mtime."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MLCORE_NO_CACHE", raising=False)
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root)])
    _age(_fake_dist(root, "one-dist", "one", "mod_one"), seconds=100)
    _age(*(root / "one_dist-1.0.dist-info").iterdir(), seconds=100)
    _discovery.find_entry_points()  # root itself changed just now: its mtime is not trusted
    assert os.path.exists(_discovery._cache_path())
    mtime = os.stat(root).st_mtime_ns
    _age(_fake_dist(root, "two-dist", "two", "mod_two"), seconds=100)
    _age(*(root / "two_dist-1.0.dist-info").iterdir(), seconds=100)
    os.utime(root, ns=(mtime, mtime))  # as if in the same clock tick: the folder's mtime did not move
    importlib.metadata.FastPath.__new__.cache_clear()  # a new process: importlib's listing cache is keyed by mtime
    assert [e.name for e in _discovery.find_entry_points()] == ["one", "two"] and scans == [1, 1]


def test_an_uninstalled_distribution_disappears(cache, scans, tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root)])
    _fake_dist(root, "one-dist", "one", "mod_one")
    info = _fake_dist(root, "two-dist", "two", "mod_two")
    assert [e.name for e in _discovery.find_entry_points()] == ["one", "two"]
    assert [e.name for e in _discovery.find_entry_points()] == ["one", "two"] and scans == [1]
    shutil.rmtree(info)
    importlib.metadata.FastPath.__new__.cache_clear()
    assert [e.name for e in _discovery.find_entry_points()] == ["one"] and scans == [1, 1]
