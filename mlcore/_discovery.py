"""Finding plugin entry points, with an on-disk cache that is a speed-up, never a source of truth.

Scanning the installed distributions with :mod:`importlib.metadata` costs about 25 ms
(mostly importing it) and grows with the environment. The result is cached in one small
plain-text file per environment (``$XDG_CACHE_HOME/mlcore/entry-points-<key>.txt``;
plain text, so reading it needs no json import), and a cached result is used only when
every check below passes; on any doubt mlcore scans again:

* ``sys.path`` is unchanged, and so are the ``.dist-info``/``.egg-info`` names in each
  of its directories (compared only when a directory's modification time changed);
* every distribution's metadata folder, and its ``entry_points.txt``, have the size and
  modification time recorded at the scan (``os.stat``; a scan that ran between a
  ``.dist-info`` folder and its ``entry_points.txt`` appearing heals on the next run);
* each cached entry point is re-read from its distribution's own ``entry_points.txt``
  and the distribution's name and version from its own ``METADATA``, and must agree.

So no edit of the cache file can make mlcore import a module that no installed entry
point names: the cache only saves importing :mod:`importlib.metadata` and reading
the metadata of distributions that have no mlcore plugin. (What the cache can still do,
if edited with every size and mtime kept, is leave out a distribution's entry points:
hide an installed plugin, never add or change one. Closing that would mean reading every
distribution's ``entry_points.txt`` at each start, which is most of a scan.) The cache directory is created
``0700``; a cache file or directory not owned by the current user, or writable by group
or others, or a symlink, is ignored; files are written to a fresh temporary name
(``O_EXCL | O_NOFOLLOW``) and moved into place with :func:`os.replace`. A relative
``XDG_CACHE_HOME`` is ignored (as the XDG specification says). At most
``_MAX_FILES`` cache files are kept; older ones are removed. Set ``MLCORE_NO_CACHE=1``
to always scan; ``mlcore plugins`` and ``mlcore doctor`` always scan.
"""

from __future__ import annotations

import os
import stat
import sys
import time
import zlib

from .hookspecs import ENTRY_POINT_GROUP

__all__ = ["find_entry_points", "EntryPointInfo"]

GROUP = ENTRY_POINT_GROUP
_CACHE_VERSION = 2
_HEADER = f"mlcore entry points v{_CACHE_VERSION}"
_MAX_FILES = 8  # cache files kept (one per environment that used mlcore recently)
_MAX_BYTES = 1 << 20  # a larger cache file is not read
_RACY_NS = 2_000_000_000  # metadata changed this recently may still be changing: do not cache it


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


# ----------------------------------------------------------------------------- reading metadata

def _mtime(path: str) -> int:
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return -1


def _ep_key(meta_dir: str) -> tuple[int, int, int]:
    """``(folder mtime, entry_points.txt size, entry_points.txt mtime)``; -1 for what is missing."""
    try:
        st = os.stat(meta_dir + os.sep + "entry_points.txt")
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size = mtime = -1
    return _mtime(meta_dir), size, mtime


def _read_small(path: str, limit: int = 1 << 16) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return None


def _parse_group(text: str) -> list[tuple[str, str]]:
    """``(name, value)`` of the ``[mlcore.plugins]`` section of an ``entry_points.txt``, in order.

    Reads the file as :mod:`importlib.metadata` does (stripped lines, ``#``/``;`` comments,
    ``[section]`` headers, ``name = value``).
    """
    out, section = [], None
    for line in text.splitlines():
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1].strip()
        elif section == GROUP:
            name, _, value = s.partition("=")
            out.append((name.strip(), value.strip()))
    return out


def _name_version(meta_dir: str) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from a distribution's own METADATA (or PKG-INFO) header."""
    for limit in (4096, 1 << 16):  # the header comes first; the long description may be long
        text = None
        for fname in ("METADATA", "PKG-INFO"):
            text = _read_small(meta_dir + os.sep + fname, limit)
            if text is not None:
                break
        if text is None and os.path.isfile(meta_dir):  # an .egg-info file is PKG-INFO itself
            text = _read_small(meta_dir, limit)
        found: dict[str, str] = {}
        header, blank, _ = (text or "").partition("\n\n")
        for line in header.splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() in ("name", "version"):
                found.setdefault(key.strip().lower(), value.strip())
        if len(found) == 2 or blank or text is None or len(text) < limit:
            break
    return found.get("name"), found.get("version")


