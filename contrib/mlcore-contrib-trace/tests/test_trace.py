"""The trace plugin records nested builds when switched on, and nothing otherwise."""

import json

import mlcore_contrib_trace as trace
import pytest

import mlcore


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.delenv("MLCORE_TRACE", raising=False)
    trace.disable()
    trace.clear()
    yield
    trace.disable()
    trace.clear()


def test_plugin_is_discovered():
    plugins = {p.name: p for p in mlcore.registry().plugins()}
    assert plugins["trace"].distribution == "mlcore-contrib-trace" and plugins["trace"].error is None


def test_off_by_default():
    mlcore.build("adam(lr=0.01)")
    assert trace.records() == []


def test_records_nested_components_and_writes_jsonl(tmp_path):
    log = tmp_path / "log.jsonl"
    trace.enable(log)
    opt = mlcore.build("sgd(lr=0.1, scheduler=exponential(decay=0.9))")
    recs = trace.records()
    assert [(r["kind"], r["name"]) for r in recs] == [("scheduler", "exponential"), ("optimizer", "sgd")]
    assert recs[1]["spec"] == "sgd(lr=0.1, scheduler=exponential(decay=0.9))"
    assert recs[1]["full_spec"] == mlcore.to_spec(opt, full=True)
    lines = [json.loads(l) for l in log.read_text().splitlines()]
    assert [l["name"] for l in lines] == ["exponential", "sgd"]
    rebuilt = mlcore.build(lines[-1]["full_spec"])  # a run can be rebuilt from its log
    assert mlcore.to_spec(rebuilt, full=True) == recs[1]["full_spec"]


def test_environment_switch(monkeypatch):
    from mlcore_contrib_trace import _state

    monkeypatch.setenv("MLCORE_TRACE", "1")
    _state._switch["on"] = None  # as in a fresh process
    mlcore.build("constant")
    assert [r["name"] for r in trace.records()] == ["constant"]
