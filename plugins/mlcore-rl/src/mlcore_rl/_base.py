"""What every agent shares: sizing from the environment's spaces, observation encoding,
epsilon-greedy choice with random tie-breaking, seeded randomness, episodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mlcore.interfaces import Agent
from mlcore.validation import check_random_state

from ._spaces import check_action_space, discrete_radices, is_box

__all__ = ["RLAgent"]


class RLAgent(Agent):
    """Base of the RL agents.

    Subclasses implement ``_init_tables()`` (learned arrays, once sizes are known),
    ``action_values(state)`` and ``run_episode(env, max_steps, train, seed)``.
    Spaces are Gymnasium's: ``Discrete`` and ``Tuple``-of-``Discrete`` observations map to table
    rows by a mixed-radix code; float ``Box`` observations are handled by agents that support
    them (tile coding, linear policies); actions must be ``Discrete``. Any other space is
    refused with a TypeError naming it. Wrapped environments work the same way.
    """

    supports_box = False

    # Set by subclasses: hyperparameters, the learned table, and the hooks named above.
    random_state: Any
    epsilon: float
    Q_: np.ndarray
    _init_tables: Callable[[], None]
    action_values: Callable[[Any], np.ndarray]

    # ------------------------------------------------------------------ set-up
    def setup(self, env) -> None:
        """Size the agent for ``env``'s spaces (done once; the sizes are saved with the agent)."""
        if getattr(self, "n_actions_", None) is not None:
            return
        n_actions, action_start = check_action_space(env.action_space, type(self).__name__)
        rad = discrete_radices(env.observation_space)
        if rad is not None:
            self.obs_radices_, self.obs_starts_ = rad
            self.n_states_ = int(np.prod(self.obs_radices_))
        elif is_box(env.observation_space) and self.supports_box:
            self._setup_box(env.observation_space)
        else:
            raise TypeError(f"{type(self).__name__} cannot handle the observation space {env.observation_space!r}: "
                            "it needs Discrete or Tuple-of-Discrete observations"
                            + ("" if not self.supports_box else " or a float Box")
                            + ("" if self.supports_box else "; temporal_difference (tile coding) and cross_entropy "
                               "also take float Box observations"))
        self.n_actions_, self.action_start_ = n_actions, action_start
        self._init_tables()

    def _setup_box(self, space):
        raise TypeError(f"{type(self).__name__} does not support continuous observations")

    def _check_setup(self):
        if getattr(self, "n_actions_", None) is None:
            from mlcore.errors import NotFittedError

            raise NotFittedError(f"{type(self).__name__} has not seen an environment yet: call setup(env) or "
                                 "train it first")

    def state(self, observation) -> int:
        """Row of the value table for a discrete (or tuple-of-discrete) observation."""
        rad = self.obs_radices_
        if len(rad) == 1:
            s = int(observation) - int(self.obs_starts_[0])
        else:
            s = 0
            for o, r, st in zip(observation, rad, self.obs_starts_):  # a handful of components
                s = s * int(r) + (int(o) - int(st))
        if not 0 <= s < self.n_states_:
            raise ValueError(f"observation {observation!r} is outside the observation space")
        return s

    # ------------------------------------------------------------------ acting
    def _rng(self) -> np.random.Generator:
        rng = self.__dict__.get("_gen")
        if rng is None:
            rng = self._gen = check_random_state(self.random_state)
        return rng

    def _greedy(self, q) -> int:
        # A few actions: plain Python beats NumPy's per-call overhead here (a hot path).
        values = q.tolist()
        m = max(values)
        best = [i for i, v in enumerate(values) if v == m]
        return best[0] if len(best) == 1 else best[int(self._rng().integers(len(best)))]

    def _epsilon_greedy(self, q, epsilon) -> int:
        rng = self._rng()
        if rng.random() < epsilon:
            return int(rng.integers(len(q)))
        return self._greedy(q)

    def act(self, observation=None, greedy: bool = False):
        """An action for ``observation``: epsilon-greedy, or greedy with ``greedy=True``."""
        self._check_setup()
        q = self.action_values(observation)
        a = self._greedy(q) if greedy else self._epsilon_greedy(q, self.epsilon)
        return a + self.action_start_

    def greedy_policy(self) -> np.ndarray:
        """The greedy action of every table row (tabular agents)."""
        self._check_setup()
        return np.argmax(self.Q_, axis=1) + self.action_start_

    # ------------------------------------------------------------------ save/load
    _state_attrs = ("_gen",)  # the generator is saved, so a loaded agent continues identically

    def set_state(self, state):
        super().set_state(state)
        self._after_load()

    def _after_load(self):
        """Rebuild derived helpers (e.g. a tile coder) from the loaded arrays."""

    @classmethod
    def conformance_example(cls):
        return {"spec": cls._example_spec}
