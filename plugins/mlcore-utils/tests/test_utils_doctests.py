"""The docstring examples of every mlcore_utils module run and print what they show."""

import doctest
import importlib

import pytest

MODULES = ["kernels", "metrics", "ball_tree", "neighbors", "priority_queue", "sampler", "graphs"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"mlcore_utils.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
