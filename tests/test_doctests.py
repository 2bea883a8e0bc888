"""Every ``>>>`` example in the docstrings of the core and of every plugin runs and prints what it shows.

The examples are the API reference's (``make docs`` renders them); here they run in
``make test``, one test per module, in a temporary working directory (some save files).
"""

import doctest
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = [(ROOT, ROOT / "mlcore"), *((p, p) for p in sorted(ROOT.glob("plugins/*/src"))),
           *((p, p) for p in sorted(ROOT.glob("contrib/mlcore-contrib-*/src")))]


def _modules():
    out = []
    for base, folder in SOURCES:
        for path in sorted(folder.rglob("*.py")):
            if path.name == "__main__.py" or "__pycache__" in path.parts:
                continue
            if ">>>" not in path.read_text(encoding="utf-8"):
                continue
            parts = path.relative_to(base).with_suffix("").parts
            out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


MODULES = _modules()


def test_examples_are_found():
    assert len(MODULES) > 50 and "mlcore._spec" in MODULES and "mlcore_gmm.gmm" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    for test in finder.find(mod, module):
        if test.examples and test.name.startswith(module):  # not the examples of imported objects
            runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
