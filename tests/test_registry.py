"""Plugin discovery, isolation of broken plugins, conflicts, lazy registration, errors."""

import subprocess
import sys

import pytest

import mlcore
from mlcore.cli import main as cli
from mlcore.errors import (
    AmbiguousComponentError,
    ComponentArgumentError,
    NameConflictError,
    PluginLoadError,
    UnknownComponentError,
)

GOOD = """
from mlcore import hookimpl
from mlcore.interfaces import Scheduler

class Halving(Scheduler):
    '''Halve the rate every step.'''
    def __init__(self, initial_lr=1.0):
        self.initial_lr = initial_lr
    def learning_rate(self, step, cur_loss=None):
        return self.initial_lr * 0.5 ** step

@hookimpl
def mlcore_register(registry):
    registry.add("scheduler", "halving", "__MODULE__:Halving", aliases=("halve",))
"""

BROKEN_IMPORT = """
raise ImportError("this plugin is broken on purpose")
"""

BROKEN_REGISTER = """
from mlcore import hookimpl

@hookimpl
def mlcore_register(registry):
    registry.add("scheduler", "half_registered", "__MODULE__:Nope")
    raise RuntimeError("register failed midway")
"""

TWIN = """
from mlcore import hookimpl
from mlcore.interfaces import Scheduler

class Halving(Scheduler):
    def __init__(self, initial_lr=2.0):
        self.initial_lr = initial_lr
    def learning_rate(self, step, cur_loss=None):
        return self.initial_lr

@hookimpl
def mlcore_register(registry):
    registry.add("scheduler", "halving", "__MODULE__:Halving")
"""


def test_good_plugin_is_discovered(make_plugin, plugin_registry):
    make_plugin("acme-sched", "acme", GOOD, version="2.3")
    reg = plugin_registry()
    assert "halving" in reg.names("scheduler")
    assert reg.names("scheduler", "halv*") == ["halving"]
    assert reg.names("scheduler", "halv*", aliases=True) == ["halve", "halving"]
    info = reg.info("halving")
    assert (info["kind"], info["plugin"], info["distribution"], info["version"]) == \
        ("scheduler", "acme", "acme-sched", "2.3")
    assert info["signature"] == "halving(initial_lr=1.0)" and info["summary"] == "Halve the rate every step."
    assert info["aliases"] == ["halve"]
    s = mlcore.build("halve(initial_lr=4.0)")
    assert s.learning_rate(2) == 1.0
    assert mlcore.to_spec(s) == "halving(initial_lr=4.0)"  # aliases print as the primary name


def test_registration_is_lazy(make_plugin, plugin_registry):
    module = make_plugin("acme-sched", "acme", GOOD.replace('"__MODULE__:Halving"', '"__MODULE___impl:Halving"'))
    impl_source = GOOD.split("@hookimpl")[0]
    import pathlib

    site = pathlib.Path(sys.path[0])
    (site / f"{module}_impl.py").write_text(impl_source)
    reg = plugin_registry()
    assert reg.names("scheduler", "halv*") == ["halving"]
    assert f"{module}_impl" not in sys.modules
    mlcore.build("halving")
    assert f"{module}_impl" in sys.modules


