"""save/load: one ``.npz`` file holding a component's full spec and learned state.

The file holds a JSON manifest (format, version, the full spec, and the state tree
whose array leaves point at the other members) and one member per array. It is read
with ``allow_pickle=False``: loading parses the spec with the safe spec parser, builds
only registered components, and never executes code from the file.
"""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np

from ._build import to_spec
from .errors import FileFormatError
from .interfaces import constructor_params

__all__ = ["save", "load"]

FORMAT = "mlcore"
VERSION = 1
_MANIFEST = "__mlcore__"


def _is_component(v) -> bool:
    from ._registry import registry

    return not isinstance(v, (type, np.ndarray, np.generic, str, bytes, int, float, list, tuple, dict)) \
        and v is not None and registry().entry_for(v) is not None


def _kind_of(obj) -> str | None:
    from ._registry import registry

    entry = registry().entry_for(obj)
    return entry.kind if entry is not None else None


def _collect(obj) -> dict:
    """State of ``obj`` and of the components among its hyperparameters."""
    state = obj.get_state() if hasattr(obj, "get_state") else {}
    children = {}
    for p in constructor_params(type(obj)):
        v = getattr(obj, p.name, None)
        if _is_component(v):
            children[p.name] = _collect(v)
        elif isinstance(v, (list, tuple)) and any(_is_component(x) for x in v):
            children[p.name] = [_collect(x) if _is_component(x) else None for x in v]
    return {"state": state, "children": children}


def _apply(obj, tree: dict):
    for name, child in tree["children"].items():
        value = getattr(obj, name)
        if isinstance(child, list):
            for x, sub in zip(value, child):
                if sub is not None:
                    _apply(x, sub)
        else:
            _apply(value, child)
    if tree["state"]:
        if not hasattr(obj, "set_state"):
            raise FileFormatError(f"{type(obj).__name__} has saved state but no set_state method")
        obj.set_state(tree["state"])


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _generator_state(g: np.random.Generator) -> dict:
    state = g.bit_generator.state
    if state.get("bit_generator") not in _BIT_GENERATORS:
        raise TypeError(f"cannot save a Generator backed by {state.get('bit_generator')!r}")
    return state


def _decode_generator(state) -> np.random.Generator:
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:  # the name picks a class: only numpy's own bit generators
        raise FileFormatError(f"unknown bit generator {name!r} in the file")
    bit = getattr(np.random, name)()
    try:
        bit.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise FileFormatError(f"invalid {name} state in the file: {exc}") from exc
    return np.random.Generator(bit)


class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def __call__(self, v, where: str):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, np.generic):
            return v
        if isinstance(v, np.random.Generator):
            return {"__rng__": self(_generator_state(v), where)}
        if isinstance(v, (np.ndarray, np.generic)):
            arr = np.asarray(v)
            if arr.dtype.hasobject:
                raise TypeError(f"cannot save {where}: object arrays are not supported (no pickle)")
            key = f"a{len(self.arrays)}"
            self.arrays[key] = arr
            return {"__a__": key, "scalar": isinstance(v, np.generic)}
        if isinstance(v, list):
            return [self(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, tuple):
            return {"__t__": [self(x, f"{where}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, dict):
            return {"__d__": [[self(k, where), self(x, f"{where}[{k!r}]")] for k, x in v.items()]}
        if _is_component(v):
            return {"__c__": to_spec(v, full=True), "kind": _kind_of(v), "tree": self.tree(_collect(v), where)}
        raise TypeError(f"cannot save {where} of type {type(v).__name__}: state values must be arrays, "
                        "numbers, strings, None, lists, tuples, dicts, numpy Generators or registered components")

    def tree(self, t: dict, where: str):
        return {"state": self(t["state"], where),
                "children": {k: ([None if c is None else self.tree(c, f"{where}.{k}[{i}]")
                                  for i, c in enumerate(v)] if isinstance(v, list) else self.tree(v, f"{where}.{k}"))
                             for k, v in t["children"].items()}}


class _Decoder:
    def __init__(self, arrays):
        self.arrays = arrays

    def __call__(self, v):
        if isinstance(v, list):
            return [self(x) for x in v]
        if not isinstance(v, dict):
            return v
        if "__a__" in v:
            key = v["__a__"]
            if not isinstance(key, str) or key not in self.arrays:
                raise FileFormatError(f"the file refers to a missing array {key!r}")
            arr = self.arrays[key]
            return arr[()] if v.get("scalar") else arr
        if "__t__" in v:
            return tuple(self(x) for x in v["__t__"])
        if "__rng__" in v:
            return _decode_generator(self(v["__rng__"]))
        if "__d__" in v:
            return {_hashable(self(k)): self(x) for k, x in v["__d__"]}
        if "__c__" in v:
            from ._build import build

            obj = build(v["__c__"], kind=v.get("kind"))
            _apply(obj, self.tree(v["tree"]))
            return obj
        raise FileFormatError(f"unexpected entry in the state tree: {sorted(v)}")

    def tree(self, t):
        if not isinstance(t, dict) or "state" not in t or "children" not in t:
            raise FileFormatError("malformed state tree")
        return {"state": self(t["state"]),
                "children": {k: ([None if c is None else self.tree(c) for c in v] if isinstance(v, list)
                                 else self.tree(v)) for k, v in t["children"].items()}}


def _hashable(k):
    return tuple(_hashable(x) for x in k) if isinstance(k, (list, tuple)) else k


def save(obj, path) -> str:
    """Save a component (spec and learned state) to one ``.npz`` file.

    Parameters
    ----------
    obj : component
        Any registered component: layer, network, optimizer, estimator, agent.
    path : str or os.PathLike
        Written exactly as given (no suffix is added).

    Returns
    -------
    str
        The path written.
    """
    enc = _Encoder()
    manifest = {"format": FORMAT, "version": VERSION, "spec": to_spec(obj, full=True), "kind": _kind_of(obj),
                "tree": enc.tree(_collect(obj), type(obj).__name__)}
    path = os.fspath(path)
    with open(path, "wb") as fh:
        np.savez(fh, **{_MANIFEST: np.array(json.dumps(manifest, allow_nan=True))}, **enc.arrays)
    return path


def load(path):
    """Load a component written by :func:`save`.

    The spec is parsed by the safe spec parser and built through the registry; arrays
    are read with ``allow_pickle=False``. Nothing in the file is executed.

    Raises
    ------
    FileFormatError
        The file is not an mlcore save file, or it is truncated or tampered with.
    UnknownComponentError
        The saved component's plugin is not installed.
    """
    from ._build import build

    try:
        with open(os.fspath(path), "rb") as fh, np.load(fh, allow_pickle=False) as npz:
            if _MANIFEST not in npz.files:
                raise FileFormatError(f"{path} is not an mlcore save file (no {_MANIFEST} member)")
            manifest = json.loads(str(npz[_MANIFEST][()]))
            arrays = {k: npz[k] for k in npz.files if k != _MANIFEST}
    except FileFormatError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise FileFormatError(f"cannot read {path} as an mlcore save file: {type(exc).__name__}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise FileFormatError(f"{path} is not an mlcore save file")
    if manifest.get("version") != VERSION:
        raise FileFormatError(f"{path} has format version {manifest.get('version')}; this mlcore reads {VERSION}")
    if not isinstance(manifest.get("spec"), str):
        raise FileFormatError(f"{path} has no spec")
    kind = manifest.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise FileFormatError(f"{path} has an invalid kind {kind!r}")
    obj = build(manifest["spec"], kind=kind)
    dec = _Decoder(arrays)
    _apply(obj, dec.tree(manifest.get("tree")))
    return obj
