"""Temporal-difference control: expected SARSA (on-policy) and Q-learning (off-policy)."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_scalar

from ._base import RLAgent
from .tiles import TileCoder

__all__ = ["TemporalDifferenceAgent"]


class TemporalDifferenceAgent(RLAgent):
    """One-step TD control with an epsilon-greedy behaviour policy.

    Parameters
    ----------
    lr : float
        Step size ``alpha`` (divided by ``n_tilings`` with tile coding).
    epsilon : float
        Exploration probability of the behaviour policy.
    epsilon_decay : float
        Multiplies ``epsilon`` after every training episode (1 keeps it constant).
    min_epsilon : float
        Floor of the decayed epsilon.
    temporal_discount : float
        Discount ``gamma``.
    q_init : float
        Initial action value. An optimistic value (above any achievable return) drives
        systematic exploration (Sutton and Barto, section 2.6).
    off_policy : bool
        False: expected SARSA, target ``r + gamma * sum_a pi(a|s') Q(s', a)`` under the
        epsilon-greedy policy. True: Q-learning, target ``r + gamma * max_a Q(s', a)``.
    n_tilings, grid_dims : int
        Tile coding of continuous (box) observations: ``Q(s, a) = sum of w[a, tile]`` over
        the active tiles.
    obs_min, obs_max : list of float, optional
        Bounds for tile coding; default to the observation space's bounds, which must then
        be finite.
    random_state : int, Generator or None

    Attributes
    ----------
    Q_ : ndarray (n_states, n_actions)
        Action values (discrete observations).
    w_ : ndarray (n_actions, n_features)
        Tile weights (box observations).

    Notes
    -----
    Terminal transitions (``terminated``) bootstrap from 0; truncated ones bootstrap from
    the next state's value. Expected SARSA's expectation is
    ``epsilon * mean_a Q(s', a) + (1 - epsilon) * max_a Q(s', a)``.

    References
    ----------
    R. S. Sutton, A. G. Barto, Reinforcement Learning: An Introduction, 2nd ed. (2018),
    sections 6.5-6.6 and 9.5.4 (tile coding).
    """

    supports_box = True
    _example_spec = "temporal_difference(lr=0.5, random_state=0)"

    def __init__(self, lr=0.4, epsilon=0.1, epsilon_decay=1.0, min_epsilon=0.0, temporal_discount=0.99,
                 off_policy=False, q_init=0.0, n_tilings=8, grid_dims=8, obs_min=None, obs_max=None, random_state=None):
        self.lr = check_scalar(lr, "lr", low=0, low_inclusive=False)
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, high=1)
        self.epsilon_decay = check_scalar(epsilon_decay, "epsilon_decay", low=0, high=1)
        self.min_epsilon = check_scalar(min_epsilon, "min_epsilon", low=0, high=1)
        self.temporal_discount = check_scalar(temporal_discount, "temporal_discount", low=0, high=1)
        self.off_policy = bool(off_policy)
        self.q_init = check_scalar(q_init, "q_init")
        self.n_tilings = check_scalar(n_tilings, "n_tilings", int, low=1)
        for g in grid_dims if isinstance(grid_dims, (list, tuple)) and grid_dims else (grid_dims,):
            check_scalar(g, "grid_dims", int, low=1)  # an int, or a non-empty sequence of ints, each >= 1
        self.grid_dims = grid_dims
        self.obs_min, self.obs_max = obs_min, obs_max
        self.random_state = random_state

    # ------------------------------------------------------------------ tables
    def _setup_box(self, space):
        low = np.asarray(space.low if self.obs_min is None else self.obs_min, dtype=float).ravel()
        high = np.asarray(space.high if self.obs_max is None else self.obs_max, dtype=float).ravel()
        self.tile_low_, self.tile_high_ = low, high
        self._coder = TileCoder(low, high, self.n_tilings, self.grid_dims)

    def _after_load(self):
        if hasattr(self, "tile_low_"):
            self._coder = TileCoder(self.tile_low_, self.tile_high_, self.n_tilings, self.grid_dims)

    @property
    def _tiled(self) -> bool:
        return hasattr(self, "tile_low_")

    def _init_tables(self):
        self.epsilon_ = float(self.epsilon)
        if self._tiled:
            self.w_ = np.full((self.n_actions_, self._coder.n_features), self.q_init / self.n_tilings)
        else:
            self.Q_ = np.full((self.n_states_, self.n_actions_), float(self.q_init))

    def _features(self, observation):
        return self._coder.indices(observation) if self._tiled else self.state(observation)

    def _values(self, f):
        return self.w_[:, f].sum(axis=1) if self._tiled else self.Q_[f]

    def action_values(self, observation) -> np.ndarray:
        """``Q(observation, a)`` for every action."""
        self._check_setup()
        return self._values(self._features(observation))

    def act(self, observation=None, greedy: bool = False):
        self._check_setup()
        q = self.action_values(observation)
        a = self._greedy(q) if greedy else self._epsilon_greedy(q, self.epsilon_)
        return a + self.action_start_

    # ------------------------------------------------------------------ learning
    def _bootstrap(self, q_next) -> float:
        if self.off_policy:
            return float(q_next.max())
        return float(self.epsilon_ * q_next.mean() + (1.0 - self.epsilon_) * q_next.max())

    def _learn(self, f, q, a, reward, f_next, q_next, terminated):
        """TD update of ``Q(f, a)``; ``q`` and ``q_next`` are the current values of ``f`` and ``f_next``."""
        target = reward if terminated else reward + self.temporal_discount * self._bootstrap(q_next)
        delta = target - q[a]
        if self._tiled:
            self.w_[a, f] += (self.lr / self.n_tilings) * delta
        else:
            self.Q_[f, a] += self.lr * delta

    def update(self, observation, action, reward, next_observation, terminated) -> None:
        """One TD update from a transition (``terminated`` ends the bootstrap)."""
        self._check_setup()
        f, f_next = self._features(observation), self._features(next_observation)
        self._learn(f, self._values(f), int(action) - self.action_start_, float(reward), f_next,
                    self._values(f_next), bool(terminated))

    def run_episode(self, env, max_steps=None, train: bool = True, seed=None):
        """Play one episode (learning online if ``train``); returns ``(total_reward, n_steps)``."""
        self.setup(env)
        obs, _ = env.reset(seed=seed)
        if not self._tiled and len(self.obs_radices_) == 1:
            total, steps = self._tabular_episode(env, obs, max_steps, train)
        else:
            total, steps = self._general_episode(env, obs, max_steps, train)
        if train:
            self.epsilon_ = max(self.min_epsilon, self.epsilon_ * self.epsilon_decay)
        return total, steps

    def _tabular_episode(self, env, obs, max_steps, train):
        """The same updates as ``_general_episode`` for a single discrete observation, inlined.

        This is the agent's hot loop (one iteration per environment step): locals instead
        of attribute look-ups and Python floats instead of NumPy scalars keep the agent's
        own cost per step near a hand-written Q-table loop's.
        """
        Q, rng, step = self.Q_, self._rng(), env.step
        n_states, n_actions = self.n_states_, self.n_actions_
        start, a0 = int(self.obs_starts_[0]), self.action_start_
        eps = self.epsilon_ if train else 0.0
        lr, gamma, off_policy = self.lr, self.temporal_discount, self.off_policy
        s = int(obs) - start
        total, steps = 0.0, 0
        while max_steps is None or steps < max_steps:  # sequential by nature
            if not 0 <= s < n_states:
                raise ValueError(f"observation {s + start} is outside the observation space")
            if eps and rng.random() < eps:
                a = int(rng.integers(n_actions))
            else:
                row = Q[s].tolist()
                m = max(row)
                a = row.index(m) if row.count(m) == 1 else self._greedy(Q[s])
            obs, reward, terminated, truncated, _ = step(a + a0)
            s2 = int(obs) - start
            if train:
                if terminated:
                    target = reward
                else:
                    nxt = Q[s2].tolist()
                    v = max(nxt) if off_policy else eps * sum(nxt) / n_actions + (1.0 - eps) * max(nxt)
                    target = reward + gamma * v
                Q[s, a] += lr * (target - Q[s, a])
            total += reward
            steps += 1
            s = s2
            if terminated or truncated:
                break
        return total, steps

    def _general_episode(self, env, obs, max_steps, train):
        f = self._features(obs)
        eps = self.epsilon_ if train else 0.0
        total, steps = 0.0, 0
        q = self._values(f)
        while max_steps is None or steps < max_steps:  # the agent-environment loop is sequential
            a = self._epsilon_greedy(q, eps) if eps else self._greedy(q)
            obs, reward, terminated, truncated, _ = env.step(a + self.action_start_)
            f_next = self._features(obs)
            q_next = self._values(f_next)
            if train:
                self._learn(f, q, a, reward, f_next, q_next, terminated)
                if self._tiled:  # shared tiles may have changed the next state's values
                    q_next = self._values(f_next)
            total += reward
            steps += 1
            f, q = f_next, q_next
            if terminated or truncated:
                break
        return total, steps