def test_broken_plugin_is_isolated(make_plugin, plugin_registry, capsys):
    make_plugin("acme-sched", "acme", GOOD)
    make_plugin("broken-dist", "broken", BROKEN_IMPORT)
    make_plugin("half-dist", "half", BROKEN_REGISTER)
    reg = plugin_registry()
    errors = {e.plugin: e for e in reg.errors()}
    assert set(errors) == {"broken", "half"}
    assert "broken on purpose" in str(errors["broken"]) and errors["broken"].distribution == "broken-dist"
    assert "register failed midway" in str(errors["half"])
    assert "half_registered" not in reg.names()  # partial registrations are dropped
    assert mlcore.build("halving").learning_rate(1) == 0.5  # other plugins unaffected

    assert cli(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "broken" in out and "FAILED: ImportError: this plugin is broken on purpose" in out
    assert cli(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN plugin broken (broken-dist" in out and "half" in out


def test_conflicts_qualified_names_and_disabling(make_plugin, plugin_registry, monkeypatch):
    make_plugin("acme-sched", "acme", GOOD)
    make_plugin("twin-sched", "twin", TWIN)
    reg = plugin_registry()
    with pytest.raises(NameConflictError) as info:
        mlcore.build("halving")
    assert "'acme' (acme-sched)" in str(info.value) and "'twin' (twin-sched)" in str(info.value)
    assert reg.conflicts() == [("scheduler", "halving", ["acme", "twin"])]
    a = mlcore.build("acme/halving")
    t = mlcore.build("twin/halving")
    assert (a.initial_lr, t.initial_lr) == (1.0, 2.0)
    assert mlcore.to_spec(t) == "twin/halving"  # the spec keeps the provider while the conflict exists
    assert mlcore.to_spec(mlcore.build(mlcore.to_spec(a, full=True)), full=True) == "acme/halving(initial_lr=1.0)"
    with pytest.raises(UnknownComponentError, match="no plugin named 'nobody'"):
        mlcore.build("nobody/halving")

    monkeypatch.setenv("MLCORE_DISABLE_PLUGINS", "twin")
    plugin_registry()
    assert mlcore.build("halving").initial_lr == 1.0
    monkeypatch.setenv("MLCORE_DISABLE_PLUGINS", "acme-sched")  # distribution names work too
    plugin_registry()
    assert mlcore.build("halving").initial_lr == 2.0


def test_doctor_reports_conflicts(make_plugin, plugin_registry, capsys):
    make_plugin("acme-sched", "acme", GOOD)
    make_plugin("twin-sched", "twin", TWIN)
    plugin_registry()
    assert cli(["doctor"]) == 1
    assert "CONFLICT scheduler 'halving' provided by acme, twin" in capsys.readouterr().out


def test_unknown_names_suggest_and_name_the_distribution(isolated_registry):
    @mlcore.register("optimizer", "my_adam")
    class MyAdam(mlcore.interfaces.Optimizer):
        def step(self, params, grads, cur_loss=None):
            pass

    with pytest.raises(UnknownComponentError) as info:
        mlcore.build("my_adma", kind="optimizer")
    assert info.value.suggestions[0] == "my_adam" and "did you mean my_adam" in str(info.value)
    with pytest.raises(UnknownComponentError) as info:
        mlcore.build("gmm")
    assert info.value.distribution == "mlcore-gmm" and "pip install mlcore-gmm" in str(info.value)
    with pytest.raises(UnknownComponentError, match="constant True"):
        mlcore.build("true")
    with pytest.raises(UnknownComponentError, match="unknown kind 'activation'.*pip install mlcore-nn"):
        mlcore.build("relu", kind="activation")


def test_same_name_in_two_kinds(isolated_registry):
    from mlcore.interfaces import Optimizer, Scheduler

    @mlcore.register("scheduler", "step")
    class StepSched(Scheduler):
        def __init__(self, k=1):
            self.k = k

        def learning_rate(self, step, cur_loss=None):
            return 1.0

    @mlcore.register("optimizer", "step")
    class StepOpt(Optimizer):
        def __init__(self, scheduler: Scheduler | None = None):
            self.scheduler = scheduler

        def step(self, params, grads, cur_loss=None):
            pass

    with pytest.raises(AmbiguousComponentError, match="optimizer, scheduler"):
        mlcore.build("step")
    opt = mlcore.build("step(scheduler=step(k=2))", kind="optimizer")  # nested name resolves as a scheduler
    assert isinstance(opt.scheduler, StepSched) and opt.scheduler.k == 2
    assert mlcore.to_spec(opt) == "step(scheduler=step(k=2))"


def test_reregistering_in_the_same_plugin_replaces(isolated_registry):
    for value in (1, 2):
        @mlcore.register("scheduler", "fixed")
        class Fixed(mlcore.interfaces.Scheduler):
            v = value

            def learning_rate(self, step, cur_loss=None):
                return self.v

    assert mlcore.build("fixed").learning_rate(0) == 2
    assert isolated_registry.conflicts() == []


def test_broken_component_module_names_the_plugin(isolated_registry):
    isolated_registry.add("scheduler", "ghost", "no_such_module_xyz:Ghost")
    with pytest.raises(PluginLoadError, match="scheduler 'ghost' from plugin 'local' failed to import"):
        mlcore.build("ghost")


def test_invalid_registrations_are_refused(isolated_registry):
    with pytest.raises(ValueError, match="invalid component name"):
        isolated_registry.add("scheduler", "_hidden", "x:y")
    with pytest.raises(ValueError, match="module:attr"):
        isolated_registry.add("scheduler", "nocolon", "just_a_module")


def test_component_built_hook_sees_every_component(isolated_registry):
    from mlcore.interfaces import Optimizer, Scheduler

    @mlcore.register("scheduler", "s1")
    class S1(Scheduler):
        def learning_rate(self, step, cur_loss=None):
            return 1.0

    @mlcore.register("optimizer", "o1")
    class O1(Optimizer):
        def __init__(self, scheduler: Scheduler | None = None):
            self.scheduler = scheduler

        def step(self, params, grads, cur_loss=None):
            pass

    seen = []

    class Tracker:
        @mlcore.hookimpl
        def mlcore_component_built(self, component, spec, kind):
            seen.append((kind, str(spec), type(component).__name__))

    isolated_registry.add_plugin(Tracker(), "tracker")
    mlcore.build("o1(scheduler=s1)")
    assert seen == [("scheduler", "s1", "S1"), ("optimizer", "o1(scheduler=s1)", "O1")]


def test_argument_errors_show_the_signature(isolated_registry):
    @mlcore.register("scheduler", "sig")
    class Sig(mlcore.interfaces.Scheduler):
        def __init__(self, initial_lr, decay=0.5):
            self.initial_lr, self.decay = initial_lr, decay

        def learning_rate(self, step, cur_loss=None):
            return self.initial_lr

    with pytest.raises(ComponentArgumentError, match=r"unexpected argument 'decya'; did you mean 'decay'\?.*"
                                                     r"sig\(initial_lr, decay=0.5\)"):
        mlcore.build("sig(1.0, decya=2)")
    with pytest.raises(ComponentArgumentError, match="missing required argument 'initial_lr'"):
        mlcore.build("sig")
    with pytest.raises(ComponentArgumentError, match="at most 2 positional"):
        mlcore.build("sig(1, 2, 3)")
    with pytest.raises(ComponentArgumentError, match="twice"):
        mlcore.build("sig(1, initial_lr=2)")
    s = mlcore.build("sig(0.1, 0.2)")
    assert mlcore.to_spec(s) == "sig(initial_lr=0.1, decay=0.2)"  # positional input bound to keywords
    assert mlcore.to_spec(mlcore.build({"name": "sig", "initial_lr": 3})) == "sig(initial_lr=3)"
    assert mlcore.build("sig(1)", decay=0.25).decay == 0.25  # overrides


def test_cli_list_show_build(isolated_registry, capsys):
    @mlcore.register("scheduler", "shown")
    class Shown(mlcore.interfaces.Scheduler):
        """One-line summary."""

        def __init__(self, lr=0.1):
            self.lr = lr

        def learning_rate(self, step, cur_loss=None):
            return self.lr

    assert cli(["list", "scheduler"]) == 0
    assert "scheduler (1): shown" in capsys.readouterr().out
    assert cli(["show", "shown"]) == 0
    out = capsys.readouterr().out
    assert "scheduler shown" in out and "shown(lr=0.1)" in out and "One-line summary." in out
    assert cli(["build", "shown(lr=1e-2)"]) == 0
    assert capsys.readouterr().out.splitlines() == ["shown(lr=0.01)", "shown(lr=0.01)"]
    assert cli(["build", "nope"]) == 2
    assert "unknown component 'nope'" in capsys.readouterr().err


def test_python_m_mlcore_runs():
    out = subprocess.run([sys.executable, "-m", "mlcore", "list"], capture_output=True, text=True, check=True)
    assert "optimizer" in out.stdout


def test_string_defaults_of_component_parameters_round_trip(isolated_registry):
    """A component parameter may default to spec text (metric="euclidean"); specs stay stable."""
    from mlcore.interfaces import Estimator, Kernel

    @mlcore.register("kernel", "lin")
    class Lin(Kernel):
        def __init__(self, c=0.0):
            self.c = c

        def __call__(self, X, Y=None):
            return X @ (X if Y is None else Y).T + self.c

    @mlcore.register("estimator", "uses_kernel")
    class UsesKernel(Estimator):
        spec_kinds = {"kernel": "kernel"}

        def __init__(self, kernel="lin", alpha=1.0):
            self.kernel, self.alpha = kernel, alpha

        def fit(self, X, y=None):
            return self

    seen = []

    class Tracker:
        @mlcore.hookimpl
        def mlcore_component_built(self, spec):
            seen.append(str(spec))

    isolated_registry.add_plugin(Tracker(), "tracker")
    direct = UsesKernel()  # holds the string default
    built = mlcore.build("uses_kernel")  # built from the spec: still the string default
    assert mlcore.to_spec(direct) == "uses_kernel" == mlcore.to_spec(built)
    assert mlcore.to_spec(direct, full=True) == "uses_kernel(kernel=lin(c=0.0), alpha=1.0)"
    again = mlcore.build(mlcore.to_spec(direct, full=True))
    assert isinstance(again.kernel, Lin)
    assert mlcore.to_spec(again, full=True) == mlcore.to_spec(direct, full=True)
    assert mlcore.to_spec(again) == "uses_kernel"
    assert mlcore.to_spec(mlcore.build("uses_kernel(kernel=lin(c=1.0))")) == "uses_kernel(kernel=lin(c=1.0))"
    assert seen == ["uses_kernel", "lin(c=0.0)", "uses_kernel(kernel=lin(c=0.0), alpha=1.0)", "lin(c=1.0)",
                    "uses_kernel(kernel=lin(c=1.0))"]  # writing specs builds nothing visible
