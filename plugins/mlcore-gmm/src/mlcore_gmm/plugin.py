"""mlcore plugin hooks of the gmm family (registration only, nothing heavy imported)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "gmm", "mlcore_gmm.gmm:GaussianMixture")


@hookimpl
def mlcore_demos():
    return [("Gaussian mixture EM on three blobs", "mlcore_gmm._demo:run")]