# ----------------------------------------------------------------------------- scanning

def _scan_full():
    """Scan with importlib.metadata: ``(entry points, metadata folders or None if uncacheable)``.

    Entry points come in ``sys.path`` order of their distributions (the first distribution
    of a name shadows later ones, as in :func:`importlib.metadata.entry_points`), sorted
    stably by name, so that among equal names the one found first comes first.
    """
    from importlib.metadata import distributions

    found, folders, seen, cacheable = [], [], set(), True
    for dist in distributions():
        path = getattr(dist, "_path", None)
        meta_dir = str(path) if path is not None and os.path.exists(str(path)) else None
        if meta_dir is None:
            cacheable = False  # a zip or custom finder: nothing to stat, so nothing to cache
        else:
            folders.append(meta_dir)
        key = getattr(dist, "_normalized_name", None) or _normalize(dist.metadata["Name"] or "")
        if key in seen:
            continue
        seen.add(key)
        eps = [ep for ep in dist.entry_points if ep.group == GROUP]
        if eps:  # METADATA is parsed only for distributions with mlcore plugins
            name, version = dist.metadata["Name"], dist.version
            found += [(EntryPointInfo(ep.name, ep.value, name, version), meta_dir) for ep in eps]
    found.sort(key=lambda f: f[0].name)
    return found, (folders if cacheable else None)


def _normalize(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "_", name).lower()


def _scan() -> list[EntryPointInfo]:
    return [ep for ep, _ in _scan_full()[0]]


# ----------------------------------------------------------------------------- the cache file

def _cache_dir() -> str | None:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: the XDG default
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):
            return None
    return os.path.join(base, "mlcore")


def _cache_path() -> str | None:
    d = _cache_dir()
    if d is None:
        return None
    key = zlib.crc32(f"{sys.executable}\0{sys.prefix}\0{sys.version}".encode())
    return os.path.join(d, f"entry-points-{key:08x}.txt")


def _trusted(st) -> bool:
    """Owned by the current user and not writable by group or others."""
    uid = os.geteuid() if hasattr(os, "geteuid") else st.st_uid  # no owners to compare on Windows
    return st.st_uid == uid and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_dir(path: str) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _trusted(st)


def _listing(entry: str) -> str:
    """The distribution metadata names in a ``sys.path`` entry, sorted, ``/``-joined."""
    try:
        names = os.listdir(entry or ".")
    except OSError:
        return "-"
    return "/".join(sorted(n for n in names if n.lower().endswith((".dist-info", ".egg-info"))))


def _fingerprint(racy_after: int | None = None) -> list[str]:
    """One ``P  entry  mtime  listing`` line per ``sys.path`` entry.

    The mtime is only a fast path: when it differs, the entry's listing of metadata
    folders is compared instead (so files changing in the current directory do not void
    the cache). An mtime at or after ``racy_after`` is written as -2, which always
    compares the listing (a folder added in the same clock tick would not change it).
    """
    lines = []
    for entry in sys.path:
        mtime = _mtime(entry)
        if racy_after is not None and mtime >= racy_after:
            mtime = -2
        lines.append(f"P\t{entry}\t{mtime}\t{_listing(entry)}")
    return lines


def _same_paths(lines: list[str]) -> bool:
    """Whether cached ``P`` lines describe today's ``sys.path`` (see :func:`_fingerprint`)."""
    if len(lines) != len(sys.path):
        return False
    for line, entry in zip(lines, sys.path):
        fields = line.split("\t")
        if len(fields) != 4 or fields[0] != "P" or fields[1] != entry:
            return False
        if fields[2] != str(_mtime(entry)) or fields[2] == "-2":
            if fields[3] != _listing(entry):
                return False
    return True


