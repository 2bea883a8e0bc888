"""Finding plugin entry points, with an on-disk cache validated by ``sys.path`` fingerprints.

Scanning every installed distribution's metadata (``importlib.metadata``) costs several
milliseconds and grows with the environment. The result is cached in one small JSON file
per interpreter, and reused only while ``sys.path`` and the modification times of its
directories are unchanged (installing or removing a distribution
adds or removes a ``.dist-info`` folder there, which changes them). Set
``MLCORE_NO_CACHE=1`` to always scan; ``mlcore plugins`` and ``mlcore doctor`` always scan.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

__all__ = ["find_entry_points", "EntryPointInfo"]

GROUP = "mlcore.plugins"
_CACHE_VERSION = 1


class EntryPointInfo(tuple):
    """``(name, value, distribution, version)`` of one entry point."""

    __slots__ = ()

    def __new__(cls, name, value, distribution, version):
        return super().__new__(cls, (name, value, distribution, version))

    name = property(lambda self: self[0])
    value = property(lambda self: self[1])
    distribution = property(lambda self: self[2])
    version = property(lambda self: self[3])

    def load(self):
        import importlib

        module, _, attr = self.value.partition(":")
        obj = importlib.import_module(module.strip())
        for part in attr.strip().split(".") if attr.strip() else ():
            obj = getattr(obj, part)
        return obj


def _fingerprint() -> list:
    out = []
    for entry in sys.path:
        try:
            out.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            out.append([entry, None])
    return out


def _cache_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.sha1(f"{sys.executable}\0{sys.version}".encode()).hexdigest()[:16]
    return os.path.join(base, "mlcore", f"entry-points-{key}.json")


def _scan() -> list[EntryPointInfo]:
    from importlib.metadata import entry_points

    found = []
    for ep in entry_points(group=GROUP):
        dist = getattr(ep, "dist", None)
        found.append(EntryPointInfo(ep.name, ep.value, dist.metadata["Name"] if dist is not None else None,
                                    dist.version if dist is not None else None))
    return sorted(found)


def find_entry_points(use_cache: bool = True) -> list[EntryPointInfo]:
    """Every entry point of the ``mlcore.plugins`` group, sorted by name."""
    use_cache = use_cache and not os.environ.get("MLCORE_NO_CACHE")
    path = _cache_path()
    fingerprint = _fingerprint()
    if use_cache:
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if data.get("version") == _CACHE_VERSION and data.get("fingerprint") == fingerprint:
                return [EntryPointInfo(*e) for e in data["entry_points"]]
        except (OSError, ValueError, TypeError, KeyError):
            pass
    found = _scan()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"version": _CACHE_VERSION, "fingerprint": fingerprint,
                       "entry_points": [list(e) for e in found]}, fh)
        os.replace(tmp, path)
    except OSError:  # a read-only home only costs the scan next time
        pass
    return found
