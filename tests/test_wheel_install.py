"""Install from wheels into a fresh virtual environment, as a user would, outside the repo.

Builds wheels of the core, one first-party plugin (mlcore-optim) and one contrib plugin
(mlcore-contrib-lion); checks discovery, building from a spec, uninstalling a plugin, and
`mlcore new-plugin` followed by `pip install -e` and `pytest` in that environment.
Slow (a new venv and package installs), but it runs in `make test`.
"""

import pathlib
import subprocess
import sys
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(cmd, cwd, check=True):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(pathlib.Path.home()),
                               "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheels")
    wheels = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels,
          ROOT, ROOT / "plugins/mlcore-optim", ROOT / "contrib/mlcore-contrib-lion"], cwd=base)
    names = sorted(p.name.split("-")[0] for p in wheels.glob("*.whl"))
    assert names == ["mlcore", "mlcore_contrib_lion", "mlcore_optim"]
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_ = env_dir / "bin"
    _run([bin_ / "python", "-m", "pip", "install", "-q", *sorted(wheels.glob("*.whl")), "pytest"], cwd=base)
    work = base / "elsewhere"
    work.mkdir()
    return bin_, work


def test_discovery_build_and_uninstall(fresh_env):
    bin_, work = fresh_env
    out = _run([bin_ / "mlcore", "plugins"], cwd=work).stdout
    assert "optim" in out and "mlcore-optim" in out and "lion" in out and "mlcore-contrib-lion" in out
    assert "FAILED" not in out
    code = ("import mlcore, sys; o = mlcore.build('lion(lr=0.01, scheduler=exponential(decay=0.5))'); "
            "print(mlcore.to_spec(o)); print(mlcore.__file__)")
    lines = _run([bin_ / "python", "-c", code], cwd=work).stdout.splitlines()
    assert lines[0] == "lion(lr=0.01, scheduler=exponential(decay=0.5))"
    assert str(ROOT) not in lines[1], "the installed wheel, not the repository, must be imported"
    assert _run([bin_ / "mlcore", "doctor"], cwd=work).returncode == 0

    _run([bin_ / "python", "-m", "pip", "uninstall", "-y", "-q", "mlcore-optim"], cwd=work)
    listing = _run([bin_ / "mlcore", "list", "optimizer"], cwd=work).stdout
    assert listing.strip() == "optimizer (1): lion"
    proc = _run([bin_ / "mlcore", "build", "adam(lr=0.1)"], cwd=work, check=False)
    assert proc.returncode == 2
    assert "provided by the distribution mlcore-optim, which is not installed: pip install mlcore-optim" in proc.stderr


def test_new_plugin_installs_and_passes_its_tests(fresh_env):
    bin_, work = fresh_env
    _run([bin_ / "mlcore", "new-plugin", "acme", "--kind", "layer", "--dir", work], cwd=work)
    plugin = work / "mlcore-acme"
    _run([bin_ / "python", "-m", "pip", "install", "-q", "-e", plugin], cwd=work)
    result = _run([bin_ / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", plugin], cwd=work)
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert "acme" in _run([bin_ / "mlcore", "list", "layer"], cwd=work).stdout.split()
