"""Bandit environments as Gymnasium environments (kind ``env``).

Mapping: **one pull is a one-step episode.** ``reset(seed=None)`` draws the context and
returns it as the observation; ``step(arm)`` pays the arm and ends the episode
(``terminated=True``), returning the same context, the reward and ``info`` with the pulled
arm's expected reward, its (pseudo-)regret against the best arm for that context, and the
best arm. The next pull starts with the next ``reset()`` (without a seed: the random stream
continues). Observation spaces: ``Discrete(1)`` (always 0) for context-free bandits; a
``Box`` of shape ``(n_features, n_arms)`` (one feature column per arm) for contextual ones.
Action space: ``Discrete(n_arms)``. Every bandit also answers ``expected_rewards(context)``
and ``oracle_payoff(context)``. Registered with Gymnasium as ``mlcore/BernoulliBandit-v0``,
``mlcore/ContextualLinearBandit-v0``, ... (see :data:`mlcore_bandits.GYM_IDS`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
from gymnasium import spaces

from mlcore.errors import ComponentArgumentError
from mlcore.validation import check_scalar

from ._gym import GymEnv

__all__ = [
    "BanditEnv", "BernoulliBandit", "GaussianBandit", "MultinomialBandit", "ShortestPathBandit",
    "ContextualBernoulliBandit", "ContextualLinearBandit",
]


def _as_floats(values) -> np.ndarray:
    """``values`` as a float array; ``[nan]`` (refused by every caller) when they are not numbers."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return np.array([np.nan])


def _probabilities(values, name, bounded=True):
    p = _as_floats(values)
    if not bounded and (p.ndim != 1 or p.size == 0 or not np.isfinite(p).all()):
        raise ComponentArgumentError(f"{name} must be a non-empty list of finite numbers, got {values!r}")
    if bounded and (p.ndim != 1 or p.size == 0 or not np.all((p >= 0) & (p <= 1))):
        raise ComponentArgumentError(f"{name} must be a non-empty list of probabilities in [0, 1], got {values!r}")
    return p


class BanditEnv(GymEnv):
    """Base of the bandit environments: one-step episodes, arm checks, oracle and regret info.

    Subclasses implement ``_expected(context)`` (expected reward of every arm),
    ``_pull(arm, context)`` (a random reward with ``self.np_random``) and, when contextual,
    ``_context()`` and ``_make_spaces()``.
    """

    contextual = False
    _state_attrs = ("_np_random", "_current", "_pulled")
    # Set by subclasses: the expected reward of every arm, and the hooks named above.
    _ev: np.ndarray
    _expected: Callable[[np.ndarray | None], np.ndarray]

    @property
    def n_arms(self) -> int:
        """Number of arms."""
        return len(self._ev)

    def _make_spaces(self):
        return spaces.Discrete(self.n_arms), spaces.Discrete(1)

    def _prepare(self):
        """Draw or compute the problem instance on the first reset (hook)."""

    def set_state(self, state):
        super().set_state(state)
        if "_pulled" in state:  # it had been reset: rebuild what is derived, not saved (a shortest-path bandit's paths)
            self._prepare()

    def reset(self, seed=None, options=None):
        """Start a pull: (re)seed ``np_random`` if ``seed`` is given, draw the context; ``(observation, {})``."""
        self._prepare()
        self._seed(seed)
        self._current = self._context()
        self._pulled = False
        return self._observation(), {}

    def _observation(self):
        return 0 if self._current is None else self._current.copy()

    def context(self):
        """The context of the current (or last) pull; ``None`` for context-free bandits."""
        if not hasattr(self, "_pulled"):
            raise RuntimeError(f"call reset() first: {type(self).__name__} has no context yet")
        return self._current

    def step(self, action):
        """Pull ``action``; returns ``(context, reward, True, False, info)``: the one-step episode ends."""
        if getattr(self, "_pulled", True):
            raise RuntimeError(f"call reset() before step(): every pull of {type(self).__name__} is a one-step "
                               "episode")
        evs, best, best_arm = self._oracle(self._current)
        if not self.action_space.contains(action):
            raise ValueError(f"arm must be an integer in [0, {len(evs) - 1}], got {action!r}")
        arm = int(action)
        reward = float(self._pull(arm, self._current))
        ev = float(evs[arm])
        self._pulled = True
        return self._observation(), reward, True, False, {"expected_reward": ev, "regret": best - ev,
                                                          "optimal_arm": best_arm}

    def _oracle(self, context):
        if context is None:  # context-free: the same every step, computed once
            cached = self.__dict__.get("_oracle_cache")
            if cached is None:
                evs = self._expected(None)
                cached = self._oracle_cache = (evs, float(evs.max()), int(np.argmax(evs)))
            return cached
        evs = self._expected(context)
        return evs, float(evs.max()), int(np.argmax(evs))

    def expected_rewards(self, context=None) -> np.ndarray:
        """Expected reward of every arm (in ``context``; for contextual bandits, by default the current one)."""
        self._prepare()
        if context is None and self.contextual:
            context = self.context()
        return self._expected(None if context is None else np.asarray(context, dtype=float))

    def oracle_payoff(self, context=None):
        """``(best expected reward, best arm)`` in ``context`` (or the current context)."""
        evs = self.expected_rewards(context)
        best = int(np.argmax(evs))
        return float(evs[best]), best

    def _context(self):
        return None

    def _ansi(self):
        if not hasattr(self, "_pulled"):
            return f"{type(self).__name__} with {self.n_arms} arms, not reset yet\n"
        state = "pulled" if self._pulled else "waiting for a pull"
        return f"{type(self).__name__} with {self.n_arms} arms, {state}\n"


