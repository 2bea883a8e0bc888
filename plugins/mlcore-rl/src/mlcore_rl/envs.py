"""Small environments following the Gymnasium API, so the agents run without Gymnasium.

``reset(seed=None, options=None) -> (observation, info)`` and
``step(action) -> (observation, reward, terminated, truncated, info)``; spaces are
:mod:`mlcore_rl.spaces` objects (Gymnasium-compatible by duck typing).
"""

from __future__ import annotations

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import Env
from mlcore.validation import check_random_state, check_scalar

from .spaces import Discrete

__all__ = ["ChainEnv", "GridWorldEnv", "KArmedEnv"]


class _TabularEnv(Env):
    def reset(self, seed=None, options=None):
        self._rng = check_random_state(self.random_state if seed is None else seed)
        self._t = 0
        self._s = self._start()
        return self._s, {}

    def _check(self, action):
        if not hasattr(self, "_s"):
            raise RuntimeError(f"call reset() before step() on {type(self).__name__}")
        a = int(action)
        if a != action or not 0 <= a < self.action_space.n:
            raise ValueError(f"action must be an integer in [0, {self.action_space.n - 1}], got {action!r}")
        self._t += 1
        return a

    def _truncated(self):
        return self.max_steps is not None and self._t >= self.max_steps


class ChainEnv(_TabularEnv):
    """A corridor of ``n_states`` cells: action 0 moves left, 1 moves right.

    The episode starts in cell 0 and ends on reaching the last cell, which pays
    ``goal_reward``; every other step pays ``step_reward``. With probability ``slip`` a move
    goes the other way.

    Example
    -------
    >>> import mlcore
    >>> env = mlcore.build("chain(n_states=3)", kind="env")
    >>> env.reset(seed=0)[0], env.step(1)[:3], env.step(1)[:3]
    (0, (1, 0.0, False), (2, 1.0, True))
    """

    def __init__(self, n_states=10, slip=0.0, step_reward=0.0, goal_reward=1.0, max_steps=None,
                 random_state=None):
        self.n_states = check_scalar(n_states, "n_states", int, low=2)
        self.slip = check_scalar(slip, "slip", low=0, high=1)
        self.step_reward = check_scalar(step_reward, "step_reward")
        self.goal_reward = check_scalar(goal_reward, "goal_reward")
        self.max_steps = check_scalar(max_steps, "max_steps", int, low=1, allow_none=True)
        self.random_state = random_state
        self.observation_space = Discrete(n_states)
        self.action_space = Discrete(2)

    def _start(self):
        return 0

    def step(self, action):
        a = self._check(action)
        move = 1 if a == 1 else -1
        if self.slip and self._rng.random() < self.slip:
            move = -move
        self._s = min(max(self._s + move, 0), self.n_states - 1)
        done = self._s == self.n_states - 1
        return self._s, self.goal_reward if done else self.step_reward, done, self._truncated() and not done, {}


class GridWorldEnv(_TabularEnv):
    """A ``rows x cols`` grid with walls: reach ``goal`` from ``start``, -1 per step.

    Actions 0-3 move up, right, down, left; moving into a wall or off the grid stays put.
    Observations are cell ids ``row * cols + col``.
    """

    _MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))

    def __init__(self, rows=6, cols=9, walls=((1, 2), (2, 2), (3, 2), (4, 5), (0, 7), (1, 7), (2, 7)),
                 start=(2, 0), goal=(0, 8), max_steps=None, random_state=None):
        self.rows = check_scalar(rows, "rows", int, low=1)
        self.cols = check_scalar(cols, "cols", int, low=1)
        self.walls, self.start, self.goal = walls, start, goal
        self.max_steps = check_scalar(max_steps, "max_steps", int, low=1, allow_none=True)
        self.random_state = random_state
        cells = {tuple(w) for w in walls}
        for name, cell in (("start", start), ("goal", goal)):
            if tuple(cell) in cells or not (0 <= cell[0] < rows and 0 <= cell[1] < cols):
                raise ComponentArgumentError(f"{name} {cell!r} must be a free cell of the grid")
        self._walls = cells
        self.observation_space = Discrete(rows * cols)
        self.action_space = Discrete(4)

    def _start(self):
        return self.start[0] * self.cols + self.start[1]

    def step(self, action):
        a = self._check(action)
        r, c = divmod(self._s, self.cols)
        dr, dc = self._MOVES[a]
        nr, nc = r + dr, c + dc
        if 0 <= nr < self.rows and 0 <= nc < self.cols and (nr, nc) not in self._walls:
            r, c = nr, nc
        self._s = r * self.cols + c
        done = (r, c) == tuple(self.goal)
        return self._s, 0.0 if done else -1.0, done, self._truncated() and not done, {}


class KArmedEnv(_TabularEnv):
    """The k-armed testbed as an environment: one state, arm ``a`` pays ``N(q_a, 1)``.

    ``q`` is drawn from ``N(0, 1)`` once, seeded by ``random_state``. Episodes last
    ``episode_length`` pulls.
    """

    def __init__(self, k=10, episode_length=1, random_state=None):
        self.k = check_scalar(k, "k", int, low=1)
        self.episode_length = check_scalar(episode_length, "episode_length", int, low=1)
        self.random_state = random_state
        self.q_ = check_random_state(random_state).standard_normal(k)
        self.observation_space = Discrete(1)
        self.action_space = Discrete(k)
        self.max_steps = None

    def _start(self):
        return 0

    def step(self, action):
        a = self._check(action)
        reward = float(self.q_[a] + self._rng.standard_normal())
        return 0, reward, self._t >= self.episode_length, False, {}
