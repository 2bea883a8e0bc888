"""mlcore plugin hooks of the lda family (registration only)."""

from mlcore import hookimpl


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "lda", "mlcore_lda.lda:LDA")
    registry.add("estimator", "smoothed_lda", "mlcore_lda.smoothed_lda:SmoothedLDA")


@hookimpl
def mlcore_demos():
    return [("topic models on a synthetic corpus", "mlcore_lda._demo:run")]
