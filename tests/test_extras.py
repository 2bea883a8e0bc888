"""The core's extras (issue 21): what each installs, and the progress bar a terminal gets once tqdm is there."""

import fcntl
import os
import pathlib
import pty
import struct
import subprocess
import sys
import termios

import pytest
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_extras_install_what_they_promise():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    names = {k: {d.split(">")[0].split("=")[0].split("[")[0].strip() for d in v} for k, v in extras.items()}
    assert "tqdm" in names["progress"]
    assert "matplotlib" in names["plots"]
    assert "scikit-learn" in names["sklearn"]


FIT = """
import numpy as np, mlcore
X = np.random.default_rng(0).normal(size=(300, 2))
mlcore.build("gmm(n_components=3, max_iter=50, tol=0.0, random_state=0)").fit(X)
print("fitted")
"""


def _run_on_a_terminal(code: str, env: dict) -> str:
    """Run ``code`` with stderr (where tqdm draws) on a pseudo-terminal; return what the terminal got."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    try:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=child, env=env)
        os.close(child)
        chunks = []
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        out, _ = proc.communicate(timeout=60)
    finally:
        os.close(main)
    assert proc.returncode == 0 and out.strip() == b"fitted"
    return b"".join(chunks).decode(errors="replace")


def test_long_work_shows_a_progress_bar_on_a_terminal_once_tqdm_is_installed(tmp_path):
    pytest.importorskip("tqdm")  # in requirements-dev.txt: never skipped by make test
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    shown = _run_on_a_terminal(FIT, env)
    assert "it/s" in shown or "%|" in shown or "it [" in shown, repr(shown[-300:])
    # The same work without a terminal (a log, CI) draws nothing.
    proc = subprocess.run([sys.executable, "-c", FIT], capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and proc.stderr == ""
    # And with tqdm not importable, the terminal gets no bar and no error: the bar is optional.
    blocker = tmp_path / "tqdm"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('tqdm blocked for this test')\n")
    env_blocked = dict(env, PYTHONPATH=os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")]))
    assert _run_on_a_terminal(FIT, env_blocked).strip() == ""
