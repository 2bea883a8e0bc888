"""Dotted-path access into a config: ``model.optimizer.lr``, ``model.layers[1].n_out``, ``fit.epochs``.

A path walks through plain sections (``data``, ``fit``) and, under ``model``, through
specs written either way: as spec text (``optimizer = "adam(lr=1e-3)"``, parsed on the
way in and replaced by its mapping form) or as tables (``[model.optimizer] name = "adam"``).
Keys under a component are checked against its constructor's signature, so a key that
is not there fails with did-you-mean, like a bad spec argument. Values are parsed with the
spec grammar: ``0.01``, ``[32, 64]``, ``None``, ``sgd(lr=0.1)`` (a component) or a bare
word (``relu``, ``float32``, ``digits``), kept as a string.
"""

from __future__ import annotations

import difflib
import re

from ._spec import Spec, parse
from .errors import MlcoreError, SpecSyntaxError

__all__ = ["ConfigError", "parse_path", "parse_value", "format_path", "split_values", "set_path", "get_path",
           "component_params"]


class ConfigError(MlcoreError, ValueError):
    """A config file, key or value is wrong; the message names the file, line (when known) and dotted key."""


_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


def parse_path(path: str) -> list:
    """``"model.layers[1].n_out"`` -> ``["model", "layers", 1, "n_out"]``."""
    out = []
    for part in path.strip().split("."):
        m = _SEGMENT.fullmatch(part)
        if not m:
            raise ConfigError(f"invalid key {path!r}: use dotted names with [index] for list items, "
                              "e.g. model.optimizer.lr or model.layers[1].n_out")
        out.append(m.group(1))
        out.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return out


def format_path(segments) -> str:
    """Inverse of :func:`parse_path`."""
    text = ""
    for s in segments:
        text += f"[{s}]" if isinstance(s, int) else (f".{s}" if text else s)
    return text


_PLAIN_WORD = re.compile(r"[^()\[\]{},='\"\s]+")


def parse_value(text: str, key: str = "value"):
    """A value written on the command line, read with the spec grammar.

    Numbers, lists, tuples, dicts, ``None``/``True``/``False`` and quoted strings are
    literals; ``sgd(lr=0.1)`` is a component (kept as canonical spec text); a bare word
    (``relu``) or a path-like word without spec punctuation (``data/train.csv``) is a string.
    """
    try:
        value = parse(text)
    except SpecSyntaxError as exc:
        if _PLAIN_WORD.fullmatch(text.strip() or "("):
            return text.strip()
        raise ConfigError(f"key {key!r}: cannot read the value {text!r}: {exc}") from None
    if isinstance(value, Spec):
        return value.name if not value.args and not value.kwargs and "(" not in text else str(value)
    return value


def split_values(text: str) -> list[str]:
    """Split ``"1e-3,1e-2,sgd(lr=0.1, momentum=0.9)"`` at top-level commas."""
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    parts = [p.strip() for p in parts]
    if any(not p for p in parts):
        raise ConfigError(f"empty value in the list {text!r}")
    return parts


