"""mlcore plugin hooks of the ngram family (registration only, nothing heavy imported)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "mle_ngram", "mlcore_ngram.mle:MLENGram")
    registry.add("estimator", "additive_ngram", "mlcore_ngram.additive:AdditiveNGram")
    registry.add("estimator", "good_turing_ngram", "mlcore_ngram.good_turing:GoodTuringNGram")


@hookimpl
def mlcore_demos():
    return [("word n-gram language models (MLE, Lidstone, simple Good-Turing)", "mlcore_ngram._demo:run")]
