"""mlcore-bandits: bandit environments, policies and a regret trainer.

Registered components are built from specs (``mlcore.build("ucb1")``); the classes and
the trainer functions are importable from here, loaded on first access. The environments
are Gymnasium environments; importing this package registers them with Gymnasium
(``gymnasium.make("mlcore/BernoulliBandit-v0")``, or
``gymnasium.make("mlcore_bandits:mlcore/BernoulliBandit-v0")`` without importing it first)
through ``"module:Class"`` strings, so no environment module is imported until one is made.
"""

from ._gym import register_envs as _register_envs

_EXPORTS = {
    "BernoulliBandit": "envs", "GaussianBandit": "envs", "MultinomialBandit": "envs",
    "ShortestPathBandit": "envs", "ContextualBernoulliBandit": "envs", "ContextualLinearBandit": "envs",
    "EpsilonGreedy": "policies", "UCB1": "policies", "ThompsonSampling": "policies", "LinUCB": "policies",
    "GYM_IDS": "_gym", "run_bandit": "trainer", "compare": "trainer", "plot_regret": "trainer", "BanditResults": "trainer",
}

__all__ = sorted(_EXPORTS)

_register_envs()


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
