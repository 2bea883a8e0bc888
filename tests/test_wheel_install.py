"""Install from the release wheelhouse ONLY, into a fresh virtual environment outside the repo.

The wheelhouse is what ``make dist`` writes (``tools/dist.py``: an sdist and a wheel of
every distribution, ``twine check``, same wheel from each sdist, the dependencies' wheels
in ``deps/``); this module builds it into a temporary folder, or uses the folder named by
``MLCORE_WHEELHOUSE``. Every ``pip install`` here runs with ``--no-index`` and no pip
configuration, so nothing can come from the package index or a local wheel cache: if a
wheel misses a file or a dependency, these tests fail as a user's install would.

Steps, in one environment: ``mlcore-core`` + ``mlcore-gmm``: discovery, ``--version``,
build/fit/save/load, the CLI, the hint for a family that is not installed; then
``mlcore-all`` (+ the contrib Lion plugin): every family loads, one component of each
builds and round-trips through save/load, doctor passes; then a plugin uninstalled, and
``mlcore new-plugin`` followed by ``pip install -e`` and its own ``pytest``.
Slow (a wheelhouse build and a new venv: about a minute and a half), but it runs in ``make test``.
"""

import json
import os
import pathlib
import re
import subprocess
import sys
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
VERSION = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _run(cmd, cwd, check=True):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(pathlib.Path.home()),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_CONFIG_FILE": os.devnull, "MLCORE_NO_CACHE": "1"}
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheelhouse")
    house = pathlib.Path(os.environ.get("MLCORE_WHEELHOUSE") or base / "dist")
    if "MLCORE_WHEELHOUSE" not in os.environ:
        proc = subprocess.run([sys.executable, str(ROOT / "tools/dist.py"), "--out", str(house)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"tools/dist.py failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_ = env_dir / "bin"
    work = base / "elsewhere"
    work.mkdir()

    def pip(*args, check=True):
        return _run([bin_ / "python", "-m", "pip", *args], cwd=work, check=check)

    def install(*names):
        return pip("install", "-q", "--no-index", "--find-links", house, "--find-links", house / "deps", *names)

    install("mlcore-core", "mlcore-gmm")
    return bin_, work, pip, install


GMM = """
import mlcore, numpy as np, sys
rng = np.random.default_rng(0)
X = np.concatenate([rng.normal(-4, 1, (60, 2)), rng.normal(4, 1, (60, 2))])
gm = mlcore.build("gmm(n_components=2, random_state=0)").fit(X)
path = mlcore.save(gm, "gmm.npz")
back = mlcore.load(path)
assert (back.predict(X) == gm.predict(X)).all() and np.allclose(back.means_, gm.means_)
assert sorted(np.round(np.sort(gm.means_[:, 0])).tolist()) == [-4.0, 4.0]
print(mlcore.to_spec(back)); print(mlcore.__file__)
"""

# One component of each installed family: the first of its names that builds without arguments,
# saved and loaded again (the spec survives the round trip).
EACH_FAMILY = """
import json, mlcore
from mlcore import _catalog
reg = mlcore.registry()
out = {}
for dist, kinds in _catalog.FIRST_PARTY.items():
    for kind, names in kinds.items():
        for name in names.split():
            try:
                obj = mlcore.build(name, kind=kind)
            except Exception:
                continue
            back = mlcore.load(mlcore.save(obj, f"{name}.npz"))
            assert mlcore.to_spec(back) == mlcore.to_spec(obj), name
            out[dist] = f"{kind} {name}"
            break
        if dist in out:
            break
print(json.dumps({"built": out, "errors": [str(e) for e in reg.errors()],
                  "dists": sorted({p.distribution for p in reg.plugins() if p.distribution})}))
"""


def test_core_and_one_family_from_the_wheelhouse(env):
    bin_, work, _, _ = env
    out = _run([bin_ / "mlcore", "plugins"], cwd=work).stdout
    assert re.search(rf"^gmm +mlcore-gmm +{re.escape(VERSION)} +1 +ok$", out, re.M) and "FAILED" not in out, out
    version = _run([bin_ / "mlcore", "--version"], cwd=work).stdout.splitlines()
    assert version[0].startswith(f"mlcore-core {VERSION} ") and version[1:] == [f"mlcore-gmm {VERSION} (plugin gmm)"]
    lines = _run([bin_ / "python", "-c", GMM], cwd=work).stdout.splitlines()
    assert lines[0].startswith("gmm(")
    assert str(ROOT) not in lines[1], "the installed wheel, not the repository, must be imported"
    assert _run([bin_ / "mlcore", "build", "gmm(n_components=3)"], cwd=work).stdout.startswith("gmm(n_components=3")
    assert _run([bin_ / "mlcore", "doctor"], cwd=work).returncode == 0
    proc = _run([bin_ / "mlcore", "build", "adam(lr=0.1)"], cwd=work, check=False)
    assert proc.returncode == 2
    assert "provided by the distribution mlcore-optim, which is not installed: pip install mlcore-optim" in proc.stderr
    proc = _run([bin_ / "mlcore", "build", "dense(n_out=3)"], cwd=work, check=False)
    assert proc.returncode == 2 and "pip install mlcore-nn" in proc.stderr


def test_mlcore_all_installs_every_family(env):
    bin_, work, _, install = env
    install("mlcore-all", "mlcore-contrib-lion")
    from mlcore import _catalog

    report = json.loads(_run([bin_ / "python", "-c", EACH_FAMILY], cwd=work).stdout)
    assert report["errors"] == []
    assert set(_catalog.FIRST_PARTY) | {"mlcore-core", "mlcore-contrib-lion"} == set(report["dists"])
    assert sorted(report["built"]) == sorted(_catalog.FIRST_PARTY), "a family built none of its components"
    version = _run([bin_ / "mlcore", "--version"], cwd=work).stdout
    assert all(f"{d} {VERSION} " in version for d in _catalog.FIRST_PARTY)
    code = "import mlcore; print(mlcore.to_spec(mlcore.build('lion(lr=0.01, scheduler=exponential(decay=0.5))')))"
    assert _run([bin_ / "python", "-c", code], cwd=work).stdout.strip() == \
        "lion(lr=0.01, scheduler=exponential(decay=0.5))"
    assert _run([bin_ / "mlcore", "doctor"], cwd=work).returncode == 0


def test_uninstalling_a_family_leaves_the_others(env):
    bin_, work, pip, install = env
    install("mlcore-optim", "mlcore-contrib-lion")
    pip("uninstall", "-y", "-q", "mlcore-optim")
    listing = _run([bin_ / "mlcore", "list", "optimizer"], cwd=work).stdout
    assert listing.strip() == "optimizer (1): lion"
    proc = _run([bin_ / "mlcore", "build", "adam(lr=0.1)"], cwd=work, check=False)
    assert proc.returncode == 2 and "pip install mlcore-optim" in proc.stderr


def test_new_plugin_installs_and_passes_its_tests(env):
    bin_, work, _, install = env
    install("pytest")
    _run([bin_ / "mlcore", "new-plugin", "acme", "--kind", "layer", "--dir", work], cwd=work)
    plugin = work / "mlcore-acme"
    install("-e", plugin)  # build isolation takes setuptools from the wheelhouse too
    result = _run([bin_ / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", plugin], cwd=work)
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert "acme" in _run([bin_ / "mlcore", "list", "layer"], cwd=work).stdout.split()
