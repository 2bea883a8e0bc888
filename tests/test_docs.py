"""Every fenced code block of the project's Markdown runs as a test, so docs cannot drift.

Collected files: ``README.md``, ``CONTRIBUTING.md``, ``plugins/*/README.md`` and
``contrib/*/README.md``.

Rules
-----
* ```` ```python ```` (or ``py``) blocks of one file run in order in one fresh namespace,
  like a doctest session (a block may use names defined by an earlier block of the same
  file), executed in-process with a temporary working directory and matplotlib's
  non-interactive ``Agg`` backend. Indented blocks (inside list items) are dedented.
* ```` ```sh ```` (or ``bash``, ``console``, ``shell``) blocks: every command line (a ``$ ``
  prompt and a trailing ``# comment`` removed) must be an ``mlcore ...`` command, which runs
  through ``mlcore.cli.main`` and must exit 0. A block with any other command (``make``,
  ``pip install``, ``pytest``, ``git``...) must carry a skip marker saying so.
* Markers are HTML comments (invisible when rendered) on the lines right above the fence:

  - ``<!-- docs: skip REASON -->``: never run; the reason is required (needs ``make``, ``pip
    install``, the network, a build tree...). The test is reported as skipped with it.
  - ``<!-- docs: slow REASON -->``: a block that takes many seconds (a figure script that
    trains models, a Dask cluster); runs only with ``MLCORE_DOCS_SLOW=1`` so that ``make
    test`` stays fast.
  - ``<!-- docs: requires MOD[, MOD...] -->``: run only when those modules import (``torch``:
    ``make test-torch`` installs it).
  - ``<!-- docs: prelude ... -->`` (may span lines): Python run before the block, for a
    fragment that uses names it does not define (``X``, ``y``); readable in the source.
  - ``<!-- docs: check EXPR -->`` (one expression per line): asserted in the block's
    namespace after it ran, for a numeric claim the text makes (``0.97 <= acc``);
    ``pathlib.Path`` is available there.

  Several markers may be stacked.
* Blocks in other languages (``text``, ``toml``, none) are not run.

Documented numeric claims are checked by ``check`` markers next to their blocks, or, when
they need more than the block's namespace, by the tests at the end of this file.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import shlex
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted(ROOT.glob("plugins/*/README.md")),
         *sorted(ROOT.glob("contrib/*/README.md"))]
PYTHON = {"python", "py"}
SHELL = {"sh", "bash", "console", "shell"}
FENCE = re.compile(r"^(\s*)(`{3,})\s*([\w+-]*)\s*$")
MARKER = re.compile(r"<!--\s*docs:\s*(skip|slow|requires|prelude|check)\b(.*?)-->", re.S)
SLOW = os.environ.get("MLCORE_DOCS_SLOW") == "1"


class Block(NamedTuple):
    path: Path
    line: int           # 1-based line of the opening fence
    lang: str
    code: str
    skip: str | None
    slow: str | None
    requires: tuple
    prelude: str
    checks: tuple = ()

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _markers(lines, fence_index):
    """The marker comments directly above the fence (blank lines allowed between them)."""
    i = fence_index - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    text = []
    while i >= 0 and lines[i].rstrip().endswith("-->"):
        j = i
        while j >= 0 and "<!--" not in lines[j]:
            j -= 1
        if j < 0:
            break
        text.insert(0, "\n".join(lines[j:i + 1]))
        i = j - 1
        while i >= 0 and not lines[i].strip():
            i -= 1
    skip, slow, requires, prelude, checks = None, None, (), "", ()
    for kind, body in MARKER.findall("\n".join(text)):
        if kind == "skip":
            skip = body.strip() or "(no reason given)"
        elif kind == "slow":
            slow = body.strip() or "(no reason given)"
        elif kind == "requires":
            requires += tuple(m.strip() for m in body.split(",") if m.strip())
        elif kind == "check":
            checks += tuple(c.strip() for c in body.strip().splitlines() if c.strip())
        else:
            prelude += textwrap.dedent(body.strip("\n")) + "\n"
    return skip, slow, requires, prelude, checks


def collect(path: Path) -> list[Block]:
    """The runnable fenced blocks of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, ticks, lang = m.groups()
        j = i + 1
        while j < len(lines) and not (lines[j].strip() == ticks):
            j += 1
        if lang in PYTHON | SHELL:
            body = textwrap.dedent("\n".join(lines[i + 1:j]))
            blocks.append(Block(path, i + 1, lang, body, *_markers(lines, i)))
        i = j + 1
    return blocks


BLOCKS = [b for f in FILES for b in collect(f)]
_NAMESPACES: dict = {}


def _shell_commands(code: str) -> list[str]:
    out = []
    for raw in code.splitlines():
        line = raw.strip()
        if line.startswith("$ "):
            line = line[2:]
        if not line or line.startswith("#"):
            continue
        out.append(line)
    return out


def _run_mlcore(command: str) -> str:
    from mlcore.cli import main

    argv = shlex.split(command, comments=True)
    assert argv and argv[0] == "mlcore", (
        f"{command!r}: only `mlcore ...` commands run; mark a block with other commands "
        "`<!-- docs: skip REASON -->`")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv[1:])
    assert code == 0, f"`{command}` exited with {code}:\n{out.getvalue()}"
    return out.getvalue()


