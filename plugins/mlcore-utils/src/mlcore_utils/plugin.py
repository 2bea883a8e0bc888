"""Registration of mlcore-utils: kernels and the ``metric`` kind (lazy targets only)."""

from mlcore import hookimpl

_KERNELS = {"linear": "Linear", "polynomial": "Polynomial", "rbf": "RBF"}
_METRICS = {"euclidean": "Euclidean", "manhattan": "Manhattan", "chebyshev": "Chebyshev",
            "minkowski": "Minkowski", "hamming": "Hamming"}

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add_kind("metric", "mlcore_utils.metrics:Metric",
                      doc="A distance between vectors: metric(x, y) -> float, metric.pairwise(X, Y) -> (n, m).")
    for name, cls in _KERNELS.items():
        registry.add("kernel", name, f"mlcore_utils.kernels:{cls}")
    for name, cls in _METRICS.items():
        registry.add("metric", name, f"mlcore_utils.metrics:{cls}",
                     aliases=("cityblock",) if name == "manhattan" else ())


@hookimpl
def mlcore_demos():
    return [("utils: kernels, metrics, ball tree, alias sampler, graphs", "mlcore_utils._demo:run")]
