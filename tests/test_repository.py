"""The repository's own promises: install lines in step with plugins, plugin layout, cold start."""

import pathlib
import re
import subprocess
import sys

import pytest
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PLUGIN_DIRS = sorted(p for p in (ROOT / "plugins").glob("*") if (p / "pyproject.toml").exists())
CONTRIB_DIRS = sorted(p for p in (ROOT / "contrib").glob("*") if (p / "pyproject.toml").exists())


def test_requirements_dev_installs_every_plugin_by_name():
    lines = [line.strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    editable = sorted(line.split(None, 1)[1] for line in lines if line.startswith("-e ") and line != "-e .")
    assert "-e ." in lines
    assert not any("*" in e for e in editable), "no globs: one line per plugin"
    expected = sorted(str(p.relative_to(ROOT)) for p in PLUGIN_DIRS + CONTRIB_DIRS)
    assert editable == expected


GYMNASIUM_PLUGINS = ("mlcore-rl", "mlcore-bandits")


@pytest.mark.parametrize("plugin", PLUGIN_DIRS, ids=lambda p: p.name)
def test_plugin_layout(plugin):
    meta = tomllib.loads((plugin / "pyproject.toml").read_text())
    family = plugin.name.removeprefix("mlcore-")
    assert meta["project"]["name"] == plugin.name
    eps = meta["project"]["entry-points"]["mlcore.plugins"]
    module = f"mlcore_{family.replace('-', '_')}"
    if plugin.name in GYMNASIUM_PLUGINS:  # their package registers envs with Gymnasium on import
        assert eps == {family: f"{module}_plugin"}
        assert (plugin / "src" / f"{module}_plugin.py").exists()
    else:
        assert eps == {family: f"{module}.plugin"}
        assert (plugin / "src" / module / "plugin.py").exists()
    assert (plugin / "README.md").exists()
    package = plugin / "src" / module
    assert (package / "py.typed").exists(), f"{plugin.name} ships no py.typed"
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"][module], "py.typed is not package data"
    assert not (plugin / "tests" / "__init__.py").exists()
    assert list((plugin / "tests").glob("test_*.py")), f"{plugin.name} has no tests"
    deps = [re.split(r"[<>=!~ \[]", d)[0].lower() for d in meta["project"].get("dependencies", [])]
    allowed = {"mlcore-core", "numpy", "scipy", "pluggy", "attrs"} | {p.name for p in PLUGIN_DIRS}
    if plugin.name in GYMNASIUM_PLUGINS:  # Gymnasium environments (issue 19); no other family
        allowed.add("gymnasium")
    assert set(deps) <= allowed, f"runtime dependencies beyond the allowed set: {set(deps) - allowed}"


def test_building_an_optimizer_imports_no_other_family():
    """Acceptance: building adam imports no component (or kind interface) module of another family."""
    code = """
import json, sys
import mlcore
mlcore.build('adam(lr=1e-3)')
reg = mlcore.registry()
targets = {e.target_path.split(':')[0]: e.plugin for e in reg.entries()}
targets.update({k.interface.split(':')[0]: k.plugin for k in reg._kinds.values() if isinstance(k.interface, str)})
print(json.dumps({m: p for m, p in targets.items() if m in sys.modules}))
print(json.dumps(sorted(m for m in ("gymnasium", "scipy", "sklearn", "torch", "matplotlib") if m in sys.modules)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    import json

    imported, heavy = map(json.loads, out.splitlines())
    assert heavy == [], f"loading the plugins and building adam imported {heavy}"
    assert imported, "expected at least the optimizer's own module to be imported"
    others = {m: p for m, p in imported.items() if p not in ("optim", "mlcore")}
    assert others == {}, f"building adam imported component modules of other families: {others}"


def test_sources_pass_the_linter():
    """ruff with the repository's settings (pyproject.toml); catches syntax newer than Python 3.10."""
    ruff = pytest.importorskip("ruff")
    del ruff
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
                           "mlcore", "tests", "plugins", "contrib", "benchmarks"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mlcore_demo_runs_every_part():
    """The README's `make demo` promise: every installed family's demo part runs cleanly."""
    proc = subprocess.run([sys.executable, "-m", "mlcore", "demo"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "FAILED" not in proc.stdout
    import mlcore

    parts = {plugin for plugin, _, _ in mlcore.registry().demos()}
    assert {p.name for p in PLUGIN_DIRS} <= {f"mlcore-{p}" for p in parts}, "a family has no demo part"
