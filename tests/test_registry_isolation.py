"""Plugin isolation: raising hooks, SystemExit at import, shadowed plugin names; doctor's checks."""

import builtins
import os
import subprocess
import sys

import pytest

import mlcore
from mlcore._doctor import problems
from mlcore.cli import main as cli
from mlcore.errors import NameConflictError, PluginLoadError
from mlcore.interfaces import Scheduler

RAISING_HOOK = """
from mlcore import hookimpl

@hookimpl
def mlcore_component_built(component):
    raise RuntimeError("hook broken on purpose")
"""

GOOD = """
from mlcore import hookimpl
from mlcore.interfaces import Scheduler

class Halving(Scheduler):
    def __init__(self, initial_lr=1.0):
        self.initial_lr = initial_lr
    def learning_rate(self, step, cur_loss=None):
        return self.initial_lr * 0.5 ** step

@hookimpl
def mlcore_register(registry):
    registry.add("scheduler", "halving", "__MODULE__:Halving")
"""

# Reuses the first-party entry-point name "optim" and registers its own "adam".
SHADOW = """
import builtins
builtins.__dict__.setdefault("_mlcore_shadow_imports", []).append(__name__)

from mlcore import hookimpl
from mlcore.interfaces import Optimizer

class FakeAdam(Optimizer):
    def __init__(self, lr=0.001):
        self.lr = lr
    def step(self, params, grads, cur_loss=None):
        pass

@hookimpl
def mlcore_register(registry):
    registry.add("optimizer", "adam", "__MODULE__:FakeAdam")
"""


class Tracker:
    def __init__(self):
        self.seen = []

    @mlcore.hookimpl
    def mlcore_component_built(self, name):
        self.seen.append(name)


def test_a_raising_built_hook_is_skipped_with_one_warning(make_plugin, plugin_registry, capsys):
    make_plugin("bad-hook-dist", "badhook", RAISING_HOOK)
    reg = plugin_registry()
    tracker = reg.add_plugin(Tracker(), "tracker")  # registered before badhook's hooks: called after them
    with pytest.warns(RuntimeWarning) as record:
        built = [mlcore.build("sgd(lr=0.1, scheduler=exponential(decay=0.5))") for _ in range(3)]
    assert len(record) == 1  # one warning, not one per build
    assert "'badhook'" in str(record[0].message) and "hook broken on purpose" in str(record[0].message)
    assert all(type(b).__name__ == "SGD" for b in built)
    assert tracker.seen == ["exponential", "sgd"] * 3  # the other hook saw every component
    (err,) = [e for e in reg.errors() if e.plugin == "badhook"]
    assert err.distribution == "bad-hook-dist" and "hook broken on purpose" in err.traceback
    assert cli(["doctor"]) == 1
    assert "BROKEN plugin badhook (bad-hook-dist" in capsys.readouterr().out
    assert cli(["plugins"]) == 0
    assert "FAILED: mlcore_component_built raised RuntimeError" in capsys.readouterr().out


def test_a_built_hook_raising_system_exit_does_not_end_the_process(isolated_registry):
    class Exiting:
        @mlcore.hookimpl
        def mlcore_component_built(self):
            raise SystemExit(5)

    isolated_registry.add("scheduler", "fine", GoodScheduler)
    isolated_registry.add_plugin(Exiting(), "exiting")
    with pytest.warns(RuntimeWarning, match="'exiting'.*SystemExit"):
        assert type(mlcore.build("fine")) is GoodScheduler
    assert [e.plugin for e in isolated_registry.errors()] == ["exiting"]


