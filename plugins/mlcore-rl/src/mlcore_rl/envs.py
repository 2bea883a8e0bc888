"""Small Gymnasium environments (kind ``env``): a corridor, the Dyna maze, the k-armed testbed.

Each is a ``gymnasium.Env`` (see :mod:`mlcore_rl._gym`) with ``Discrete`` spaces, registered
with Gymnasium as ``mlcore/Chain-v0``, ``mlcore/GridWorld-v0`` and ``mlcore/KArmed-v0``.
Episodes that could run forever get Gymnasium's ``TimeLimit`` from ``gymnasium.make``
(or pass ``max_steps`` to the trainer); the environments themselves never truncate.
"""

from __future__ import annotations

import numbers

import numpy as np
from gymnasium import spaces

from mlcore.errors import ComponentArgumentError
from mlcore.validation import check_scalar

from ._gym import GymEnv

_MAX_SIZE = 2**31 - 1  # sizes of Gymnasium Discrete spaces (int64; rows * cols too)

__all__ = ["ChainEnv", "GridWorldEnv", "KArmedEnv"]


class _TabularEnv(GymEnv):
    """One integer state ``_s``; subclasses implement ``_start()`` and ``_move(action)``."""

    _state_attrs: tuple[str, ...] = ("_np_random", "_s")

    def reset(self, seed=None, options=None):
        """Start an episode; returns ``(observation, {})``."""
        self._seed(seed)
        self._s = self._start()
        return self._s, {}

    def step(self, action):
        """Apply ``action``; returns ``(observation, reward, terminated, False, {})``."""
        if getattr(self, "_s", None) is None:
            raise RuntimeError(f"call reset() before step() on {type(self).__name__}")
        if not self.action_space.contains(action):
            raise ValueError(f"action must be an integer in [0, {self.action_space.n - 1}], got {action!r}")
        self._s, reward, terminated = self._move(int(action))
        return self._s, reward, terminated, False, {}

    def _ansi(self):
        return f"state {getattr(self, '_s', None)}\n"


class ChainEnv(_TabularEnv):
    """A corridor of ``n_states`` cells: action 0 moves left, 1 moves right.

    The episode starts in cell 0 and ends on reaching the last cell, which pays
    ``goal_reward``; every other step pays ``step_reward``. With probability ``slip`` a move
    goes the other way. Gymnasium id ``mlcore/Chain-v0`` (time limit 500 steps).

    Example
    -------
    >>> import mlcore
    >>> env = mlcore.build("chain(n_states=3)", kind="env")
    >>> env.reset(seed=0)[0], env.step(1)[:3], env.step(1)[:3]
    (0, (1, 0.0, False), (2, 1.0, True))
    """

    gym_id = "mlcore/Chain-v0"

    def __init__(self, n_states=10, slip=0.0, step_reward=0.0, goal_reward=1.0, render_mode=None,
                 random_state=None):
        self.n_states = check_scalar(n_states, "n_states", int, low=2, high=_MAX_SIZE)
        self.slip = check_scalar(slip, "slip", low=0, high=1)
        self.step_reward = check_scalar(step_reward, "step_reward")
        self.goal_reward = check_scalar(goal_reward, "goal_reward")
        self._init_base(render_mode, random_state)
        self.observation_space = spaces.Discrete(self.n_states)
        self.action_space = spaces.Discrete(2)

    def _start(self):
        return 0

    def _move(self, a):
        move = 1 if a == 1 else -1
        if self.slip and self.np_random.random() < self.slip:
            move = -move
        s = min(max(self._s + move, 0), self.n_states - 1)
        done = s == self.n_states - 1
        return s, float(self.goal_reward if done else self.step_reward), done

    def _ansi(self):
        return "".join("A" if i == self._s else "." for i in range(self.n_states)) + "\n"


