"""Conformance kit (mlcore.testing) over every estimator of the lda plugin."""

import pytest

import mlcore
from mlcore.testing import check_component, example_of


@pytest.mark.parametrize("name", ["lda", "smoothed_lda"])
def test_conformance(name, tmp_path):
    cls = mlcore.registry().get(name, "estimator")
    example = example_of(cls)
    assert "fit" in example
    check_component(example.get("spec", name), tmp_path=tmp_path, kind="estimator")


def test_plugin_is_discovered():
    plugins = {p.name: p for p in mlcore.registry().plugins()}
    assert "lda" in plugins and plugins["lda"].error is None
