"""CONTRIBUTING's hook and interface references are checked against the code (issue 24)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import mlcore
from mlcore import hookspecs
from mlcore.interfaces import required_methods

TEXT = (Path(__file__).resolve().parents[1] / "CONTRIBUTING.md").read_text()


def _section(title: str) -> str:
    start = TEXT.index(f"## {title}\n")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start:end if end >= 0 else None]


def _rows(section: str) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines()
            if line.startswith("|")]
    return [r for r in rows[2:]]   # after the header and the rule


def test_interface_reference_lists_every_kind_with_what_it_requires():
    reg = mlcore.registry()
    expected = []
    for kind in reg.kinds():
        iface = reg.interface(kind)
        needs = ", ".join(f"`{m}`" for m in required_methods(iface))
        expected.append([f"`{kind}`", f"`{iface.__module__}.{iface.__qualname__}`", needs])
    assert _rows(_section("Interface reference")) == expected


def test_hook_reference_lists_every_hook_with_its_arguments():
    specs = {name: fn for name, fn in vars(hookspecs).items()
             if name.startswith(f"{hookspecs.PROJECT}_") and callable(fn)
             and hasattr(fn, f"{hookspecs.PROJECT}_spec")}
    documented = {}
    for row in _rows(_section("Hook reference")):
        m = re.fullmatch(r"`(\w+)\((.*)\)`", row[0])
        assert m, row[0]
        documented[m.group(1)] = [a.strip() for a in m.group(2).split(",") if a.strip()]
    assert documented == {name: list(inspect.signature(fn).parameters) for name, fn in specs.items()}
