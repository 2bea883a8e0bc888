"""Progress bars for long loops: shown when asked, or when attached to a terminal.

tqdm is optional and imported only when a bar is shown. Logs and CI (no terminal) get
no bar unless ``progress=True`` is passed; ``progress=True`` without tqdm installed is
an error that says how to install it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["progress_iter", "progress_bar"]


def _tqdm(progress: bool | None) -> Any:
    """tqdm's class if a bar should be shown, else None."""
    if progress is None:
        progress = sys.stderr.isatty()
        explicit = False
    else:
        explicit = bool(progress)
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if explicit:
            raise ImportError("progress=True needs tqdm: pip install tqdm (or pip install 'mlcore-core[progress]')") from None
        return None
    return tqdm


def progress_iter(iterable: Iterable[T], progress: bool | None = None, desc: str | None = None,
                  total: int | None = None) -> Iterable[T]:
    """Wrap ``iterable`` in a tqdm bar if ``progress`` is True, or None and stderr is a terminal.

    Example
    -------
    >>> list(progress_iter(range(3), progress=False))
    [0, 1, 2]
    """
    tqdm = _tqdm(progress)
    return iterable if tqdm is None else tqdm(iterable, desc=desc, total=total, leave=False)


def progress_bar(progress: bool | None = None, total: int | None = None, desc: str | None = None,
                 unit: str = "it") -> Any:
    """A tqdm bar to ``update(n)`` and ``close()`` by hand, or None when no bar is wanted."""
    tqdm = _tqdm(progress)
    return None if tqdm is None else tqdm(total=total, desc=desc, unit=unit)
