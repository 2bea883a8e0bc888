"""save/load: one ``.npz`` file holding a component's full spec and learned state.

The file is a zip archive (numpy's ``.npz`` layout, uncompressed) holding a JSON
manifest (format, version, the full spec, and the state tree whose array leaves point
at the other members) and one ``.npy`` member per array.

Guarantees
----------
Saving is atomic. Everything is serialised and validated before the first byte is
written (an unsaveable value, an int beyond 4096 bits or state nested too deeply raises
``TypeError``/``ValueError`` and touches nothing). The file is written to a new
temporary file in the target's directory (``O_EXCL``, unique name), flushed and
fsynced, then renamed over the target with :func:`os.replace` and the directory is
fsynced. On any failure (an exception while writing, disk full, ``RLIMIT_FSIZE``) the
previous file is left byte-for-byte intact and the temporary file is removed; of
concurrent saves to one path, the last rename wins and the file is always complete.
A symlink at the target path is replaced by the new file; the file it pointed to is
not written.

Loading is bounded and validated (:mod:`mlcore._io_read`). Only the manifest and the
members it refers to are read; unreferenced, duplicate, compressed or non-``.npy``
members, object dtypes and manifests nested deeper than 100 levels are refused; each
array's ``.npy`` header must account exactly for its member's stored size before
anything is allocated, and the members together cannot claim more bytes than the
file has. Memory bound: the peak allocation of ``load`` (as tracemalloc counts it)
stays below ``4 MiB + 16 x the file's size`` -- the arrays take at most the file's
size, the parsed JSON manifest at most about 11 times its own size (nested empty lists
are the worst case), the layer shape check one more copy of a layer's parameters;
this assumes, as the spec rules require, that building a component from its spec
allocates nothing proportional to data. Loading parses the spec with the safe spec parser, builds only registered
components, uses no pickle and executes nothing from the file. State is restored
only into attributes the component declares as state
(:func:`mlcore.interfaces.check_state_keys`), and each restored component's
``_check_loaded_state()`` checks array shapes against what it expects (for example
``n_features_in_`` against ``coef_``, a layer's parameters against ``initialize``).
Every malformed file raises :class:`~mlcore.errors.FileFormatError`; a saved component
whose plugin is not installed raises :class:`~mlcore.errors.UnknownComponentError`; a
missing path raises ``FileNotFoundError``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import zipfile
from typing import Any

import numpy as np
import numpy.lib.format as npformat

from ._build import to_spec
from ._io_read import MANIFEST, MAX_JSON_DEPTH, Decoder, _depth, read_archive
from .errors import FileFormatError, MlcoreError, UnknownComponentError
from .interfaces import check_state_keys, constructor_params

__all__ = ["save", "load", "read_metadata"]

FORMAT = "mlcore"
VERSION = 1
_MANIFEST = MANIFEST
MAX_INT_BITS = 4096
#: the most JSON text ``save(..., metadata=)`` stores (a run's config, versions, history)
MAX_METADATA_BYTES = 4 * 2 ** 20


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
    children: dict[str, Any] = {}
    for p in constructor_params(type(obj)):
        v = getattr(obj, p.name, None)
        if _is_component(v):
            children[p.name] = _collect(v)
        elif isinstance(v, (list, tuple)) and any(_is_component(x) for x in v):
            children[p.name] = [_collect(x) if _is_component(x) else None for x in v]
    return {"state": state, "children": children}


def _apply(obj, tree: dict):
    """Restore a decoded state tree into ``obj`` (only declared state), then check it."""
    name = type(obj).__name__
    params = {p.name for p in constructor_params(type(obj))}
    for key, child in tree["children"].items():
        value = getattr(obj, key, None) if key in params else None
        if isinstance(child, list):
            if not isinstance(value, (list, tuple)) or len(value) != len(child):
                raise FileFormatError(f"{name} has no list of {len(child)} components {key!r} to restore")
            for x, sub in zip(value, child):
                if sub is not None:
                    if not _is_component(x):
                        raise FileFormatError(f"{name}.{key} holds {type(x).__name__}, not a component")
                    _apply(x, sub)
        elif _is_component(value):
            _apply(value, child)
        else:
            raise FileFormatError(f"{name} has no component hyperparameter {key!r} to restore")
    state = {k: v for k, v in tree["state"].items() if not (k in params and _same_scalar(v, getattr(obj, k, None)))}
    if state:
        if not hasattr(obj, "set_state"):
            raise FileFormatError(f"{name} has saved state but no set_state method")
        check_state_keys(obj, state)  # also when the class overrides set_state
        obj.set_state(state)
    check = getattr(obj, "_check_loaded_state", None)
    if check is not None:
        check()


def _same_scalar(a, b) -> bool:
    """Files written before hyperparameters ending in ``_`` (``lambda_``) were left out of
    the state hold them there: a value equal to the spec's is dropped, any other refused."""
    return type(a) is type(b) and isinstance(a, (int, float, str, bool, type(None))) and a == b


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _generator_state(g: np.random.Generator) -> dict:
    state = dict(g.bit_generator.state)
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
    except Exception as exc:  # TypeError, ValueError, KeyError, OverflowError on tampered states
        raise FileFormatError(f"invalid {name} state in the file: {exc}") from exc
    return np.random.Generator(bit)


