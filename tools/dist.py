"""Build the release: a wheel and an sdist of every distribution into ``dist/``, then check them.

Run by ``make dist`` (``python tools/dist.py [--out dist] [--no-deps]``). Steps:

1. For each distribution (the core, every family in ``plugins/``, the contrib plugins and
   ``meta/mlcore-all``; not the plugin template), ``python -m build`` writes the sdist and
   then the wheel built *from that sdist* into the output folder.
2. The wheel is built a second time straight from the source tree; both wheels must hold
   the same files with the same contents (``RECORD`` aside, whose only difference could be
   ordering): an sdist that misses a file, or carries a stale one, fails here.
3. Each wheel's metadata must name the licence, the Python versions, a Markdown README and
   the release version; then ``twine check --strict`` over everything.
4. Unless ``--no-deps``: the third-party wheels that installing ``mlcore-all`` needs (and
   ``pytest``/``setuptools`` for the plugin template's own tests) go to ``<out>/deps``, so
   that ``pip install --no-index --find-links <out> --find-links <out>/deps ...`` works with
   no index at all (``tests/test_wheel_install.py`` does exactly that).

Builds run without build isolation (the venv already holds ``setuptools>=77``, the only
build requirement) so that a release takes seconds per distribution, not a fresh
environment each; and each from a clean copy of its source folder, so that nothing in
the working tree (a stale ``*.egg-info``, ``build/``) leaks into a release, and the build
leaves no ``*.egg-info`` beside the sources (an editable install puts ``src/`` on
``sys.path``, where such a folder would be seen as a second installed distribution).
"""

from __future__ import annotations

import argparse
import email.parser
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def distributions() -> list[pathlib.Path]:
    """Source folders of every published distribution: core, families, contrib plugins, meta."""
    dirs = [ROOT, *sorted(ROOT.glob("plugins/*")), *sorted(ROOT.glob("contrib/mlcore-contrib-*")),
            *sorted(ROOT.glob("meta/*"))]
    return [d for d in dirs if (d / "pyproject.toml").exists()]


def _run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, **kw)


_JUNK = ("*.egg-info", "build", "dist", "__pycache__", ".venv", ".git", ".pytest_cache", ".hypothesis", "_build")


def _clean_copy(src: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """The distribution's source folder without build by-products (nor, for the core, the other distributions)."""
    others = ("plugins", "contrib", "meta", "tests", "benchmarks", "docs", "tools") if src == ROOT else ()

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = pathlib.Path(folder) == src
        return set(shutil.ignore_patterns(*_JUNK)(folder, names)) | ({n for n in names if n in others} if top else set())

    shutil.copytree(src, dest, ignore=ignore)
    return dest


def _build(src: pathlib.Path, out: pathlib.Path, *what: str) -> None:
    _run([sys.executable, "-m", "build", "--no-isolation", "--skip-dependency-check", *what, "--outdir", str(out),
          str(src)], stdout=subprocess.DEVNULL)


def _wheel_contents(path: pathlib.Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if not n.endswith(".dist-info/RECORD")}


def _check_metadata(wheel: pathlib.Path, version: str) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(z.read(name).decode())
    problems = []
    has_code = any(n.endswith(".py") for n in names)
    if has_code and not any(n.endswith("/py.typed") for n in names):
        problems.append("no py.typed: the package's type hints would be ignored by type checkers")
    if meta.get("Version") != version:
        problems.append(f"version {meta.get('Version')} != {version}")
    if not (meta.get("License-Expression") or meta.get("License")):
        problems.append("no licence")
    if not meta.get_all("License-File"):
        problems.append("no licence file in the wheel (put LICENSE beside pyproject.toml)")
    if not meta.get("Requires-Python"):
        problems.append("no Requires-Python")
    if meta.get("Description-Content-Type") != "text/markdown" or not meta.get_payload().strip():
        problems.append("README missing or not Markdown")
    return [f"{wheel.name}: {p}" for p in problems]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "dist"))
    p.add_argument("--no-deps", action="store_true", help="do not download the dependencies into <out>/deps")
    args = p.parse_args(argv)
    out = pathlib.Path(args.out).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    problems: list[str] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for src in distributions():
            name = tomllib.loads((src / "pyproject.toml").read_text())["project"]["name"]
            t = time.perf_counter()
            _build(_clean_copy(src, pathlib.Path(tmp) / "src" / name), out)  # the sdist, then the wheel built from it
            direct = pathlib.Path(tmp) / name
            _build(_clean_copy(src, pathlib.Path(tmp) / "src2" / name), direct, "--wheel")  # straight from the sources
            norm = name.replace("-", "_")
            from_sdist = sorted(out.glob(f"{norm}-{version}-*.whl"))
            straight = sorted(direct.glob(f"{norm}-{version}-*.whl"))
            if len(from_sdist) != 1 or len(straight) != 1 or not (out / f"{norm}-{version}.tar.gz").exists():
                problems.append(f"{name}: expected one sdist and one wheel of version {version}")
                continue
            a, b = _wheel_contents(from_sdist[0]), _wheel_contents(straight[0])
            if a != b:
                diff = sorted(set(a) ^ set(b)) or sorted(n for n in a if a[n] != b[n])
                problems.append(f"{name}: the sdist builds a different wheel than the source tree: {diff[:8]}")
            problems += _check_metadata(from_sdist[0], version)
            print(f"built {name} {version}: sdist + wheel, same wheel from the sdist ({time.perf_counter() - t:.1f} s)",
                  flush=True)
    files = sorted(str(f) for f in out.iterdir() if f.is_file())
    _run([sys.executable, "-m", "twine", "check", "--strict", *files])
    if problems:
        print("\n".join(["dist: FAILED", *problems]), file=sys.stderr)
        return 1
    if not args.no_deps:
        deps = out / "deps"
        print("downloading the dependencies' wheels into", deps, flush=True)
        _run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--only-binary", ":all:",
              "--find-links", str(out), "--dest", str(deps), f"mlcore-all=={version}", "pytest", "setuptools>=77"])
        for ours in deps.glob("mlcore_*"):
            ours.unlink()
    print(f"dist: {len(files)} files for {len(distributions())} distributions in {out} "
          f"({time.perf_counter() - t0:.0f} s); twine check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
