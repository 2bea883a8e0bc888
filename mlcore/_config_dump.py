"""Writing configs: TOML (no library needed: the few value types a config holds) and JSON."""

from __future__ import annotations

import json
import math
import re

from ._overrides import ConfigError
from ._spec import Spec

__all__ = ["dumps"]


def dumps(data: dict, fmt: str = "toml") -> str:
    """Write a config as TOML (tables for sections and component mappings) or JSON.

    TOML has no null: a component mapping holding None anywhere is written as spec text
    (which can), and a None in a plain section is left out (the default applies).
    """
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt != "toml":
        raise ValueError(f"fmt must be 'toml' or 'json', got {fmt!r}")
    data = dict(data)
    if "model" in data:
        data["model"] = _toml_model(data["model"])
    lines = []
    tables = []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif v is not None:
            lines.append(f"{_key(k)} = {_value(v)}")
    for name, table in tables:
        _table(lines, name, table)
    return "\n".join(lines).lstrip("\n") + "\n"


def _table(lines, name, table):
    lines.append("")
    lines.append(f"[{name}]")
    subs = []
    for k, v in table.items():
        if isinstance(v, dict) and v and all(isinstance(x, str) for x in v):
            subs.append((k, v))
        elif v is not None:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in subs:
        _table(lines, f"{name}.{_key(k)}", v)


def _toml_model(node):
    if isinstance(node, dict) and isinstance(node.get("name"), str):
        if _has_none(node):
            return str(Spec.from_mapping(node))
        return {k: _toml_model(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_toml_model(v) for v in node]
    return node


def _has_none(v) -> bool:
    if v is None:
        return True
    if isinstance(v, dict):
        return any(_has_none(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return any(_has_none(x) for x in v)
    return False


def _key(k) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", str(k)) else json.dumps(str(k))


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items() if x is not None) + "}"
    raise ConfigError(f"cannot write {type(v).__name__} value {v!r} in a TOML config")
