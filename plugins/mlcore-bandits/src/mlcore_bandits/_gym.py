"""What the bandit environments share with Gymnasium: the base class and the registration of their ids.

Each bandit is a ``gymnasium.Env`` and an mlcore ``env`` component at once: built from a
spec (``mlcore.build("bernoulli")``) or by ``gymnasium.make("mlcore/BernoulliBandit-v0")``.
Registration uses ``"module:Class"`` strings, so importing the plugin imports no environment.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Env
from mlcore.validation import check_scalar

__all__ = ["GymEnv", "GYM_IDS", "register_envs"]

# Every pull is a one-step episode, so no id needs a time limit.
GYM_IDS = {
    "mlcore/BernoulliBandit-v0": "mlcore_bandits.envs:BernoulliBandit",
    "mlcore/GaussianBandit-v0": "mlcore_bandits.envs:GaussianBandit",
    "mlcore/MultinomialBandit-v0": "mlcore_bandits.envs:MultinomialBandit",
    "mlcore/ShortestPathBandit-v0": "mlcore_bandits.envs:ShortestPathBandit",
    "mlcore/ContextualBernoulliBandit-v0": "mlcore_bandits.envs:ContextualBernoulliBandit",
    "mlcore/ContextualLinearBandit-v0": "mlcore_bandits.envs:ContextualLinearBandit",
}


def register_envs() -> None:
    """Register every id of :data:`GYM_IDS` with Gymnasium (once; later calls do nothing)."""
    from gymnasium.envs.registration import register, registry

    for env_id, entry_point in GYM_IDS.items():
        if env_id not in registry:
            register(id=env_id, entry_point=entry_point)


# mlcore-rl/_gym.py has the same base: the two families are independent distributions
# (neither depends on the other) and the core stays free of Gymnasium, so each keeps its own.
class GymEnv(Env, gym.Env):
    """Base of the environments: a ``gymnasium.Env`` that is also an mlcore ``env`` component.

    ``reset(seed=...)`` seeds ``self.np_random``; the first reset without a seed uses a seed
    derived from the constructor's ``random_state`` (None: fresh entropy). The spaces are
    made on first access by ``_make_spaces()`` (building a spec allocates nothing large), and
    ``spec`` tells Gymnasium how to rebuild the environment (``env.spec.make()``).
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}
    gym_id: str | None = None
    _state_attrs: tuple[str, ...] = ("_np_random",)

    def _init_base(self, render_mode, random_state):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ComponentArgumentError(f"render_mode must be None or one of {self.metadata['render_modes']}, "
                                         f"got {render_mode!r}")
        self.render_mode = render_mode
        self.random_state = check_scalar(random_state, "random_state", int, low=0, allow_none=True)

    def _seed(self, seed):
        """Seed ``np_random`` as ``gymnasium.Env.reset`` does (the constructor's seed on the first reset)."""
        if seed is None and self._np_random is None and self.random_state is not None:
            seed = int(np.random.SeedSequence([self.random_state, 1]).generate_state(1)[0])
        gym.Env.reset(self, seed=seed)

    def _spaces(self):
        found = self.__dict__.get("_space_pair")
        if found is None:
            found = self.__dict__["_space_pair"] = self._make_spaces()
        return found

    @property
    def action_space(self):
        space = self.__dict__.get("_action_space")
        return self._spaces()[0] if space is None else space

    @action_space.setter
    def action_space(self, value):
        self.__dict__["_action_space"] = value

    @property
    def observation_space(self):
        space = self.__dict__.get("_observation_space")
        return self._spaces()[1] if space is None else space

    @observation_space.setter
    def observation_space(self, value):
        self.__dict__["_observation_space"] = value

    @property
    def spec(self):
        spec = self.__dict__.get("_gym_spec")
        if spec is None and self.gym_id is not None:
            from gymnasium.envs.registration import EnvSpec

            kwargs = {k: v for k, v in self.get_params(deep=False).items() if k != "render_mode"}
            spec = EnvSpec(id=self.gym_id, entry_point=GYM_IDS[self.gym_id], kwargs=kwargs)
        return spec

    @spec.setter
    def spec(self, value):
        self.__dict__["_gym_spec"] = value

    def render(self):
        """A text line about the last pull (``render_mode="ansi"``); None otherwise."""
        if self.render_mode != "ansi":
            return None
        return self._ansi()
