"""Conformance kit (mlcore.testing) over every estimator of the factorization plugin."""

import pytest

import mlcore
from mlcore.testing import check_component, example_of


@pytest.mark.parametrize("name", ["als", "nmf"])
def test_conformance(name, tmp_path):
    cls = mlcore.registry().get(name, "estimator")
    example = example_of(cls)
    assert "fit" in example
    check_component(example.get("spec", name), tmp_path=tmp_path, kind="estimator")


def test_plugin_is_discovered():
    plugins = {p.name: p for p in mlcore.registry().plugins()}
    assert "factorization" in plugins and plugins["factorization"].error is None
