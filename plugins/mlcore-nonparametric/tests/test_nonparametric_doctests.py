"""The docstring examples of every mlcore_nonparametric module run and print what they show."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["knn", "kernel_regression", "gp_regression"])
def test_docstring_examples(name):
    module = importlib.import_module(f"mlcore_nonparametric.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
