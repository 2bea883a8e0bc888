"""Registration hooks of mlcore-linear (imports nothing but ``mlcore.hookimpl``)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "linear_regression", "mlcore_linear.linear_regression:LinearRegression")
    registry.add("estimator", "ridge", "mlcore_linear.ridge:Ridge")
    registry.add("estimator", "logistic_regression", "mlcore_linear.logistic:LogisticRegression")
    registry.add("estimator", "bayesian_linear_regression",
                 "mlcore_linear.bayesian:BayesianLinearRegression")
    registry.add("estimator", "glm", "mlcore_linear.glm:GLM")
    registry.add("estimator", "gaussian_nb", "mlcore_linear.naive_bayes:GaussianNB")


@hookimpl
def mlcore_demos():
    return [("linear models on synthetic data", "mlcore_linear._demo:run")]