class BernoulliBandit(BanditEnv):
    """Arm ``k`` pays 1 with probability ``payoff_probs[k]``, else 0.

    Example
    -------
    >>> import mlcore
    >>> env = mlcore.build("bernoulli(payoff_probs=[0.1, 0.9], random_state=0)")
    >>> env.oracle_payoff()
    (0.9, 1)
    """

    gym_id = "mlcore/BernoulliBandit-v0"

    def __init__(self, payoff_probs=(0.1, 0.5, 0.9), render_mode=None, random_state=None):
        _probabilities(payoff_probs, "payoff_probs")
        self.payoff_probs = payoff_probs
        self._init_base(render_mode, random_state)
        self._ev = np.asarray(payoff_probs, dtype=float)

    def _expected(self, context):
        return self._ev

    def _pull(self, arm, context):
        return float(self.np_random.random() < self._ev[arm])


class GaussianBandit(BanditEnv):
    """Arm ``k`` pays ``N(means[k], stds[k]**2)`` with probability ``payoff_probs[k]``, else 0.

    The expected reward of arm ``k`` is ``payoff_probs[k] * means[k]``.
    """

    gym_id = "mlcore/GaussianBandit-v0"

    def __init__(self, means=(0.0, 0.5, 1.0), stds=(1.0, 1.0, 1.0), payoff_probs=None, render_mode=None,
                 random_state=None):
        m, s = _as_floats(means), _as_floats(stds)
        if m.ndim != 1 or m.size == 0 or s.shape != m.shape or not np.all(np.isfinite(m)) or not np.all(s >= 0) \
                or not np.all(np.isfinite(s)):
            raise ComponentArgumentError("means and stds must be equally long lists of finite numbers, stds "
                                         "non-negative; "
                                         f"got means={means!r}, stds={stds!r}")
        if payoff_probs is not None and _probabilities(payoff_probs, "payoff_probs").shape != m.shape:
            raise ComponentArgumentError("payoff_probs must have one probability per arm")
        self.means, self.stds, self.payoff_probs = means, stds, payoff_probs
        self._init_base(render_mode, random_state)
        self._m, self._s = m, s
        self._p = np.ones_like(m) if payoff_probs is None else np.asarray(payoff_probs, dtype=float)
        self._ev = self._p * self._m

    def _expected(self, context):
        return self._ev

    def _pull(self, arm, context):
        if self.np_random.random() >= self._p[arm]:
            return 0.0
        return self._m[arm] + self._s[arm] * self.np_random.standard_normal()


