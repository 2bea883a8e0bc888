"""mlcore registration hooks for the trees family (imports nothing heavy)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("estimator", "decision_tree", "mlcore_trees.tree:DecisionTree")
    registry.add("estimator", "random_forest", "mlcore_trees.forest:RandomForest")
    registry.add("estimator", "gbdt", "mlcore_trees.gbdt:GBDT")


@hookimpl
def mlcore_demos():
    return [("trees: CART, random forest and gradient boosting", "mlcore_trees._demo:run")]
