"""mlcore: a small core for plugin-based machine learning.

Build any registered component from a safe spec string, save and load it, and find
what is installed. The core holds no ML algorithm: families are separately installed
plugins.

>>> import mlcore
>>> opt = mlcore.build("adam(lr=1e-3)")          # doctest: +SKIP
>>> mlcore.to_spec(opt)                            # doctest: +SKIP
'adam(lr=0.001)'
"""

from __future__ import annotations

import os
from typing import Any

from . import errors, interfaces, validation
from ._build import build, spec_of, to_spec
from ._registry import Registry, register, registry
from ._spec import Spec, parse
from ._version import PLUGIN_API, __version__
from .hookspecs import hookimpl
from .progress import progress_iter


def save(obj: Any, path: str | os.PathLike[str], metadata: dict[str, Any] | None = None) -> str:
    """Save a component (full spec and learned state, optional JSON ``metadata``) to one ``.npz``
    file; see :func:`mlcore._io.save`."""
    from ._io import save as _save

    return _save(obj, path, metadata=metadata)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON ``metadata`` a file was saved with (``{}`` if none); see :func:`mlcore._io.read_metadata`."""
    from ._io import read_metadata as _read

    return _read(path)


def load(path: str | os.PathLike[str]) -> Any:
    """Load a component written by :func:`save`, without pickle; see :func:`mlcore._io.load`."""
    from ._io import load as _load

    return _load(path)

__all__ = [
    "__version__",
    "PLUGIN_API",
    "build",
    "to_spec",
    "spec_of",
    "parse",
    "Spec",
    "registry",
    "Registry",
    "register",
    "hookimpl",
    "save",
    "load",
    "read_metadata",
    "errors",
    "interfaces",
    "validation",
    "progress_iter",
]
