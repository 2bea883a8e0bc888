"""Registration hooks of mlcore-rl: imports nothing heavy.

A top-level module rather than ``mlcore_rl.plugin``: importing the package ``mlcore_rl``
registers its environments with Gymnasium, which would put Gymnasium's import (about 50 ms)
into every ``import mlcore`` that loads the plugins.
"""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("agent", "cross_entropy", "mlcore_rl.cross_entropy:CrossEntropyAgent")
    registry.add("agent", "monte_carlo", "mlcore_rl.monte_carlo:MonteCarloAgent")
    registry.add("agent", "temporal_difference", "mlcore_rl.td:TemporalDifferenceAgent")
    registry.add("agent", "dyna", "mlcore_rl.dyna:DynaAgent")
    registry.add("env", "chain", "mlcore_rl.envs:ChainEnv")
    registry.add("env", "grid_world", "mlcore_rl.envs:GridWorldEnv")
    registry.add("env", "k_armed", "mlcore_rl.envs:KArmedEnv")


@hookimpl
def mlcore_demos():
    return [("Q-learning and Dyna-Q on a grid world", "mlcore_rl._demo:run")]
