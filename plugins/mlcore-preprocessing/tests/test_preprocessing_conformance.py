"""Every component this plugin registers passes mlcore's conformance kit."""

import subprocess
import sys

import pytest

import mlcore
from mlcore.testing import check_component, example_of

EXPECTED = {("estimator", n) for n in ["standardizer", "one_hot_encoder", "feature_hasher", "tfidf", "huffman", "byte_pair_encoder", "vocabulary"]} | \
           {("window", n) for n in ["hann", "hamming", "blackman_harris", "generalized_cosine"]}


def _entries():
    return [e for e in mlcore.registry().entries() if e.plugin == "preprocessing"]


def test_plugin_is_discovered_and_registers_its_contract_names():
    reg = mlcore.registry()
    assert [str(e) for e in reg.errors() if e.plugin == "preprocessing"] == []
    assert "window" in reg.kinds()
    assert {(e.kind, e.name) for e in _entries()} == EXPECTED


@pytest.mark.parametrize("kind,name", sorted(EXPECTED))
def test_component_conforms(kind, name, tmp_path):
    target = mlcore.registry().get(name, kind)
    example = example_of(target)
    assert example, f"{kind} {name} has no conformance_example"
    check_component(example.get("spec", name), example=example, tmp_path=tmp_path, kind=kind)


def test_importing_the_package_imports_no_component_module():
    code = ("import sys, mlcore_preprocessing; "
            "print([k for k in sys.modules if k.startswith('mlcore_preprocessing.')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_demo_runs(capsys):
    from mlcore_preprocessing._demo import run

    run()
    assert "dft" in capsys.readouterr().out


@pytest.mark.parametrize("module", ["fft", "windows", "spectral", "interpolation", "tokenizers", "batching",
                                    "standardizer", "one_hot", "hashing", "tfidf", "huffman", "bpe",
                                    "vocabulary"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"mlcore_preprocessing.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
