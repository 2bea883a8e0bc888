"""mlcore-utils: kernels, distance metrics and data structures shared by mlcore families.

Public names are imported lazily, so ``import mlcore_utils`` costs nothing:

* kernels (kind ``kernel``): :class:`Linear`, :class:`Polynomial`, :class:`RBF`
* metrics (kind ``metric``): :class:`Euclidean`, :class:`Manhattan`, :class:`Chebyshev`,
  :class:`Minkowski`, :class:`Hamming`
* data structures: :class:`PriorityQueue`, :class:`BallTree`, :class:`DiscreteSampler`,
  :func:`knn_brute`
* graphs: :class:`Edge`, :class:`DiGraph`, :class:`UndirectedGraph`,
  :func:`random_unweighted_graph`, :func:`random_dag`
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "Linear": "kernels", "Polynomial": "kernels", "RBF": "kernels", "KernelBase": "kernels",
    "Metric": "metrics", "Euclidean": "metrics", "Manhattan": "metrics", "Chebyshev": "metrics",
    "Minkowski": "metrics", "Hamming": "metrics", "get_metric": "metrics",
    "PriorityQueue": "priority_queue", "PQItem": "priority_queue",
    "BallTree": "ball_tree", "knn_brute": "neighbors",
    "DiscreteSampler": "sampler",
    "Edge": "graphs", "Graph": "graphs", "DiGraph": "graphs", "UndirectedGraph": "graphs",
    "random_unweighted_graph": "graphs", "random_dag": "graphs",
}

__all__ = list(_LAZY)


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
