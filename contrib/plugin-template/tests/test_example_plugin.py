"""The plugin is discovered and its component passes mlcore's conformance kit."""

import mlcore
from mlcore.testing import check_component


def test_plugin_is_discovered():
    reg = mlcore.registry()
    assert "example" in reg.names("layer")
    assert reg.info("example", "layer")["distribution"] == "mlcore-example"
    assert [str(e) for e in reg.errors() if e.plugin == "example"] == []


def test_conformance(tmp_path):
    check_component("example", tmp_path=tmp_path)
