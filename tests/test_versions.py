"""Versions (issue 21): the plugin-API check, `mlcore --version`, consistent releases, our distribution names."""

import importlib.metadata as md
import os
import pathlib
import re
import subprocess
import sys

import pytest
import tomllib

import mlcore
from mlcore import _catalog
from mlcore._doctor import problems
from mlcore._version import DISTRIBUTION, PLUGIN_API, IncompatiblePluginError, api_supported

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECTS = [ROOT / "pyproject.toml", *sorted([*ROOT.glob("plugins/*/pyproject.toml"),
                                                *ROOT.glob("contrib/mlcore-contrib-*/pyproject.toml"),
                                                *ROOT.glob("meta/*/pyproject.toml")])]

PLUGIN = """
from mlcore import hookimpl
from mlcore.interfaces import Scheduler

MLCORE_PLUGIN_API = {api!r}

class Flat(Scheduler):
    def learning_rate(self, step, cur_loss=None):
        return 1.0

@hookimpl
def mlcore_register(registry):
    registry.add("scheduler", {name!r}, "__MODULE__:Flat")
"""


@pytest.mark.parametrize("spec, api, expected", [
    (">=1,<2", (1, 0), True), (">=1,<2", (1, 9), True), (">=1,<2", (2, 0), False), (">=1,<2", (0, 9), False),
    (">=1.1", (1, 0), False), (">=1.1", (1, 1), True), ("==1", (1, 0), True), ("==1", (1, 1), False),
    ("!=1.0, <3", (1, 0), False), ("!=1.0, <3", (2, 5), True), (">1", (1, 0), False), ("<=1.2", (1, 2), True),
])
def test_api_ranges_by_hand(spec, api, expected):
    assert api_supported(spec, api) is expected


@pytest.mark.parametrize("bad", ["", "1", ">=one", ">=1;<2", "~=1.0", ">= 1.0.0", None])
def test_malformed_api_range_is_an_error_naming_the_attribute(bad):
    with pytest.raises(ValueError, match="MLCORE_PLUGIN_API"):
        api_supported(bad)