class MultinomialBandit(BanditEnv):
    """Arm ``k`` pays ``payoffs[k][i]`` with probability ``payoff_probs[k][i]``.

    Arms may have different numbers of outcomes (ragged lists are fine).
    """

    gym_id = "mlcore/MultinomialBandit-v0"

    def __init__(self, payoffs=((0.0, 1.0), (0.0, 2.0)), payoff_probs=((0.5, 0.5), (0.8, 0.2)), render_mode=None,
                 random_state=None):
        if not isinstance(payoffs, (list, tuple)) or not isinstance(payoff_probs, (list, tuple)) \
                or len(payoffs) != len(payoff_probs) or len(payoffs) == 0:
            raise ComponentArgumentError("payoffs and payoff_probs need one list per arm")
        pays, probs = [], []
        for k, (v, p) in enumerate(zip(payoffs, payoff_probs)):
            v, p = _probabilities(v, f"payoffs[{k}]", bounded=False), _probabilities(p, f"payoff_probs[{k}]")
            if v.shape != p.shape or not np.isclose(p.sum(), 1.0) or not np.all(np.isfinite(v)):
                raise ComponentArgumentError(f"arm {k}: payoffs (finite) and probabilities must match in length "
                                             f"and the probabilities must sum to 1, got {payoffs[k]!r}, {payoff_probs[k]!r}")
            pays.append(v)
            probs.append(p)
        self.payoffs, self.payoff_probs = payoffs, payoff_probs
        self._init_base(render_mode, random_state)
        self._pays, self._cum = pays, [np.cumsum(p) for p in probs]
        self._ev = np.array([v @ p for v, p in zip(pays, probs)])

    def _expected(self, context):
        return self._ev

    def _pull(self, arm, context):
        i = int(np.searchsorted(self._cum[arm], self.np_random.random() * self._cum[arm][-1], side="right"))
        return self._pays[arm][min(i, len(self._pays[arm]) - 1)]


class ShortestPathBandit(BanditEnv):
    """Arms are the simple paths from ``start`` to ``end`` of a weighted graph.

    Pulling a path pays minus its length: the sum of its edge weights, each perturbed by
    Gaussian noise of standard deviation ``weight_noise``. The best arm is the shortest
    path. Paths are enumerated with mlcore-utils' graphs (``all_paths``) when first needed
    (their number can grow exponentially with the graph; building checks only that
    ``end`` is reachable).

    Parameters
    ----------
    edges : list of (u, v, weight)
        Weighted edges between integer vertices.
    start, end : int
        Source and target vertices.
    directed : bool
        Whether edges are one-way.
    weight_noise : float
        Standard deviation of the noise added to each edge weight at each pull.

    Attributes
    ----------
    paths : list of tuple of int
        The arms: each a path as a vertex sequence.
    """

    gym_id = "mlcore/ShortestPathBandit-v0"

    def __init__(self, edges=((0, 1, 1.0), (1, 3, 1.0), (0, 2, 0.5), (2, 3, 2.0), (1, 2, 0.2)), start=0, end=3,
                 directed=True, weight_noise=0.1, render_mode=None, random_state=None):
        self.edges, self.directed = edges, directed
        self.start, self.end = check_scalar(start, "start", numbers.Integral), check_scalar(end, "end", numbers.Integral)
        self.weight_noise = check_scalar(weight_noise, "weight_noise", low=0)
        self._init_base(render_mode, random_state)
        adj: dict[int, list[tuple[int, float]]] = {}
        if not isinstance(edges, (list, tuple)):
            raise ComponentArgumentError(f"edges must be a list of (u, v, weight) triples, got {edges!r}")
        for e in edges:
            if not isinstance(e, (list, tuple)) or len(e) != 3:
                raise ComponentArgumentError(f"each edge must be (u, v, weight), got {e!r}")
            u, v = (int(check_scalar(x, "edge vertex", numbers.Integral)) for x in e[:2])
            w = float(check_scalar(e[2], "edge weight"))  # finite
            adj.setdefault(u, []).append((v, w))
            if not directed:
                adj.setdefault(v, []).append((u, w))
        seen, stack = {int(start)}, [int(start)]
        while stack:  # reachability, linear in the graph's size
            for v, _ in adj.get(stack.pop(), ()):
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        if int(end) not in seen:
            raise ComponentArgumentError(f"no path from {start} to {end} in the graph")
        self._adj = adj

    @property
    def paths(self):
        """The arms: every simple path from ``start`` to ``end``, as vertex tuples."""
        self._prepare()
        return self._paths

    @property
    def n_arms(self) -> int:
        return len(self.paths)

    def _prepare(self):
        if "_paths" in self.__dict__:
            return
        paths = _simple_paths(self.edges, self.start, self.end, self.directed)
        weight = {(u, v): w for u, nbrs in self._adj.items() for v, w in nbrs}
        self._edge_idx = [np.array([weight[(a, b)] for a, b in zip(p, p[1:])]) for p in paths]
        self._ev = -np.array([w.sum() for w in self._edge_idx])
        self._paths = paths

    def _expected(self, context):
        return self._ev

    def _pull(self, arm, context):
        w = self._edge_idx[arm]
        return -float((w + self.weight_noise * self.np_random.standard_normal(w.shape)).sum())


