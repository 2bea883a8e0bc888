"""Registration of mlcore-nonparametric (lazy targets only)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "knn", "mlcore_nonparametric.knn:KNN", aliases=("knn_classifier",))
    registry.add("estimator", "knn_regressor", "mlcore_nonparametric.knn:KNNRegressor")
    registry.add("estimator", "kernel_regression", "mlcore_nonparametric.kernel_regression:KernelRegression",
                 aliases=("nadaraya_watson",))
    registry.add("estimator", "gp_regression", "mlcore_nonparametric.gp_regression:GPRegression")


@hookimpl
def mlcore_demos():
    return [("nonparametric: k-NN, kernel regression, Gaussian process", "mlcore_nonparametric._demo:run")]
