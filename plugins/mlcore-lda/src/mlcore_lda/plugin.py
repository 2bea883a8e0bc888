"""mlcore plugin hooks of the lda family (registration only)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "lda", "mlcore_lda.lda:LDA")
    registry.add("estimator", "smoothed_lda", "mlcore_lda.smoothed_lda:SmoothedLDA")


@hookimpl
def mlcore_demos():
    return [("topic models on a synthetic corpus", "mlcore_lda._demo:run")]
