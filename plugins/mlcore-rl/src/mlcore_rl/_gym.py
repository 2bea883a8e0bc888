"""What the environments share with Gymnasium: the base class and the registration of their ids.

Every environment of this plugin is a ``gymnasium.Env`` and an mlcore component at once:
it is built from a spec (``mlcore.build("grid_world", kind="env")``) or by
``gymnasium.make("mlcore/GridWorld-v0")``. Registration with Gymnasium uses
``"module:Class"`` strings, so importing the plugin imports none of the environments.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Env
from mlcore.validation import check_scalar

__all__ = ["GymEnv", "GYM_IDS", "register_envs"]

# Gymnasium id -> (entry point, max_episode_steps). A time limit where an episode can run forever.
GYM_IDS = {
    "mlcore/Chain-v0": ("mlcore_rl.envs:ChainEnv", 500),
    "mlcore/GridWorld-v0": ("mlcore_rl.envs:GridWorldEnv", 1000),
    "mlcore/KArmed-v0": ("mlcore_rl.envs:KArmedEnv", None),  # ends after episode_length pulls
}


def register_envs() -> None:
    """Register every id of :data:`GYM_IDS` with Gymnasium (once; later calls do nothing)."""
    from gymnasium.envs.registration import register, registry

    for env_id, (entry_point, max_steps) in GYM_IDS.items():
        if env_id not in registry:
            register(id=env_id, entry_point=entry_point, max_episode_steps=max_steps)


# mlcore-bandits/_gym.py has the same base: the two families are independent distributions
# (neither depends on the other) and the core stays free of Gymnasium, so each keeps its own.
class GymEnv(Env, gym.Env):
    """Base of the environments: a ``gymnasium.Env`` that is also an mlcore ``env`` component.

    Randomness: ``reset(seed=...)`` seeds ``self.np_random`` (Gymnasium's convention). The
    first reset without a seed uses a seed derived from the constructor's ``random_state``
    (None: fresh entropy), so an environment built from a spec with a ``random_state`` is
    reproducible. Saving the environment saves ``np_random`` and the episode's position, so a
    loaded environment continues exactly.

    Subclasses set ``gym_id`` and call :meth:`_init_base` from their constructor.
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

    # ``spec`` describes how to rebuild this environment with Gymnasium (``env.spec.make()``);
    # ``gymnasium.make`` replaces it with the registered one.
    @property
    def spec(self):
        spec = self.__dict__.get("_gym_spec")
        if spec is None and self.gym_id is not None:
            from gymnasium.envs.registration import EnvSpec

            kwargs = {k: v for k, v in self.get_params(deep=False).items() if k != "render_mode"}
            entry_point, max_steps = self._registered()
            spec = EnvSpec(id=self.gym_id, entry_point=entry_point, max_episode_steps=max_steps, kwargs=kwargs)
        return spec

    @spec.setter
    def spec(self, value):
        self.__dict__["_gym_spec"] = value

    def _registered(self):
        return GYM_IDS[self.gym_id]

    def render(self):
        """A text picture of the current state (``render_mode="ansi"``); None otherwise."""
        if self.render_mode != "ansi":
            return None
        return self._ansi()
