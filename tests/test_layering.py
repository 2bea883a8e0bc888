"""The house stays acyclic (issue 24): the core's modules import one another without a
cycle at import time, the core imports no family, and a family imports only the core and
the families it declares as dependencies."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())


def _module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Modules of ``known`` that ``path`` imports when it is imported (top-level statements)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names} & known
            if subs:                  # ``from . import _catalog``: the submodules
                out |= subs
            elif node.module and target in known:
                out.add(target)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt]
            if not state.get(nxt):
                found = visit(nxt, path + [node])
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if not state.get(node):
            found = visit(node, [])
            if found:
                return found
    return None


def test_core_modules_import_without_a_cycle():
    files = {_module_name(p, ROOT): p for p in (ROOT / "mlcore").rglob("*.py")}
    known = set(files)
    graph = {name: _module_level_imports(path, name, known) - {name} for name, path in files.items()}
    for name in graph:   # a submodule importing its own package's __init__ is not a cycle of ours
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    assert _cycle(graph) is None


def test_a_cycle_is_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_a_family_imports_only_the_core_and_its_declared_dependencies(plugin):
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((plugin / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[\s\[<>=!~;]", d)[0].replace("-", "_") for d in project.get("dependencies", [])}
    own = project["name"].replace("-", "_")
    families = {p.name.replace("-", "_") for p in PLUGINS}
    bad = set()
    for path in (plugin / "src").rglob("*.py"):
        if "egg-info" in str(path):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for n in names:
                top = n.split(".")[0]
                if top in families and top != own and top not in declared:
                    bad.add(f"{path.relative_to(plugin)}: {n}")
    assert bad == set()
