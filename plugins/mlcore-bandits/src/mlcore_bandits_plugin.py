"""Registration hooks of mlcore-bandits: imports nothing heavy.

A top-level module rather than ``mlcore_bandits.plugin``: importing the package ``mlcore_bandits``
registers its environments with Gymnasium, which would put Gymnasium's import (about 50 ms)
into every ``import mlcore`` that loads the plugins.
"""

from mlcore import hookimpl

_ENVS = {
    "bernoulli": "BernoulliBandit",
    "gaussian": "GaussianBandit",
    "multinomial": "MultinomialBandit",
    "shortest_path": "ShortestPathBandit",
    "contextual_bernoulli": "ContextualBernoulliBandit",
    "contextual_linear": "ContextualLinearBandit",
}
_POLICIES = {
    "epsilon_greedy": "EpsilonGreedy",
    "ucb1": "UCB1",
    "thompson_sampling": "ThompsonSampling",
    "linucb": "LinUCB",
}

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    for name, cls in _ENVS.items():
        registry.add("env", name, f"mlcore_bandits.envs:{cls}")
    for name, cls in _POLICIES.items():
        registry.add("agent", name, f"mlcore_bandits.policies:{cls}")


@hookimpl
def mlcore_demos():
    return [("bandit policies on a 10-armed Bernoulli bandit", "mlcore_bandits._demo:run")]
