"""mlcore plugin hooks of the gmm family (registration only, nothing heavy imported)."""

from mlcore import hookimpl


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "gmm", "mlcore_gmm.gmm:GaussianMixture")


@hookimpl
def mlcore_demos():
    return [("Gaussian mixture EM on three blobs", "mlcore_gmm._demo:run")]
