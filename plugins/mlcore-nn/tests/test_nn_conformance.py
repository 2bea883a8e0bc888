"""Every component of mlcore-nn part 1 passes mlcore's conformance kit (spec round trip,
save/load, finite-difference gradients for layers and losses, estimator API, determinism)."""

import inspect

import pytest

import mlcore
from mlcore.testing import check_component, conformance_cases

PART1 = {
    "activation": "relu leaky_relu elu selu gelu sigmoid tanh softplus affine identity exponential hard_sigmoid "
                  "silu",
    "initializer": "glorot_uniform glorot_normal he_uniform he_normal std_normal trunc_normal",
    "loss": "squared_error cross_entropy softmax_cross_entropy binary_cross_entropy",
    "layer": "dense add multiply flatten softmax embedding dropout conv1d conv2d deconv2d pool2d batchnorm1d "
             "batchnorm2d layernorm1d layernorm2d dot_product_attention",
    "estimator": "sequential",
}
ALIASES = {"activation": "swish", "layer": "fully_connected"}
CASES = [c for c in conformance_cases() if c.name in PART1.get(c.kind, "").split()
         and mlcore.registry().lookup(c.name, c.kind).plugin == "nn"]


def test_plugin_is_discovered_and_registers_its_contract_names():
    reg = mlcore.registry()
    assert "activation" in reg.kinds()
    assert not [e for e in reg.errors() if e.distribution == "mlcore-nn"]
    for kind, names in PART1.items():
        assert set(names.split()) | set(ALIASES.get(kind, "").split()) <= set(reg.names(kind, aliases=True)), kind
    assert len(CASES) == sum(len(v.split()) for v in PART1.values())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_component_conforms(case, tmp_path):
    check_component(case.spec, example=case.example, tmp_path=tmp_path, kind=case.kind)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_component_has_a_summary_docstring(case):
    doc = inspect.getdoc(mlcore.registry().get(case.name, case.kind)) or ""
    assert doc.strip() and len(doc.splitlines()[0]) <= 120