@pytest.mark.parametrize("block", BLOCKS, ids=str)
def test_code_block_runs(block, tmp_path, monkeypatch):
    if block.skip:
        pytest.skip(f"marked in the Markdown: {block.skip}")
    if block.slow and not SLOW:
        pytest.skip(f"slow, runs with MLCORE_DOCS_SLOW=1: {block.slow}")
    for mod in block.requires:
        pytest.importorskip(mod, reason=f"{block} requires {mod}")
    monkeypatch.chdir(tmp_path)
    if block.lang in SHELL:
        commands = _shell_commands(block.code)
        assert commands, f"{block}: empty shell block"
        for c in commands:
            _run_mlcore(c)
        return
    monkeypatch.setenv("MPLBACKEND", "Agg")
    ns = _NAMESPACES.setdefault(block.path, {"__name__": f"docs:{block.path.name}"})
    try:
        if block.prelude:
            exec(compile(block.prelude, f"{block} (prelude)", "exec"), ns)  # noqa: S102 - our own docs
        exec(compile(block.code, str(block), "exec"), ns)  # noqa: S102 - the project's own documentation
        for claim in block.checks:   # documented numeric claims, checked in the block's namespace
            exec(compile(f"assert {claim}, {claim!r}", f"{block} (check)", "exec"), {**ns, "Path": Path})  # noqa: S102
    finally:
        if "matplotlib.pyplot" in __import__("sys").modules:
            importlib.import_module("matplotlib.pyplot").close("all")


def test_the_collector_sees_every_file_and_marks_have_reasons():
    assert {b.path for b in BLOCKS} >= {ROOT / "README.md", ROOT / "CONTRIBUTING.md"}
    assert len(FILES) >= 2 + 14
    for b in BLOCKS:
        if b.lang in SHELL and not b.skip:
            for c in _shell_commands(b.code):
                assert shlex.split(c, comments=True)[0] == "mlcore", (
                    f"{b}: {c!r} is not an mlcore command; mark the block <!-- docs: skip REASON -->")


def test_marker_parsing(tmp_path):
    md = tmp_path / "x.md"
    md.write_text("text\n<!-- docs: skip needs make -->\n```sh\nmake test\n```\n"
                  "<!-- docs: prelude\nX = 1\n-->\n<!-- docs: requires torch, scipy -->\n\n```python\nprint(X)\n```\n"
                  "```text\nnot run\n```\n<!-- docs: check a == 1\n  a > 0 -->\n   ```py\n   a = 1\n   ```\n")
    a, b, c = collect(md)
    assert collect(md)[1].checks == ()
    assert (a.lang, a.skip, a.code) == ("sh", "needs make", "make test")
    assert (b.skip, b.requires, b.prelude, b.line) == (None, ("torch", "scipy"), "X = 1\n", 11)
    assert (c.lang, c.code, c.checks) == ("py", "a = 1", ("a == 1", "a > 0"))


# ---------------------------------------------------------------- documented claims

def test_mlcore_list_glob_from_the_readme_prints_the_conv_layers():
    pytest.importorskip("mlcore_nn")
    for command in ("mlcore list layer 'conv*'", "mlcore list 'conv*'"):
        out = _run_mlcore(command)
        assert "conv1d" in out and "conv2d" in out and "dense" not in out


def test_optim_readme_to_spec_comment():
    import mlcore

    text = (ROOT / "plugins/mlcore-optim/README.md").read_text()
    m = re.search(r'opt = mlcore\.build\("([^"]+)"\)\n(?:.*\n)*?mlcore\.to_spec\(opt\)\s+# \'([^\']+)\'', text)
    assert m, "the optim README's first example changed shape"
    assert mlcore.to_spec(mlcore.build(m.group(1))) == m.group(2)


def test_contributing_plugin_layout_is_what_new_plugin_writes(tmp_path):
    from mlcore.cli import main

    text = (ROOT / "CONTRIBUTING.md").read_text()
    layout = re.search(r"```\n\s*mlcore-acme/\n(.*?)```", text, re.S).group(1)
    documented = {line.split()[0] for line in layout.splitlines() if line.strip()}
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["new-plugin", "acme", "--kind", "layer", "--dir", str(tmp_path)]) == 0
    root = tmp_path / "mlcore-acme"
    written = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    assert documented == written


def test_changelog_names_only_existing_public_functions():
    import mlcore

    text = (ROOT / "CHANGELOG.md").read_text()
    names = re.findall(r"`mlcore\.([a-z_]+)`", text)
    names += [n for pair in re.findall(r"`mlcore\.([a-z_]+)`/`([a-z_]+)`", text) for n in pair]  # `mlcore.a`/`b`
    for name in names:
        assert hasattr(mlcore, name), f"CHANGELOG mentions mlcore.{name}, which does not exist"
    for mod, name in re.findall(r"`mlcore\.([a-z_]+)\.([a-z_]+)`", text):
        assert hasattr(importlib.import_module(f"mlcore.{mod}"), name), f"mlcore.{mod}.{name}"


def test_gbdt_multiclass_decision_function_claim_in_the_trees_readme():
    """The trees README: multiclass decision_function = scikit-learn's + mean_k log p_k."""
    pytest.importorskip("mlcore_trees")
    ensemble = pytest.importorskip("sklearn.ensemble")
    import numpy as np

    import mlcore

    X = np.random.default_rng(0).normal(size=(200, 3))
    y = np.repeat([0, 1, 2], [100, 60, 40])
    ours = mlcore.build("gbdt(n_estimators=3, max_depth=2)").fit(X, y)
    ref = ensemble.GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.decision_function(X) - ref.decision_function(X),
                               np.log([0.5, 0.3, 0.2]).mean(), atol=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-14)


def test_tfidf_max_tokens_breaks_ties_alphabetically_as_the_readme_says():
    pytest.importorskip("mlcore_preprocessing")
    import mlcore

    docs = ["delta charlie bravo alpha", "echo alpha"]        # alpha 2, the rest tie at 1
    assert list(map(str, mlcore.build("tfidf(max_tokens=3)").fit(docs).tokens_)) == ["alpha", "bravo", "charlie"]
