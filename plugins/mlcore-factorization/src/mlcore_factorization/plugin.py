"""mlcore plugin hooks of the factorization family (registration only)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "als", "mlcore_factorization.als:ALS")
    registry.add("estimator", "nmf", "mlcore_factorization.nmf:NMF")


@hookimpl
def mlcore_demos():
    return [("ALS and fast-HALS NMF on a low-rank matrix", "mlcore_factorization._demo:run")]
