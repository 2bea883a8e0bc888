"""mlcore plugin hooks of the hmm family (registration only, nothing heavy imported)."""

from mlcore import hookimpl


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "multinomial_hmm", "mlcore_hmm.hmm:MultinomialHMM",
                 aliases=("categorical_hmm",))


@hookimpl
def mlcore_demos():
    return [("discrete HMM: Baum-Welch, Viterbi, posteriors", "mlcore_hmm._demo:run")]