def test_doctor_finds_a_raising_built_hook_before_any_build(make_plugin, plugin_registry, capsys):
    make_plugin("bad-hook-dist", "badhook", RAISING_HOOK)
    plugin_registry()
    assert cli(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN plugin badhook (bad-hook-dist 1.0): RuntimeError: hook broken on purpose" in out


@pytest.mark.parametrize("body", ["import sys\nsys.exit(3)\n", "raise BaseException('no')\n",
                                  "raise SystemExit\n"])
def test_a_plugin_whose_import_exits_is_recorded(body, make_plugin, plugin_registry, capsys):
    make_plugin("quit-dist", "quitter", body)
    make_plugin("acme-sched", "acme", GOOD)
    reg = plugin_registry()
    assert mlcore.build("halving").learning_rate(1) == 0.5
    assert mlcore.build("adam").lr == 0.001
    (err,) = reg.errors()
    assert err.plugin == "quitter" and isinstance(err.exception, (SystemExit, BaseException))
    assert cli(["doctor"]) == 1
    assert "BROKEN plugin quitter (quit-dist" in capsys.readouterr().out


def test_a_component_module_that_exits_is_a_load_error(isolated_registry, tmp_path, monkeypatch, capsys):
    (tmp_path / "exiting_component_mod.py").write_text("import sys\nsys.exit(4)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "exiting_component_mod", raising=False)
    isolated_registry.add("scheduler", "exiting", "exiting_component_mod:Thing")
    with pytest.raises(PluginLoadError, match="'exiting' from plugin 'local' failed to import.*SystemExit"):
        mlcore.build("exiting")
    assert cli(["doctor"]) == 1
    assert "BROKEN scheduler 'exiting' from plugin 'local'" in capsys.readouterr().out


def test_doctor_process_survives_a_plugin_that_exits(make_plugin):
    module = make_plugin("quit-dist", "quitter", "import sys\nsys.exit(3)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([sys.path[0], os.environ.get("PYTHONPATH", "")]),
               MLCORE_NO_CACHE="1")
    assert module  # the fake distribution sits in sys.path[0]
    out = subprocess.run([sys.executable, "-m", "mlcore", "doctor"], capture_output=True, text=True, env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "BROKEN plugin quitter (quit-dist 1.0): SystemExit: 3" in out.stdout


def test_a_third_party_reusing_a_first_party_plugin_name_is_not_loaded(make_plugin, plugin_registry, monkeypatch,
                                                                       capsys):
    monkeypatch.setattr(builtins, "_mlcore_shadow_imports", [], raising=False)
    module = make_plugin("evil-optim", "optim", SHADOW)  # first on sys.path, and sorts before mlcore_optim
    reg = plugin_registry()
    for spec in ("optim/adam", "adam"):
        assert type(mlcore.build(spec)).__module__ == "mlcore_optim.adam"
    assert module not in sys.modules and builtins._mlcore_shadow_imports == []
    (err,) = reg.errors()
    assert err.plugin == "evil-optim:optim" and isinstance(err.exception, NameConflictError)
    assert "evil-optim" in str(err) and "mlcore-optim" in str(err)
    assert reg.conflicts() == []
    assert cli(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "CONFLICT plugin evil-optim:optim (evil-optim 1.0)" in out and "mlcore-optim (first-party" in out


def test_two_third_parties_with_one_plugin_name(make_plugin, plugin_registry, capsys):
    """The rule does not depend on sys.path order: the distribution name that sorts first wins."""
    make_plugin("zeta-sched", "acme", GOOD.replace("initial_lr=1.0", "initial_lr=2.0"))
    make_plugin("alpha-sched", "acme", GOOD)
    reg = plugin_registry()
    assert mlcore.build("acme/halving").initial_lr == 1.0
    assert [e.plugin for e in reg.errors()] == ["zeta-sched:acme"]
    assert cli(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "CONFLICT plugin zeta-sched:acme" in out and "alpha-sched" in out


class NotAScheduler:
    def __init__(self, x=1):
        self.x = x


class HalfScheduler(Scheduler):  # learning_rate left abstract
    pass


class GoodScheduler(Scheduler):
    def learning_rate(self, step, cur_loss=None):
        return 1.0


def test_doctor_checks_every_target_and_interface(isolated_registry, capsys):
    reg = isolated_registry
    reg.add("scheduler", "fine", GoodScheduler)
    reg.add("scheduler", "fine_lazy", f"{__name__}:GoodScheduler")
    reg.add("scheduler", "not_callable", "math:pi")
    reg.add("scheduler", "missing_module", "no_such_module_for_doctor:Thing")
    reg.add("scheduler", "missing_attr", "math:no_such_function")
    reg.add("scheduler", "wrong_interface", NotAScheduler)
    reg.add("scheduler", "still_abstract", f"{__name__}:HalfScheduler")
    reg.add_kind("widget", "no_such_interface_module:Widget")
    reg.add("widget", "gadget", GoodScheduler)
    found = [m for m, _ in problems(reg)]
    expected = {
        "not_callable": "target 'math:pi' is not callable (a float)",
        "missing_module": "module 'no_such_module_for_doctor' of target 'no_such_module_for_doctor:Thing' "
                          "does not import: ModuleNotFoundError",
        "missing_attr": "'math' has no attribute 'no_such_function'",
        "wrong_interface": "does not implement Scheduler: missing learning_rate",
        "still_abstract": "is abstract: learning_rate not implemented",
    }
    for name, why in expected.items():
        assert any(f"BROKEN scheduler {name!r} from plugin 'local'" in m and why in m for m in found), (name, found)
    assert any("BROKEN kind 'widget'" in m and "'no_such_interface_module:Widget' does not import" in m
               for m in found)
    assert not any("'fine" in m for m in found)
    assert len(found) == len(expected) + 1
    assert cli(["doctor"]) == 1
    out = capsys.readouterr().out
    assert all(repr(name) in out for name in expected) and "6 problem(s)" in out


def test_doctor_passes_on_every_installed_family(plugin_registry):
    """Registry-wide: every installed plugin's kinds and targets pass doctor's checks."""
    reg = plugin_registry()
    assert problems(reg) == []
    assert len(reg.entries()) > 100  # every family was checked


def test_a_wrapper_built_hook_is_refused_and_reported(isolated_registry):
    class Wrapper:
        @mlcore.hookimpl(wrapper=True)
        def mlcore_component_built(self):
            yield

    isolated_registry.add("scheduler", "fine", GoodScheduler)
    isolated_registry.add_plugin(Wrapper(), "wrapping")
    tracker = isolated_registry.add_plugin(Tracker(), "tracker")
    with pytest.warns(RuntimeWarning, match="'wrapping'.*cannot be a hook wrapper"):
        mlcore.build("fine")
    mlcore.build("fine")
    assert tracker.seen == ["fine", "fine"]
    assert [e.plugin for e in isolated_registry.errors()] == ["wrapping"]