class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def __call__(self, v, where: str):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int) and not isinstance(v, np.generic):
            if abs(v).bit_length() > MAX_INT_BITS:
                raise ValueError(f"cannot save {where}: an int of {abs(v).bit_length()} bits "
                                 f"(at most {MAX_INT_BITS}; store it as an array or a string)")
            return v
        if isinstance(v, float) and not isinstance(v, np.generic):
            return v
        if isinstance(v, np.random.Generator):
            return {"__rng__": self(_generator_state(v), where)}
        if isinstance(v, (np.ndarray, np.generic)):
            arr = np.asarray(v)
            if arr.dtype.hasobject:
                raise TypeError(f"cannot save {where}: object arrays are not supported (no pickle)")
            try:
                npformat.dtype_to_descr(arr.dtype)
                npformat.header_data_from_array_1_0(arr)
            except Exception as exc:
                raise TypeError(f"cannot save {where}: dtype {arr.dtype} has no .npy form ({exc})") from exc
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


def _check_declared(obj, where):
    """Save only what load will accept: every state key must be declared state."""
    if hasattr(obj, "get_state"):
        try:
            check_state_keys(obj, obj.get_state())
        except FileFormatError as exc:
            raise TypeError(f"cannot save {where}: {exc}") from exc
    for p in constructor_params(type(obj)):
        v = getattr(obj, p.name, None)
        for i, x in enumerate(v if isinstance(v, (list, tuple)) else [v]):
            if _is_component(x):
                _check_declared(x, f"{where}.{p.name}")


def _metadata(metadata):
    """A JSON-only copy of ``metadata`` (a dict), at most ``MAX_METADATA_BYTES`` of text."""
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, not {type(metadata).__name__}")
    try:
        text = json.dumps(metadata, allow_nan=True)
    except (TypeError, ValueError, RecursionError) as exc:
        raise TypeError(f"metadata must hold only JSON values (dicts with str keys, lists, str, numbers, "
                        f"bool, None): {exc}") from None
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise ValueError(f"metadata takes {len(text.encode())} bytes as JSON (at most {MAX_METADATA_BYTES})")
    return json.loads(text)


def _serialise(obj, metadata=None) -> tuple[str, dict]:
    """The manifest text and the arrays, all validated; nothing is written."""
    _check_declared(obj, type(obj).__name__)
    enc = _Encoder()
    try:
        manifest = {"format": FORMAT, "version": VERSION, "spec": to_spec(obj, full=True), "kind": _kind_of(obj),
                    "tree": enc.tree(_collect(obj), type(obj).__name__)}
        if metadata is not None:
            manifest["metadata"] = _metadata(metadata)
        text = json.dumps(manifest, allow_nan=True)
    except RecursionError as exc:
        raise ValueError(f"cannot save {type(obj).__name__}: its state is nested too deeply "
                         "(or refers to itself)") from exc
    depth = _depth(manifest)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"cannot save {type(obj).__name__}: its state is nested {depth} levels deep in the "
                         f"file (load accepts at most {MAX_JSON_DEPTH})")
    return text, enc.arrays


