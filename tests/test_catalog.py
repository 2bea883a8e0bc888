"""The first-party catalogue is data derived from the plugins (issue 24, "one edit per
component"): the generated module is in step with the installed families' registrations,
and the core's code names no first-party plugin outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mlcore
from mlcore import _catalog, _catalog_data, _catalog_gen

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = sorted(p.parent.name for p in ROOT.glob("plugins/*/pyproject.toml"))


def test_catalogue_data_is_in_step_with_the_installed_families():
    """Regenerate from the families' own registrations: the committed data must equal it
    (run ``python -m mlcore._catalog_gen --write`` after adding a component)."""
    assert _catalog_gen.render(_catalog_gen.collect(ROOT)) == Path(_catalog_data.__file__).read_text(), \
        "mlcore/_catalog_data.py is out of step: run python -m mlcore._catalog_gen --write"


def test_catalogue_covers_every_family_and_every_registered_name():
    assert sorted(_catalog.FIRST_PARTY) == FAMILIES
    reg = mlcore.registry()
    for plugin in reg.plugins():
        if plugin.error or not _catalog.is_first_party(plugin.distribution) or plugin.distribution == _catalog.CORE:
            continue
        for entry in reg.entries():
            if entry.plugin == plugin.name:
                assert (plugin.distribution, entry.kind) in _catalog.providers(entry.name, entry.kind)


def test_catalogue_is_read_lazily():
    """Listing what a distribution provides needs no plugin import: the data module only."""
    import subprocess
    import sys

    code = ("import sys, mlcore._catalog as c; c.providers('adam'); "
            "print(sorted(m for m in sys.modules if m.startswith('mlcore_')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _names_of_families() -> list[str]:
    names = []
    for family in FAMILIES:
        names += [family, family.replace("-", "_")]
    return names


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "mlcore").rglob("*.py") if p.name != "_catalog_data.py"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_names_no_first_party_plugin(path):
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, _names_of_families())) + r")\b")
    found = [f"{path.name}:{i}: {m.group(0)}" for i, line in enumerate(path.read_text().splitlines(), 1)
             for m in [pattern.search(line)] if m]
    assert found == []
