"""Registry-wide contract: every registered component passes the conformance kit.

One parametrised table over the process registry (every installed plugin), in the
spirit of scikit-learn's test_common and thinc's layer table.
"""

import inspect

import pytest

import mlcore
from mlcore import _catalog
from mlcore.testing import check_component, conformance_cases

CASES = conformance_cases()


def test_plugins_load_without_errors_or_conflicts():
    reg = mlcore.registry()
    assert [str(e) for e in reg.errors()] == []
    assert reg.conflicts() == []


@pytest.mark.parametrize("case", CASES, ids=str)
def test_component_conforms(case, tmp_path):
    check_component(case.spec, example=case.example, tmp_path=tmp_path, kind=case.kind)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_component_is_documented(case):
    obj = mlcore.registry().get(case.name, case.kind)
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{case} has no docstring"
    assert len(doc.splitlines()[0]) <= 120, f"{case}: the first docstring line should be a one-line summary"


def test_installed_first_party_families_register_their_contract_names():
    reg = mlcore.registry()
    installed = {p.distribution for p in reg.plugins() if not p.error}
    missing = []
    for dist, kinds in _catalog.FIRST_PARTY.items():
        if dist not in installed:
            continue
        for kind, names in kinds.items():
            have = set(reg.names(kind, aliases=True))
            missing += [f"{dist}: {kind} {n}" for n in names.split() if n not in have]
    assert missing == []
