"""The plugin is discovered, registers its contract names lazily, and its demo runs."""

import subprocess
import sys

import mlcore


def test_registered_names_and_kinds():
    reg = mlcore.registry()
    assert {"linear", "polynomial", "rbf"} <= set(reg.names("kernel"))
    assert {"euclidean", "manhattan", "chebyshev", "minkowski", "hamming"} <= set(reg.names("metric"))
    assert reg.info("rbf", "kernel")["distribution"] == "mlcore-utils"


def test_import_is_light():
    """Importing the package and listing names imports no component module."""
    code = ("import sys, mlcore, mlcore_utils, mlcore_utils.plugin; mlcore.registry().names('kernel'); "
            "print(sorted(m for m in sys.modules if m.startswith('mlcore_utils.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['mlcore_utils.plugin']"


def test_demo_runs(capsys):
    from mlcore_utils._demo import run

    run()
    out = capsys.readouterr().out
    assert "same neighbours: True" in out and "acyclic=True" in out
