"""The repository's own promises: install lines in step with plugins, plugin layout, cold start."""

import pathlib
import re
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PLUGIN_DIRS = sorted(p for p in (ROOT / "plugins").glob("*") if (p / "pyproject.toml").exists())
CONTRIB_DIRS = sorted(p for p in (ROOT / "contrib").glob("*") if (p / "pyproject.toml").exists())


def test_requirements_dev_installs_every_plugin_by_name():
    lines = [l.strip() for l in (ROOT / "requirements-dev.txt").read_text().splitlines()]
    editable = sorted(l.split(None, 1)[1] for l in lines if l.startswith("-e ") and l != "-e .")
    assert "-e ." in lines
    assert not any("*" in l for l in editable), "no globs: one line per plugin"
    expected = sorted(str(p.relative_to(ROOT)) for p in PLUGIN_DIRS + CONTRIB_DIRS)
    assert editable == expected


@pytest.mark.parametrize("plugin", PLUGIN_DIRS, ids=lambda p: p.name)
def test_plugin_layout(plugin):
    meta = tomllib.loads((plugin / "pyproject.toml").read_text())
    family = plugin.name.removeprefix("mlcore-")
    assert meta["project"]["name"] == plugin.name
    eps = meta["project"]["entry-points"]["mlcore.plugins"]
    module = f"mlcore_{family.replace('-', '_')}"
    assert eps == {family: f"{module}.plugin"}
    assert (plugin / "src" / module / "plugin.py").exists()
    assert (plugin / "README.md").exists()
    assert not (plugin / "tests" / "__init__.py").exists()
    assert list((plugin / "tests").glob("test_*.py")), f"{plugin.name} has no tests"
    deps = [re.split(r"[<>=!~ \[]", d)[0].lower() for d in meta["project"].get("dependencies", [])]
    allowed = {"mlcore", "numpy", "scipy", "pluggy", "attrs"} | {p.name for p in PLUGIN_DIRS}
    assert set(deps) <= allowed, f"runtime dependencies beyond the allowed set: {set(deps) - allowed}"


def test_building_an_optimizer_imports_no_other_family():
    code = ("import mlcore, sys, json; mlcore.build('adam(lr=1e-3)'); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('mlcore_'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    import json

    loaded = json.loads(out)
    registration = {f"{p.name.replace('-', '_')}" for p in PLUGIN_DIRS + CONTRIB_DIRS}
    registration |= {f"{m}.plugin" for m in registration}
    heavy = [m for m in loaded if not m.startswith("mlcore_optim") and m not in registration]
    assert heavy == [], f"building adam imported component modules of other families: {heavy}"
    assert any(m.startswith("mlcore_optim.") and m != "mlcore_optim.plugin" for m in loaded)
