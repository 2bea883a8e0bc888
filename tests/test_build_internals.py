"""The build's signature cache and the registration hook's argument handling (issue 24)."""

from __future__ import annotations

import gc
import weakref

import mlcore
from mlcore import _build, hookimpl


def test_signature_cache_keeps_no_registry_or_class_alive():
    """A registry and a class that are gone leave nothing behind in the cache (it used to
    be keyed by ``(id(registry), class)``: unbounded, and an id can be reused)."""
    def make():
        reg = mlcore.Registry(autoload=False)

        class Tiny(mlcore.interfaces.Initializer):
            def __init__(self, scale=1.0):
                self.scale = scale

            def init(self, shape, random_state=None):
                return self.scale

        reg.add("initializer", "tiny_cache_probe", Tiny)
        assert mlcore.build("tiny_cache_probe(scale=2.0)", registry=reg).scale == 2.0
        assert reg in _build._SIGNATURES
        return weakref.ref(reg), weakref.ref(Tiny)

    reg_ref, cls_ref = make()
    gc.collect()
    assert reg_ref() is None and cls_ref() is None


def test_signature_cache_is_per_registry():
    """The same class in two registries with different kinds gets each registry's kinds."""
    first = mlcore.build("adam(lr=0.1)")
    reg = mlcore.Registry()
    assert type(mlcore.build("adam(lr=0.1)", registry=reg)) is type(first)
    assert _build._signature(reg, type(first)) is not _build._signature(mlcore.registry(), type(first))


def test_kind_info_is_public_and_lazy():
    infos = mlcore.registry().kind_info()
    assert set(infos) == set(mlcore.registry().kinds())
    assert mlcore.registry().kind_info("layer").name == "layer"


class _MethodPlugin:
    @hookimpl
    def mlcore_register(self, registry):
        registry.add("initializer", "method_plugin_probe", "mlcore.interfaces:Initializer")


class _BadArgsPlugin:
    @hookimpl
    def mlcore_register(self, registry, bogus):
        registry.add("initializer", "bad_args_probe", "mlcore.interfaces:Initializer")


def test_register_hook_arguments_are_read_by_pluggy():
    """As an entry-point plugin is loaded (registration before pluggy sees the module)."""
    reg = mlcore.Registry(autoload=False)
    reg.load_plugin("method_plugin", _MethodPlugin)     # a bound method: self is not an argument
    assert "method_plugin_probe" in reg.names("initializer")
    reg.load_plugin("bad_args", _BadArgsPlugin)
    assert "bad_args_probe" not in reg.names("initializer")
    (err,) = [e for e in reg.errors() if e.plugin == "bad_args"]
    assert "bogus" in str(err.exception) and "registry" in str(err.exception)
