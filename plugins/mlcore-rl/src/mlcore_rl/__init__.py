"""mlcore-rl: tabular and tile-coded reinforcement-learning agents on the Gymnasium API.

Agents are built from specs (``mlcore.build("temporal_difference(lr=0.5)")``) and work with
any environment that follows the Gymnasium API, Gymnasium's own included (an optional
dependency). Public classes and functions load on first access.
"""

_EXPORTS = {
    "CrossEntropyAgent": "cross_entropy", "MonteCarloAgent": "monte_carlo",
    "TemporalDifferenceAgent": "td", "DynaAgent": "dyna",
    "ChainEnv": "envs", "GridWorldEnv": "envs", "KArmedEnv": "envs",
    "Discrete": "spaces", "Box": "spaces", "TupleSpace": "spaces",
    "TileCoder": "tiles", "Trainer": "trainer", "train": "trainer", "evaluate": "trainer", "plot_returns": "trainer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