def _simple_paths(edges, start, end, directed):
    """Every simple path from ``start`` to ``end``, as vertex tuples, from mlcore-utils graphs."""
    from mlcore_utils.graphs import DiGraph, Edge, UndirectedGraph

    vertices = sorted({int(e[0]) for e in edges} | {int(e[1]) for e in edges} | {int(start), int(end)})
    g = (DiGraph if directed else UndirectedGraph)(vertices, [Edge(int(u), int(v), float(w)) for u, v, w in edges])
    paths = g.all_paths(g.get_index(int(start)), g.get_index(int(end)))
    return sorted(tuple(g.get_vertex(i) for i in p) for p in paths)


class ContextualBernoulliBandit(BanditEnv):
    """Each pull draws a context ``d`` uniformly; arm ``k`` then pays Bernoulli(``context_probs[d][k]``).

    The context is the one-hot vector of ``d``, given to every arm: an array of shape
    ``(n_contexts, n_arms)`` whose column ``k`` is that vector (observation space
    ``Box(0, 1, (n_contexts, n_arms))``).
    """

    contextual = True
    gym_id = "mlcore/ContextualBernoulliBandit-v0"

    def __init__(self, context_probs=((0.1, 0.9), (0.9, 0.1)), render_mode=None, random_state=None):
        P = _as_floats(context_probs)
        if P.ndim != 2 or P.size == 0 or not np.all((P >= 0) & (P <= 1)):
            raise ComponentArgumentError("context_probs must be a (n_contexts, n_arms) table of probabilities")
        self.context_probs = context_probs
        self._init_base(render_mode, random_state)
        self._P = P

    @property
    def n_arms(self) -> int:
        return self._P.shape[1]

    def _make_spaces(self):
        return spaces.Discrete(self.n_arms), spaces.Box(0.0, 1.0, self._P.shape, dtype=np.float64)

    def _context(self):
        D, K = self._P.shape
        ctx = np.zeros((D, K))
        ctx[self.np_random.integers(D)] = 1.0
        return ctx

    def _row(self, context):
        return int(np.argmax(np.asarray(context)[:, 0]))

    def _expected(self, context):
        return self._P[self._row(context)]

    def _pull(self, arm, context):
        return float(self.np_random.random() < self._P[self._row(context), arm])


class ContextualLinearBandit(BanditEnv):
    """Linear payoffs: arm ``k`` pays ``x_k . theta_k + N(0, noise_std**2)``.

    ``theta_`` (``(n_features, n_arms)``) is drawn from ``U(-1, 1)`` and normalised per arm,
    seeded by ``random_state``, on the first reset (building allocates nothing). Each
    pull's context holds standard-normal features ``x_k`` in its columns, clipped to
    ``[-feature_bound, feature_bound]`` so the observation space is a bounded ``Box``
    (at the default bound of 5 a feature is clipped with probability 6e-7).
    """

    contextual = True
    gym_id = "mlcore/ContextualLinearBandit-v0"

    def __init__(self, n_arms=5, n_features=4, noise_std=0.1, feature_bound=5.0, render_mode=None,
                 random_state=None):
        self._k = check_scalar(n_arms, "n_arms", int, low=1)
        self.n_features = check_scalar(n_features, "n_features", int, low=1)
        self.noise_std = check_scalar(noise_std, "noise_std", low=0)
        self.feature_bound = check_scalar(feature_bound, "feature_bound", low=0, low_inclusive=False)
        self._init_base(render_mode, random_state)

    @property
    def n_arms(self) -> int:
        return self._k

    def _make_spaces(self):
        b = float(self.feature_bound)
        return spaces.Discrete(self._k), spaces.Box(-b, b, (self.n_features, self._k), dtype=np.float64)

    def _prepare(self):
        if "theta_" not in self.__dict__:
            theta = np.random.default_rng(self.random_state).uniform(-1, 1, (self.n_features, self._k))
            self.theta_ = theta / np.linalg.norm(theta, axis=0, keepdims=True)

    def _context(self):
        b = self.feature_bound
        x = self.np_random.standard_normal((self.n_features, self._k))
        return np.clip(x, -b, b, out=x)

    def _expected(self, context):
        return np.einsum("dk,dk->k", np.asarray(context), self.theta_)

    def _pull(self, arm, context):
        return float(context[:, arm] @ self.theta_[:, arm] + self.noise_std * self.np_random.standard_normal())
