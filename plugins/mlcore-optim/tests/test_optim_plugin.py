"""The plugin itself: discovery, lazy imports, conformance kit, docstring examples, demo."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest
from mlcore_optim.plugin import OPTIMIZERS, SCHEDULERS

import mlcore
from mlcore.testing import check_component, example_of

NAMES = [("optimizer", n) for n in OPTIMIZERS] + [("scheduler", n) for n in SCHEDULERS]


def test_plugin_is_discovered_with_every_name():
    reg = mlcore.registry()
    assert set(OPTIMIZERS) <= set(reg.names("optimizer"))
    assert set(SCHEDULERS) <= set(reg.names("scheduler"))
    info = reg.info("adam", kind="optimizer")
    assert info["plugin"] == "optim" and info["distribution"] == "mlcore-optim"
    assert not [e for e in reg.errors() if e.plugin == "optim"]


def test_imports_stay_lazy():
    """Importing the package imports no component module; building sgd imports only its own."""
    code = ("import sys, mlcore, mlcore_optim; before = {m for m in sys.modules if m.startswith('mlcore_optim.')}; "
            "mlcore.build('sgd(lr=0.1)'); after = {m for m in sys.modules if m.startswith('mlcore_optim.')}; "
            "print(sorted(before), sorted(after))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] ['mlcore_optim._base', 'mlcore_optim.plugin', 'mlcore_optim.sgd']"


def test_public_names_resolve():
    import mlcore_optim

    for name in mlcore_optim.__all__:
        assert getattr(mlcore_optim, name).__name__ == name
    with pytest.raises(AttributeError):
        mlcore_optim.Nadam  # noqa: B018


@pytest.mark.parametrize("kind, name", NAMES, ids=[n for _, n in NAMES])
def test_conformance_kit(kind, name, tmp_path):
    """Includes `exponential`, whose name is shared with an mlcore-nn activation: the kind disambiguates."""
    target = mlcore.registry().get(name, kind=kind)
    check_component(example_of(target).get("spec", name), tmp_path=tmp_path, kind=kind)


@pytest.mark.parametrize("module", ["sgd", "adagrad", "rmsprop", "adam", "schedulers", "king"])
def test_docstring_examples(module):
    mod = importlib.import_module(f"mlcore_optim.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_demo_runs_and_every_optimizer_converges(capsys):
    from mlcore_optim._demo import SPECS, run

    run()
    lines = capsys.readouterr().out.splitlines()
    results = [line for line in lines if line.strip().startswith("f = ")]
    assert len(results) == len(SPECS)
    for line in results:   # f(x0) = 131; every optimizer gets below 1e-6
        assert float(line.split()[2]) < 1e-6, line


def test_readme_examples_run(tmp_path, monkeypatch):
    """The README's code blocks (but the matplotlib figure script) run as one script."""
    import pathlib
    import re
    import runpy

    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if "matplotlib" not in b]
    assert len(blocks) >= 2
    script = tmp_path / "readme_examples.py"
    script.write_text("\n".join(blocks))
    monkeypatch.chdir(tmp_path)   # the example saves opt.npz
    runpy.run_path(str(script))
