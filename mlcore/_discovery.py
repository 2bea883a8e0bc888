"""Finding plugin entry points, with an on-disk cache validated by ``sys.path`` fingerprints.

Scanning every installed distribution's metadata (``importlib.metadata``) costs several
milliseconds and grows with the environment. The result is cached in one small JSON file
per interpreter, and reused only while ``sys.path`` and the modification times of its
directories are unchanged (installing or removing a distribution
adds or removes a ``.dist-info`` folder there, which changes them). Set
``MLCORE_NO_CACHE=1`` to always scan; ``mlcore plugins`` and ``mlcore doctor`` always scan.
"""

from __future__ import annotations

import os
import sys
import zlib

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


def _fingerprint() -> str:
    lines = []
    for entry in sys.path:
        try:
            mtime = os.stat(entry or ".").st_mtime_ns
        except OSError:
            mtime = -1
        lines.append(f"{entry}\t{mtime}")
    return "\n".join(lines)


def _cache_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = zlib.crc32(f"{sys.executable}\0{sys.version}".encode())
    return os.path.join(base, "mlcore", f"entry-points-{key:08x}.txt")


_HEADER = f"mlcore entry points v{_CACHE_VERSION}"
_SEPARATOR = "-- entry points --"


def _read(path: str, fingerprint: str):
    """The cached entry points if the file is valid for ``fingerprint``, else None.

    Format (plain text, so reading needs no json import): a header line, the sys.path
    fingerprint (one ``path<TAB>mtime`` line per entry), a separator line, then one
    ``name<TAB>value<TAB>distribution<TAB>version`` line per entry point.
    """
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    head, sep, body = text.partition(f"\n{_SEPARATOR}\n")
    if not sep or head != f"{_HEADER}\n{fingerprint}":
        return None
    found = []
    for line in body.splitlines():
        fields = line.split("\t")
        if len(fields) != 4:
            return None
        found.append(EntryPointInfo(*(f or None for f in fields)))
    return found


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
            cached = _read(path, fingerprint)
        except (OSError, UnicodeDecodeError):
            cached = None
        if cached is not None:
            return cached
    found = _scan()
    rows = ["\t".join(f or "" for f in e) for e in found]
    if any("\n" in r or r.count("\t") != 3 for r in rows) or "\n" in _SEPARATOR.join(sys.path):
        return found  # unusual characters: do not cache rather than risk misreading
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("\n".join([_HEADER, fingerprint, _SEPARATOR, *rows]) + "\n")
        os.replace(tmp, path)
    except OSError:  # a read-only home only costs the scan next time
        pass
    return found
