"""Progress bars for long loops: shown when asked, or when attached to a terminal.

tqdm is optional and imported only when a bar is shown; logs and CI (no terminal) get
no bar unless ``progress=True`` is passed explicitly.
"""

from __future__ import annotations

import sys

__all__ = ["progress_iter"]


def progress_iter(iterable, progress=None, desc: str | None = None, total: int | None = None):
    """Wrap ``iterable`` in a tqdm bar if ``progress`` is True, or None and stderr is a terminal.

    Returns ``iterable`` unchanged when no bar is wanted or tqdm is not installed.

    Example
    -------
    >>> list(progress_iter(range(3), progress=False))
    [0, 1, 2]
    """
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, total=total, leave=False)
