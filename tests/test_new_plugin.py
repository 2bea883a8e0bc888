"""`mlcore new-plugin`: the generated package passes its own tests; the template stays in step."""

import pathlib
import subprocess
import sys

import pytest

from mlcore._template import KINDS, new_plugin, render
from mlcore.cli import main as cli

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_contrib_template_is_the_generator_output():
    files = render("example", "layer")
    on_disk = {str(p.relative_to(ROOT / "contrib/plugin-template")): p.read_text()
               for p in (ROOT / "contrib/plugin-template").rglob("*") if p.is_file() and "__pycache__" not in p.parts
               and ".egg-info" not in str(p)}
    assert on_disk == files


@pytest.mark.parametrize("kind", KINDS)
def test_generated_plugin_passes_its_own_tests(kind, tmp_path):
    """Generate, expose it to a fresh interpreter through a dist-info, run its tests."""
    name = f"acme_{kind}"
    root = new_plugin(name, kind=kind, directory=tmp_path)
    src = root / "src"
    info = src / f"mlcore_{name}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: mlcore-{name.replace('_', '-')}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[mlcore.plugins]\n{name} = mlcore_{name}.plugin\n")
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
                           "-W", "error", str(root / "tests")], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout


def test_cli_refuses_bad_names_and_existing_folders(tmp_path, capsys):
    assert cli(["new-plugin", "acme", "--dir", str(tmp_path)]) == 0
    assert (tmp_path / "mlcore-acme" / "src" / "mlcore_acme" / "plugin.py").exists()
    assert cli(["new-plugin", "acme", "--dir", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli(["new-plugin", "Bad-Name", "--dir", str(tmp_path)]) == 2
    with pytest.raises(ValueError, match="snake_case"):
        render("Acme-Bad")
    with pytest.raises(ValueError, match="--kind"):
        render("acme", kind="wizard")
