"""Shared fixtures for the core tests: fake plugin distributions on sys.path."""

import itertools
import textwrap

import pytest

_counter = itertools.count()


@pytest.fixture
def make_plugin(tmp_path, monkeypatch):
    """Install a fake plugin distribution into a temporary sys.path entry.

    ``make_plugin(dist, entry, source)`` writes a ``.dist-info`` with an entry point in
    ``mlcore.plugins`` and the registration module; returns the module name.
    """
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))

    def make(dist: str, entry: str, source: str, version: str = "1.0") -> str:
        module = f"fake_{entry}_{next(_counter)}"
        info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[mlcore.plugins]\n{entry} = {module}\n")
        (root / f"{module}.py").write_text(textwrap.dedent(source).replace("__MODULE__", module))
        return module

    return make


@pytest.fixture
def plugin_registry(monkeypatch):
    """A fresh autoloading registry installed as the process registry."""
    from mlcore._registry import Registry, _set_registry

    def fresh(**kw):
        reg = Registry(**kw)
        _set_registry(reg)
        return reg

    old = _set_registry(None)
    yield fresh
    _set_registry(old)