class GridWorldEnv(_TabularEnv):
    """A ``rows x cols`` grid with walls: reach ``goal`` from ``start``, -1 per step.

    Actions 0-3 move up, right, down, left; moving into a wall or off the grid stays put.
    Observations are cell ids ``row * cols + col``. The default layout is Sutton and
    Barto's Dyna maze (figure 8.2). Gymnasium id ``mlcore/GridWorld-v0`` (time limit 1,000).
    """

    gym_id = "mlcore/GridWorld-v0"
    _MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))

    def __init__(self, rows=6, cols=9, walls=((1, 2), (2, 2), (3, 2), (4, 5), (0, 7), (1, 7), (2, 7)),
                 start=(2, 0), goal=(0, 8), render_mode=None, random_state=None):
        self.rows = check_scalar(rows, "rows", int, low=1, high=_MAX_SIZE)
        self.cols = check_scalar(cols, "cols", int, low=1, high=_MAX_SIZE)
        self.walls, self.start, self.goal = walls, start, goal
        self._init_base(render_mode, random_state)
        if not isinstance(walls, (tuple, list)):
            raise ComponentArgumentError(f"walls must be a list of (row, col) cells, got {walls!r}")
        cells = set()
        for w in walls:  # each a (row, col) cell of the grid
            if not isinstance(w, (tuple, list)) or len(w) != 2:
                raise ComponentArgumentError(f"each wall must be a (row, col) cell, got {w!r}")
            cells.add((check_scalar(w[0], "wall row", numbers.Integral, low=0, high=self.rows - 1),
                       check_scalar(w[1], "wall column", numbers.Integral, low=0, high=self.cols - 1)))
        for name, cell in (("start", start), ("goal", goal)):
            if not isinstance(cell, (tuple, list)) or len(cell) != 2 or not all(
                    isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in cell):
                raise ComponentArgumentError(f"{name} must be a (row, col) cell, got {cell!r}")
            if tuple(cell) in cells or not (0 <= cell[0] < rows and 0 <= cell[1] < cols):
                raise ComponentArgumentError(f"{name} {cell!r} must be a free cell of the grid")
        self._walls = cells
        self.observation_space = spaces.Discrete(self.rows * self.cols)
        self.action_space = spaces.Discrete(4)

    def _start(self):
        return self.start[0] * self.cols + self.start[1]

    def _move(self, a):
        r, c = divmod(self._s, self.cols)
        dr, dc = self._MOVES[a]
        nr, nc = r + dr, c + dc
        if 0 <= nr < self.rows and 0 <= nc < self.cols and (nr, nc) not in self._walls:
            r, c = nr, nc
        done = (r, c) == tuple(self.goal)
        return r * self.cols + c, 0.0 if done else -1.0, done

    def _ansi(self):
        rows = []
        for r in range(self.rows):
            rows.append("".join("A" if r * self.cols + c == self._s else "#" if (r, c) in self._walls
                                else "G" if (r, c) == tuple(self.goal) else "." for c in range(self.cols)))
        return "\n".join(rows) + "\n"


class KArmedEnv(_TabularEnv):
    """The k-armed testbed as an environment: one state, arm ``a`` pays ``N(q_a, 1)``.

    ``q_`` is drawn from ``N(0, 1)`` on the first reset, from ``random_state`` (so building
    the environment allocates nothing); episodes last ``episode_length`` pulls.
    Gymnasium id ``mlcore/KArmed-v0``.
    """

    gym_id = "mlcore/KArmed-v0"

    def __init__(self, k=10, episode_length=1, render_mode=None, random_state=None):
        self.k = check_scalar(k, "k", int, low=1, high=_MAX_SIZE)
        self.episode_length = check_scalar(episode_length, "episode_length", int, low=1)
        self._init_base(render_mode, random_state)
        self.observation_space = spaces.Discrete(1)
        self.action_space = spaces.Discrete(self.k)

    _state_attrs = ("_np_random", "_s", "_t")

    def reset(self, seed=None, options=None):
        if "q_" not in self.__dict__:
            self.q_ = np.random.default_rng(self.random_state).standard_normal(self.k)
        self._t = 0
        return super().reset(seed=seed, options=options)

    def _start(self):
        return 0

    def _move(self, a):
        self._t += 1
        return 0, float(self.q_[a] + self.np_random.standard_normal()), self._t >= self.episode_length
