"""mlcore plugin hooks of the hmm family (registration only, nothing heavy imported)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "multinomial_hmm", "mlcore_hmm.hmm:MultinomialHMM",
                 aliases=("categorical_hmm",))


@hookimpl
def mlcore_demos():
    return [("discrete HMM: Baum-Welch, Viterbi, posteriors", "mlcore_hmm._demo:run")]
