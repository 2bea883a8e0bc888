"""The entry-point cache: reused while sys.path is unchanged, invalidated by installs."""

import os

from mlcore import _discovery


def test_cache_is_used_then_invalidated(tmp_path, monkeypatch, make_plugin):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = _discovery.find_entry_points()
    path = _discovery._cache_path()
    assert os.path.exists(path)
    calls = []
    real_scan = _discovery._scan
    monkeypatch.setattr(_discovery, "_scan", lambda: calls.append(1) or real_scan())
    assert _discovery.find_entry_points() == first and calls == []  # served from the cache
    make_plugin("late-dist", "late", "")  # a new distribution changes a sys.path directory
    names = [e.name for e in _discovery.find_entry_points()]
    assert "late" in names and calls == [1]
    assert _discovery.find_entry_points(use_cache=False) and calls == [1, 1]
    monkeypatch.setenv("MLCORE_NO_CACHE", "1")
    _discovery.find_entry_points()
    assert calls == [1, 1, 1]


def test_corrupt_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    expected = _discovery.find_entry_points()
    with open(_discovery._cache_path(), "w") as fh:
        fh.write("garbage\n-- entry points --\nx\ty\n")
    assert _discovery.find_entry_points() == expected
