"""Reading an mlcore save file: a bounded, validated zip/npy reader and the state decoder.

Everything here treats the file as hostile. The archive is opened with :mod:`zipfile`;
only the manifest and the members it refers to are read, and each member's sizes and
``.npy`` header are checked against fixed limits and against the file's own size before
anything is allocated. See :mod:`mlcore._io` for the guarantees this gives.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from typing import NoReturn

import numpy as np
import numpy.lib.format as npformat

from .errors import FileFormatError

MANIFEST = "__mlcore__"
MAX_JSON_DEPTH = 100                 # nesting of the manifest (a saved network needs about 30)
MAX_MANIFEST_BYTES = 256 * 2 ** 20   # the manifest member (UTF-32 text: 64 Mi characters)
MAX_MEMBERS = 1_000_000
MAX_NPY_HEADER = 10_000              # numpy's own default
_MEMBER = re.compile(r"(__mlcore__|a[0-9]{1,9})\.npy")
_CHUNK = 1 << 20


def _fail(path, what) -> NoReturn:
    raise FileFormatError(f"{path}: {what}")


def read_archive(path):
    """``(manifest dict, {key: ndarray})`` of the save file at ``path``.

    Raises FileNotFoundError (and other OSErrors) when the file cannot be opened, and
    :class:`FileFormatError` for anything wrong with its content.
    """
    path = os.fspath(path)
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        try:
            zf = zipfile.ZipFile(fh)
        except Exception as exc:  # BadZipFile, EOFError, OSError, ValueError, NotImplementedError, ...
            raise FileFormatError(f"cannot read {path} as an mlcore save file: not a valid zip archive "
                                  f"({type(exc).__name__}: {exc})") from exc
        with zf:
            if MANIFEST + ".npy" not in zf.NameToInfo:
                _fail(path, f"not an mlcore save file (no {MANIFEST} member)")
            infos = _members(path, zf.infolist(), size)
            manifest = _parse_manifest(path, _read_member(path, zf, infos[MANIFEST], size, manifest=True))
            refs = array_refs(path, manifest)
            extra = sorted(set(infos) - set(refs) - {MANIFEST})
            if extra:
                _fail(path, f"members not referred to by the manifest: {', '.join(extra[:5])}")
            missing = [k for k in refs if k not in infos]
            if missing:
                _fail(path, f"the file refers to a missing array {missing[0]!r}")
            total = sum(infos[k].file_size for k in refs) + infos[MANIFEST].file_size
            if total > size:
                _fail(path, f"members declare {total} bytes in a file of {size} bytes (overlapping members)")
            arrays = {k: _read_member(path, zf, infos[k], size) for k in refs}
    return manifest, arrays


def _members(path, infos, size) -> dict:
    """The zip entries by array key, after checking names, duplicates and sizes."""
    if len(infos) > MAX_MEMBERS:
        _fail(path, f"{len(infos)} members (at most {MAX_MEMBERS})")
    out = {}
    for info in infos:
        m = _MEMBER.fullmatch(info.filename)
        if m is None:
            _fail(path, f"unexpected member {info.filename[:100]!r} (only .npy arrays named by the manifest)")
        key = m.group(1)
        if key in out:
            _fail(path, f"duplicate member {info.filename!r}")
        if info.flag_bits & 0x1:
            _fail(path, f"member {info.filename!r} is encrypted")
        if info.compress_type != zipfile.ZIP_STORED:
            _fail(path, f"member {info.filename!r} is compressed (method {info.compress_type}); "
                        "mlcore save files store arrays uncompressed")
        if info.file_size != info.compress_size:
            _fail(path, f"member {info.filename!r} declares {info.file_size} bytes but stores {info.compress_size}")
        if info.file_size + info.header_offset > size:
            _fail(path, f"member {info.filename!r} declares {info.file_size} bytes, more than the file holds")
        out[key] = info
    return out


def _read_member(path, zf, info, size, manifest=False):
    """One ``.npy`` member as an array, its header checked before allocating."""
    name = info.filename
    try:
        with zf.open(info) as f:
            major, minor = npformat.read_magic(f)
            if (major, minor) == (1, 0):
                shape, fortran, dtype = npformat.read_array_header_1_0(f, max_header_size=MAX_NPY_HEADER)
            elif (major, minor) == (2, 0):
                shape, fortran, dtype = npformat.read_array_header_2_0(f, max_header_size=MAX_NPY_HEADER)
            else:
                _fail(path, f"member {name!r} has unsupported .npy version {major}.{minor}")
            start = f.tell()
            nbytes = _check_header(path, name, shape, dtype, info.file_size - start, manifest)
            arr = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
            buf = arr.reshape(-1, order="A").view(np.uint8) if arr.size else memoryview(b"")
            pos = 0
            while pos < nbytes:
                chunk = f.read(min(_CHUNK, nbytes - pos))
                if not chunk:
                    _fail(path, f"member {name!r} is truncated")
                buf[pos: pos + len(chunk)] = np.frombuffer(chunk, np.uint8)  # type: ignore[call-overload]
                pos += len(chunk)
            if f.read(1):  # also makes zipfile verify the CRC
                _fail(path, f"member {name!r} has data after its array")
    except FileFormatError:
        raise
    except Exception as exc:  # zipfile and numpy's header parser raise many types (even tokenize.TokenError)
        raise FileFormatError(f"{path}: member {name!r} is damaged ({type(exc).__name__}: {exc})") from exc
    return arr


def _check_header(path, name, shape, dtype, room, manifest) -> int:
    if dtype.hasobject:
        _fail(path, f"member {name!r} holds Python objects (dtype {dtype}); only plain arrays load")
    if manifest and (dtype.kind != "U" or shape != ()):
        _fail(path, f"the {MANIFEST} member must be a text scalar, got dtype {dtype} shape {shape}")
    count = 1
    for s in shape:
        count *= s
    nbytes = count * dtype.itemsize
    if dtype.itemsize == 0 and count > 1:
        _fail(path, f"member {name!r} has {count} elements of size zero")
    if nbytes != room:
        _fail(path, f"member {name!r} declares shape {shape} of {dtype} ({nbytes} bytes) but holds {room} bytes")
    if manifest and nbytes > MAX_MANIFEST_BYTES:
        _fail(path, f"the manifest is {nbytes} bytes (at most {MAX_MANIFEST_BYTES})")
    return nbytes


def _parse_manifest(path, arr) -> dict:
    text = str(arr[()])
    del arr  # the UTF-32 array is freed before parsing (the caller keeps no reference)
    try:
        manifest = json.loads(text)
    except RecursionError as exc:
        raise FileFormatError(f"{path}: the manifest is nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, int literals beyond Python's digit limit
        raise FileFormatError(f"{path}: the manifest is not valid JSON ({exc})") from exc
    depth = _depth(manifest)
    if depth > MAX_JSON_DEPTH:
        _fail(path, f"the manifest is nested {depth} levels deep (at most {MAX_JSON_DEPTH})")
    if not isinstance(manifest, dict) or manifest.get("format") != "mlcore":
        _fail(path, "not an mlcore save file")
    return manifest


def _depth(obj) -> int:
    """Nesting depth of a JSON value, without recursion."""
    depth, level = 0, [obj] if isinstance(obj, (list, dict)) else []
    while level:  # one level at a time, holding only references to containers
        depth += 1
        level = [x for v in level for x in (v.values() if isinstance(v, dict) else v) if isinstance(x, (list, dict))]
    return depth


def array_refs(path, manifest) -> list:
    """The array keys the manifest refers to, in order; each at most once."""
    refs, seen, stack = [], set(), [manifest.get("tree")]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if "__a__" in v:
                key = v["__a__"]
                if not isinstance(key, str) or _MEMBER.fullmatch(key + ".npy") is None or key == MANIFEST:
                    _fail(path, f"invalid array reference {key!r}")
                if key in seen:
                    _fail(path, f"array {key!r} is referred to twice")
                seen.add(key)
                refs.append(key)
            stack.extend(x for x in v.values() if isinstance(x, (list, dict)))
        elif isinstance(v, list):
            stack.extend(x for x in v if isinstance(x, (list, dict)))
    return refs


# ---------------------------------------------------------------------- state tree
_TAGS = {"__a__": {"__a__", "scalar"}, "__t__": {"__t__"}, "__rng__": {"__rng__"}, "__d__": {"__d__"},
         "__c__": {"__c__", "kind", "tree"}}


class Decoder:
    """Turns the manifest's state tree back into values (arrays, tuples, dicts, components)."""

    def __init__(self, arrays, apply, decode_generator):
        self.arrays, self.apply, self.decode_generator = arrays, apply, decode_generator

    def __call__(self, v):
        if isinstance(v, list):  # decoded in place: the parsed manifest is not duplicated
            for i, x in enumerate(v):
                v[i] = self(x)
            return v
        if not isinstance(v, dict):
            return v
        tag = next((t for t in _TAGS if t in v), None)
        if tag is None or set(v) - _TAGS[tag] or tag != "__a__" and tag != "__c__" and len(v) != 1:
            raise FileFormatError(f"unexpected entry in the state tree: {sorted(map(str, v))[:5]}")
        if tag == "__a__":
            arr = self.arrays.get(v["__a__"])
            if arr is None:
                raise FileFormatError(f"the file refers to a missing array {v['__a__']!r}")
            scalar = v.get("scalar", False)
            if not isinstance(scalar, bool) or scalar and arr.ndim != 0:
                raise FileFormatError(f"array {v['__a__']!r}: invalid scalar flag {scalar!r} for shape {arr.shape}")
            return arr[()] if scalar else arr
        body = v[tag]
        if tag == "__t__":
            if not isinstance(body, list):
                raise FileFormatError("a saved tuple must be a list of items")
            items = tuple(self(x) for x in body)
            body.clear()
            return items
        if tag == "__rng__":
            return self.decode_generator(self(body))
        if tag == "__d__":
            if not isinstance(body, list) or not all(isinstance(p, list) and len(p) == 2 for p in body):
                raise FileFormatError("a saved dict must be a list of [key, value] pairs")
            out = {}
            for k, x in body:
                out[_hashable(self(k))] = self(x)
            body.clear()
            return out
        from ._build import build

        kind = v.get("kind")
        if not isinstance(body, str) or kind is not None and not isinstance(kind, str):
            raise FileFormatError("a saved component needs a spec string and a kind")
        obj = build(body, kind=kind)
        self.apply(obj, self.tree(v.get("tree")))
        return obj

    def tree(self, t):
        if not isinstance(t, dict) or set(t) != {"state", "children"} or not isinstance(t["children"], dict):
            raise FileFormatError("malformed state tree")
        state = self(t["state"])
        if not isinstance(state, dict):
            raise FileFormatError(f"saved state must be a dict, got {type(state).__name__}")
        children = {}
        for k, c in t["children"].items():
            children[k] = [None if x is None else self.tree(x) for x in c] if isinstance(c, list) else self.tree(c)
        return {"state": state, "children": children}


def _hashable(k):
    if isinstance(k, (list, tuple)):
        return tuple(_hashable(x) for x in k)
    if isinstance(k, (str, int, float, bool, type(None), np.generic)) and not isinstance(k, np.void):
        return k
    raise FileFormatError(f"invalid dict key of type {type(k).__name__} in the state tree")