def _read(path: str):
    """The entry points of a cache file that passes every check, else None."""
    if not _trusted_dir(os.path.dirname(path)):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _trusted(st) or st.st_size > _MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            text = fh.read(_MAX_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        os.close(fd)
    lines = text.split("\n")
    if not lines or lines[0] != _HEADER or lines[-1] != "":
        return None
    lines = lines[1:-1]
    n = len(sys.path)
    if not _same_paths(lines[:n]):
        return None
    folders, found = set(), []
    for line in lines[n:]:
        fields = line.split("\t")
        if fields[0] == "D" and len(fields) == 5:
            if "\t".join(map(str, _ep_key(fields[1]))) != "\t".join(fields[2:]):
                return None  # a distribution changed since the scan
            folders.add(fields[1])
        elif fields[0] == "E" and len(fields) == 6:
            found.append(fields[1:])
        else:
            return None
    return _verified(found, folders)


def _verified(rows, folders) -> list[EntryPointInfo] | None:
    """Check cached entry points against each distribution's own files; None on any mismatch."""
    by_dir: dict[str, list] = {}
    for row in rows:
        by_dir.setdefault(row[0], []).append(row)
    entries = set(sys.path)
    for meta_dir, group in by_dir.items():
        if meta_dir not in folders or os.path.dirname(meta_dir) not in entries:
            return None  # not a stat-checked distribution folder of a sys.path entry
        text = _read_small(meta_dir + os.sep + "entry_points.txt")
        if text is None or sorted(_parse_group(text)) != sorted((r[1], r[2]) for r in group):
            return None
        name_version = tuple(v or "" for v in _name_version(meta_dir))
        if any((r[3], r[4]) != name_version for r in group):
            return None
    out = [EntryPointInfo(r[1], r[2], r[3] or None, r[4] or None) for r in rows]
    return out if [e.name for e in out] == sorted(e.name for e in out) else None


def _write(path: str, found, folders, fingerprint: list[str], started_ns: int) -> None:
    """Write the cache atomically, unless a distribution folder may still be changing."""
    d = os.path.dirname(path)
    lines = [_HEADER, *fingerprint]
    keys: list[int] = []
    for meta_dir in folders:
        key = _ep_key(meta_dir)
        keys += key
        lines.append("\t".join(["D", meta_dir, *map(str, key)]))
    for ep, meta_dir in found:
        lines.append("\t".join(["E", meta_dir, ep.name, ep.value, ep.distribution or "", ep.version or ""]))
    text = "\n".join(lines) + "\n"
    if any(c in f for ep, meta_dir in found for f in (*ep, meta_dir) if f for c in "\t\n") \
            or any("\t" in e or "\n" in e for e in sys.path):
        return  # unusual characters: do not cache rather than risk misreading
    if max(keys, default=-1) >= started_ns - _RACY_NS:
        return  # metadata changed around the scan: it may be half-written (an install in progress)
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
    except OSError:
        return
    if not _trusted_dir(d):
        return
    try:
        if stat.S_IMODE(os.lstat(d).st_mode) != 0o700:  # made by an older mlcore with the umask's mode
            os.chmod(d, 0o700)
    except OSError:
        return
    tmp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:  # a read-only or foreign cache directory only costs the scan next time
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return
    _clean(d, keep=path)


def _clean(d: str, keep: str) -> None:
    """Remove stale temporary files and all but the ``_MAX_FILES`` newest cache files."""
    try:
        names = os.listdir(d)
    except OSError:
        return
    now = time.time()
    caches = []
    for n in names:
        p = os.path.join(d, n)
        if not n.startswith("entry-points-") or p == keep:
            continue
        try:
            st = os.lstat(p)
        except OSError:
            continue
        if n.endswith(".tmp"):
            if now - st.st_mtime > 3600:
                _unlink(p)
        elif n.endswith(".txt"):
            caches.append((st.st_mtime, p))
    caches.sort(reverse=True)
    for _, p in caches[_MAX_FILES - 1:]:
        _unlink(p)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def find_entry_points(use_cache: bool = True) -> list[EntryPointInfo]:
    """Every entry point of the ``mlcore.plugins`` group, sorted by name.

    Among equal names, the distribution found first on ``sys.path`` comes first.
    """
    use_cache = use_cache and not os.environ.get("MLCORE_NO_CACHE")
    path = _cache_path()
    if use_cache and path is not None:
        cached = _read(path)
        if cached is not None:
            return cached
    started = time.time_ns()
    fingerprint = _fingerprint(racy_after=started - _RACY_NS) if path is not None else None
    found, folders = _scan_full()  # after the fingerprint: what appears meanwhile voids the cache
    if path is not None and folders is not None and fingerprint is not None:
        _write(path, found, folders, fingerprint, started)
    return [ep for ep, _ in found]
