"""The recorder behind the hook: an in-memory list and an optional JSON-lines file."""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

_lock = threading.Lock()
_records: list[dict] = []
_switch: dict[str, Any] = {"on": None, "path": None}


def _from_environment():
    value = os.environ.get("MLCORE_TRACE", "")
    if value and value.lower() not in ("0", "false", "no", "off"):
        return True, (None if value.lower() in ("1", "true", "yes", "on") else value)
    return False, None


def enable(path=None) -> None:
    """Start recording; with ``path``, also append one JSON line per component to that file
    (its directory is created if missing)."""
    if path is not None:
        path = os.fspath(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    _switch["on"], _switch["path"] = True, path


def disable() -> None:
    """Stop recording (the environment variable no longer applies either)."""
    _switch["on"], _switch["path"] = False, None


def enabled() -> bool:
    """Whether components are being recorded."""
    if _switch["on"] is None:
        _switch["on"], _switch["path"] = _from_environment()
    return bool(_switch["on"])


def records() -> list[dict]:
    """A copy of the records made so far in this process."""
    with _lock:
        return list(_records)


def clear() -> None:
    """Forget the in-memory records."""
    with _lock:
        _records.clear()


def record(component, spec, kind, name) -> None:
    if not enabled():
        return
    import mlcore

    try:
        full = mlcore.to_spec(component, full=True)
    except Exception as exc:  # a component that cannot print its spec is still recorded
        full = f"<unprintable: {type(exc).__name__}>"
    entry = {"time": time.time(), "kind": kind, "name": name, "spec": str(spec), "full_spec": full}
    with _lock:
        _records.append(entry)
        if _switch["path"]:
            with open(_switch["path"], "a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry) + "\n")
