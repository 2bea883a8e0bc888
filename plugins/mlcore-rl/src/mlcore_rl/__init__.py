"""mlcore-rl: tabular and tile-coded reinforcement-learning agents for Gymnasium environments.

Agents are built from specs (``mlcore.build("temporal_difference(lr=0.5)")``) and learn on any
``gymnasium.Env``, wrapped or not. The plugin's own environments are Gymnasium environments
too; importing this package registers them with Gymnasium (``gymnasium.make("mlcore/GridWorld-v0")``,
or ``gymnasium.make("mlcore_rl:mlcore/GridWorld-v0")`` without importing it first) through
``"module:Class"`` strings, so no environment module is imported until one is made.
Public classes and functions load on first access.
"""

from ._gym import register_envs as _register_envs

_EXPORTS = {
    "CrossEntropyAgent": "cross_entropy", "MonteCarloAgent": "monte_carlo",
    "TemporalDifferenceAgent": "td", "DynaAgent": "dyna",
    "ChainEnv": "envs", "GridWorldEnv": "envs", "KArmedEnv": "envs", "GYM_IDS": "_gym",
    "TileCoder": "tiles", "Trainer": "trainer", "train": "trainer", "evaluate": "trainer", "plot_returns": "trainer",
}

__all__ = sorted(_EXPORTS)

_register_envs()


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