def _hint(key, pool) -> str:
    close = difflib.get_close_matches(str(key), sorted(map(str, pool)), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def component_params(name: str, kind: str | None):
    """``(names, kinds, var_kw, signature text, positional params)`` of a registered component."""
    from ._build import _signature
    from ._registry import registry

    reg = registry()
    entry = reg.lookup(name, kind)
    sig = _signature(reg, entry.load())
    return sig.names, sig.kinds, sig.var_kw, f"{entry.primary}{sig.text}", [p.name for p in sig.params]


def spec_mapping(value, kind: str | None, where: str) -> dict:
    """A component written as spec text or a Spec, as a mutable mapping (positional args bound by name)."""
    node = value
    if isinstance(value, str):
        try:
            node = parse(value)
        except SpecSyntaxError as exc:
            raise ConfigError(f"key {where!r}: {exc}") from None
    if isinstance(node, dict) and isinstance(node.get("name"), str):
        return node
    if not isinstance(node, Spec):
        raise ConfigError(f"key {where!r} holds {value!r}, not a component, so it has no keys to set")
    out = {"name": node.name}
    if node.args:
        _, _, _, text, positional = _params(node.name, kind, where)
        if len(node.args) > len(positional):
            raise ConfigError(f"key {where!r}: too many positional arguments for {text}")
        out.update(zip(positional, node.args))
    for k, v in node.kwargs:
        out[k] = str(v) if isinstance(v, Spec) else v
    for k, v in list(out.items()):
        if isinstance(v, list):
            out[k] = [str(x) if isinstance(x, Spec) else x for x in v]
    return out


def _params(name, kind, where):
    try:
        return component_params(name, kind)
    except MlcoreError as exc:
        raise ConfigError(f"key {where!r}: {exc}") from None


def get_path(tree: dict, segments):
    """The value at ``segments`` (raises KeyError/IndexError when absent)."""
    node = tree
    for s in segments:
        if isinstance(node, str) and isinstance(s, str):
            node = spec_mapping(node, None, "")
        node = node[s]
    return node


def set_path(tree: dict, segments: list, value, allowed_keys) -> None:
    """Set ``tree[segments] = value`` in place, checking every key on the way.

    ``allowed_keys(section)`` gives the keys a plain section may hold (None: any).
    """
    if not segments:
        raise ConfigError("empty key")
    head = segments[0]
    if not isinstance(head, str):
        raise ConfigError(f"invalid key {format_path(segments)!r}")
    top = allowed_keys(None)
    if head not in top:
        raise ConfigError(f"unknown key {head!r}{_hint(head, top)} Top-level keys: {', '.join(sorted(top))}")
    if len(segments) == 1:
        tree[head] = value
        return
    if head == "model":
        if "model" not in tree:
            raise ConfigError("key 'model': the config has no model to set keys in")
        tree["model"] = _set_in_component(tree["model"], segments[1:], value, None, ["model"])
        return
    section = tree.setdefault(head, {})
    if not isinstance(section, dict):
        raise ConfigError(f"key {head!r} is a value, not a section: set {head}=... instead")
    key = segments[1]
    keys = allowed_keys(head)
    if keys is not None and key not in keys and key not in section:
        raise ConfigError(f"unknown key {format_path(segments[:2])!r}{_hint(key, keys)} "
                          f"Keys of [{head}]: {', '.join(sorted(keys))}")
    if len(segments) == 2:
        section[key] = value
        return
    section[key] = _set_plain(section.get(key), segments[2:], value, segments[:2])


def _set_plain(node, rest, value, done):
    where = format_path(done)
    s = rest[0]
    if isinstance(s, int):
        if not isinstance(node, list) or not -len(node) <= s < len(node):
            raise ConfigError(f"key {format_path(done + [s])!r}: {where} is not a list with an item {s}")
    elif not isinstance(node, dict) or s not in node:
        raise ConfigError(f"unknown key {format_path(done + [s])!r}"
                          + (_hint(s, node) if isinstance(node, dict) else ""))
    node[s] = value if len(rest) == 1 else _set_plain(node[s], rest[1:], value, done + [s])
    return node


def _set_in_component(node, rest, value, kind, done):
    """Set ``rest`` inside the component ``node`` (spec text, Spec or mapping); returns the new node."""
    where = format_path(done)
    if isinstance(rest[0], int):
        if not isinstance(node, list) or not -len(node) <= rest[0] < len(node):
            n = f"a list of {len(node)} items" if isinstance(node, list) else "not a list"
            raise ConfigError(f"key {format_path(done + [rest[0]])!r}: {where} is {n}")
        i = rest[0]
        node = list(node)
        node[i] = value if len(rest) == 1 else _set_in_component(node[i], rest[1:], value, kind, done + [i])
        return node
    if node is None:
        raise ConfigError(f"key {format_path(done + rest[:1])!r}: {where} is not set; set the component first, "
                          f"e.g. --set {where}=NAME(...)")
    mapping = dict(spec_mapping(node, kind, where))
    key = rest[0]
    if key == "name":
        if len(rest) > 1:
            raise ConfigError(f"key {format_path(done + rest[:2])!r}: a component's name has no keys")
        mapping["name"] = value
        return mapping
    names, kinds, var_kw, text, _ = _params(mapping["name"], kind, where)
    if key not in names and not var_kw:
        raise ConfigError(f"unknown key {format_path(done + [key])!r}: {mapping['name']}() has no argument "
                          f"{key!r}{_hint(key, names)} Signature: {text}")
    if len(rest) == 1:
        mapping[key] = value
    elif kinds.get(key) is not None:
        mapping[key] = _set_in_component(mapping.get(key), rest[1:], value, kinds.get(key), done + [key])
    elif isinstance(mapping.get(key), (dict, list)):
        mapping[key] = _set_plain(mapping[key], rest[1:], value, done + [key])
    else:
        raise ConfigError(f"key {format_path(done + rest[:2])!r}: {format_path(done + [key])} is not a component "
                          f"or a list, so it has no keys")
    return mapping