def test_incompatible_plugin_is_reported_and_not_loaded(make_plugin, plugin_registry, capsys):
    future = f">={PLUGIN_API[0] + 1},<{PLUGIN_API[0] + 2}"
    make_plugin("mlcore-future", "future", PLUGIN.format(api=future, name="future_flat"), version="9.0")
    make_plugin("mlcore-current", "current", PLUGIN.format(api=f">={PLUGIN_API[0]},<{PLUGIN_API[0] + 1}",
                                                           name="current_flat"), version="1.0")
    reg = plugin_registry(use_cache=False)
    assert "current_flat" in reg.names("scheduler")
    assert "future_flat" not in reg.names("scheduler")
    errors = [e for e in reg.errors() if e.plugin == "future"]
    assert len(errors) == 1 and isinstance(errors[0].exception, IncompatiblePluginError)
    assert f"plugin API {future}" in str(errors[0]) and f"{PLUGIN_API[0]}.{PLUGIN_API[1]}" in str(errors[0])
    assert not [e for e in reg.errors() if e.plugin == "current"]
    found = [m for m, _ in problems(reg)]
    assert any(m.startswith("INCOMPATIBLE plugin future (mlcore-future 9.0)") for m in found), found

    from mlcore.cli import main as cli

    assert cli(["plugins"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("future "))
    assert "mlcore-future" in row and "FAILED" in row and "plugin API" in row


def _installed_plugins():
    """(distribution, version) of every installed mlcore plugin, read from the metadata directly."""
    out = set()
    for dist in md.distributions():
        if any(ep.group == "mlcore.plugins" for ep in dist.entry_points):
            out.add((dist.metadata["Name"], dist.version))
    return out


def test_version_lists_core_and_every_plugin():
    env = dict(os.environ, MLCORE_NO_CACHE="1")
    proc = subprocess.run([sys.executable, "-m", "mlcore", "--version"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{DISTRIBUTION} {mlcore.__version__} ")
    assert f"plugin API {PLUGIN_API[0]}.{PLUGIN_API[1]}" in lines[0]
    listed = {tuple(line.split()[:2]) for line in lines[1:]}
    assert listed == _installed_plugins()


def test_releases_are_consistent():
    """Every distribution of the repository has the core's version and depends on a core range containing it."""
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert core["name"] == DISTRIBUTION and core["version"] == mlcore.__version__
    major, minor = (int(x) for x in mlcore.__version__.split(".")[:2])
    for path in PYPROJECTS[1:]:
        project = tomllib.loads(path.read_text())["project"]
        assert project["version"] == mlcore.__version__, path
        deps = [d for d in project.get("dependencies", []) if re.match(r"mlcore[-_]core\b", d)]
        if "meta" not in path.parts:
            assert deps == [f"{DISTRIBUTION}>={major}.{minor},<{major}.{minor + 1}"], path
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(mlcore.__version__)}\b", changelog, re.M), "no CHANGELOG entry for this release"


def test_every_registration_module_states_its_plugin_api():
    for path in PYPROJECTS:
        meta = tomllib.loads(path.read_text())["project"]
        for value in meta.get("entry-points", {}).get("mlcore.plugins", {}).values():
            module = path.parent / "src" / (value.replace(".", "/") + ".py")
            text = module.read_text()
            m = re.search(r'^MLCORE_PLUGIN_API = "([^"]+)"$', text, re.M)
            assert m and api_supported(m.group(1)), module


# Every distribution the project tells a user to install: README/CONTRIBUTING/docs text, error messages.
INSTALL = re.compile(r"pip install ((?:(?:-[-\w]+(?:[ =]\S+)?|[\w.\[\],<>=\"'-]+) ?)+)")


def _ours():
    names = {tomllib.loads(p.read_text())["project"]["name"] for p in PYPROJECTS}
    return names | {"mlcore-example", "mlcore-acme"}  # the plugin template's and CONTRIBUTING's example plugins


def _named(text):
    """Distribution names after `pip install` (options, paths, and version pins stripped)."""
    out = []
    for m in INSTALL.finditer(text):
        for word in m.group(1).split():
            word = word.strip("\"'`.,;:)")
            if not word or word.startswith(("-", ".", "/", "<", "$", "{")) or "/" in word:
                continue
            name = re.split(r"[\[<>=!~;]", word)[0]
            if name:
                out.append(name)
    return out


def test_every_mlcore_distribution_named_as_installable_is_ours():
    """A `pip install mlcore...` anywhere in docs, sources or error hints names one of the repository's distributions."""
    ours = _ours()
    files = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md",
             *ROOT.glob("mlcore/**/*.py"), *ROOT.glob("plugins/*/README.md"), *ROOT.glob("plugins/*/src/**/*.py"),
             *ROOT.glob("contrib/*/README.md"), *ROOT.glob("docs/**/*.rst"), *ROOT.glob("docs/**/*.md")]
    bad = {}
    for f in files:
        for name in _named(f.read_text()):
            if name.lower().startswith("mlcore") and name not in ours:
                bad.setdefault(name, []).append(str(f.relative_to(ROOT)))
    assert bad == {}
    assert set(_catalog.FIRST_PARTY) <= ours
    for dist in _catalog.FIRST_PARTY:  # the hint printed for an unknown name names an installable distribution
        assert _catalog.is_first_party(dist)
    assert _catalog.is_first_party(DISTRIBUTION) and not _catalog.is_first_party("mlcore")


def test_every_mlcore_dependency_is_ours():
    """`mlcore` on the index is another project: no dependency or requirement line names a distribution not ours."""
    ours = _ours()
    deps = []
    for path in PYPROJECTS:
        project = tomllib.loads(path.read_text())["project"]
        deps += [(path, d) for d in project.get("dependencies", [])]
        deps += [(path, d) for ds in project.get("optional-dependencies", {}).values() for d in ds]
    for path in ROOT.glob("requirements*.txt"):
        deps += [(path, line) for line in path.read_text().splitlines() if line and not line.startswith(("#", "-"))]
    names = [(p, re.split(r"[\s\[<>=!~;]", d.strip())[0]) for p, d in deps]
    bad = [(str(p.relative_to(ROOT)), n) for p, n in names if n.lower().startswith("mlcore") and n not in ours]
    assert names and bad == []


def test_mlcore_all_installs_the_core_and_every_family_at_this_release():
    meta = tomllib.loads((ROOT / "meta/mlcore-all/pyproject.toml").read_text())["project"]
    families = sorted(p.name for p in ROOT.glob("plugins/*") if (p / "pyproject.toml").exists())
    assert meta["name"] == _catalog.META
    assert sorted(meta["dependencies"]) == sorted(f"{d}=={mlcore.__version__}" for d in [DISTRIBUTION, *families])
    assert sorted(_catalog.FIRST_PARTY) == families