def _temp_file(directory: str, base: str):
    for _ in range(100):
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(8)}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a unique temporary file in {directory}")


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # file systems that cannot sync a directory
        pass
    finally:
        os.close(fd)


def save(obj, path, metadata=None) -> str:
    """Save a component (spec and learned state) to one ``.npz`` file, atomically.

    Everything is serialised and checked first; the file is then written to a
    temporary file in the same directory, fsynced and renamed over ``path``. If
    anything fails, an existing file at ``path`` is left untouched and the temporary
    file is removed. Concurrent saves to one path leave one complete file (the last
    one renamed). A symlink at ``path`` is replaced by the new file: the file the
    link pointed to is not modified.

    Parameters
    ----------
    obj : component
        Any registered component: layer, network, optimizer, estimator, agent.
    path : str or os.PathLike
        Written exactly as given (no suffix is added).
    metadata : dict, optional
        JSON values (at most ``MAX_METADATA_BYTES`` as text) stored beside the spec, for
        example ``mlcore fit``'s resolved config; read back by :func:`read_metadata`,
        ignored by :func:`load`.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    TypeError, ValueError
        A state value cannot be saved (an object, an object array, an int beyond 4096
        bits, state nested too deeply); nothing is written.
    OSError
        Writing failed (disk full, file size limit, permissions); the previous file is intact.
    """
    text, arrays = _serialise(obj, metadata)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = _temp_file(directory, os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                for key, arr in ((_MANIFEST, np.array(text)), *arrays.items()):
                    with zf.open(key + ".npy", "w", force_zip64=True) as member:
                        npformat.write_array(member, np.asanyarray(arr), allow_pickle=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)
    return path


def load(path):
    """Load a component written by :func:`save`.

    The file is read with fixed bounds (see the module docstring); the spec is parsed
    by the safe spec parser and built through the registry; arrays are read without
    pickle. Nothing in the file is executed, and only declared state is restored.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    FileFormatError
        The file is not an mlcore save file, or it is truncated, damaged or tampered
        with (the message names what is wrong).
    UnknownComponentError
        The saved component's plugin is not installed.
    """
    from ._build import build

    manifest, arrays = read_archive(path)
    if manifest.get("version") != VERSION:
        raise FileFormatError(f"{path} has format version {manifest.get('version')!r}; this mlcore reads {VERSION}")
    if not isinstance(manifest.get("spec"), str):
        raise FileFormatError(f"{path} has no spec")
    kind = manifest.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise FileFormatError(f"{path} has an invalid kind {kind!r}")
    try:
        obj = build(manifest["spec"], kind=kind)
        _apply(obj, Decoder(arrays, _apply, _decode_generator).tree(manifest.get("tree")))
    except UnknownComponentError:
        raise
    except FileFormatError as exc:
        if os.fspath(path) in str(exc):
            raise
        raise FileFormatError(f"{path}: {exc}") from exc
    except MlcoreError as exc:  # SpecSyntaxError, ComponentArgumentError, ... from a tampered spec
        raise FileFormatError(f"{path}: invalid saved spec or state: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # a component rejecting tampered state in its own set_state
        raise FileFormatError(f"{path}: restoring the saved state failed: {type(exc).__name__}: {exc}") from exc
    return obj


def read_metadata(path) -> dict:
    """The ``metadata`` dict stored by :func:`save` (``{}`` when none), read with load's bounds.

    Raises
    ------
    FileNotFoundError, FileFormatError
        As :func:`load`, and when the stored metadata is not a dict.
    """
    manifest, _ = read_archive(path)
    meta = manifest.get("metadata", {})
    if not isinstance(meta, dict):
        raise FileFormatError(f"{path}: the metadata is a {type(meta).__name__}, not a dict")
    return meta
