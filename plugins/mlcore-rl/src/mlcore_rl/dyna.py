"""Dyna-Q and Dyna-Q+ with a learned tabular model and prioritised sweeping."""

from __future__ import annotations

import heapq
import math

import numpy as np

from mlcore.validation import check_scalar

from ._base import RLAgent

__all__ = ["DynaAgent"]


class DynaAgent(RLAgent):
    """Q-learning plus planning with a learned model of the environment.

    After every real step the agent updates ``Q`` (one-step Q-learning), records the
    outcome ``(reward, next state, terminated)`` of ``(s, a)`` in a count-based model, and
    then performs up to ``n_simulated_actions`` planning backups, chosen by prioritised
    sweeping: state-action pairs whose expected backup would change ``Q`` by more than
    ``threshold`` are queued by that change, and after each backup the predecessors of the
    backed-up state are re-prioritised.

    Parameters
    ----------
    lr : float
        Step size of the real and simulated backups.
    epsilon : float
        Exploration probability.
    temporal_discount : float
    n_simulated_actions : int
        Planning backups per real step.
    q_plus : bool
        Dyna-Q+: planning rewards get the bonus ``explore_weight * sqrt(tau)``, ``tau`` the
        number of real steps since ``(s, a)`` was last tried.
    explore_weight : float
        ``kappa`` of the Dyna-Q+ bonus.
    threshold : float
        Minimum priority for a pair to be queued.
    random_state : int, Generator or None

    Attributes
    ----------
    Q_ : ndarray (n_states, n_actions)
    model_ : ndarray (n_transitions, 5)
        Rows ``(s, a, reward, next state, terminated)`` with ``model_counts_`` occurrences.

    References
    ----------
    Sutton and Barto (2018), sections 8.2-8.4 (Dyna-Q, Dyna-Q+, prioritised sweeping).
    """

    _example_spec = "dyna(n_simulated_actions=5, random_state=0)"

    def __init__(self, lr=0.5, epsilon=0.1, temporal_discount=0.95, n_simulated_actions=20, q_plus=False,
                 explore_weight=1e-3, threshold=1e-4, random_state=None):
        self.lr = check_scalar(lr, "lr", low=0, low_inclusive=False, high=1)
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, high=1)
        self.temporal_discount = check_scalar(temporal_discount, "temporal_discount", low=0, high=1)
        self.n_simulated_actions = check_scalar(n_simulated_actions, "n_simulated_actions", int, low=0)
        self.q_plus = bool(q_plus)
        self.explore_weight = check_scalar(explore_weight, "explore_weight", low=0)
        self.threshold = check_scalar(threshold, "threshold", low=0)
        self.random_state = random_state

    def _init_tables(self):
        self.Q_ = np.zeros((self.n_states_, self.n_actions_))
        self.last_tried_ = np.zeros((self.n_states_, self.n_actions_))
        self.n_real_steps_ = 0
        self._model, self._preds = {}, {}

    # The model lives in dicts while learning; get_state/set_state convert it to arrays.
    def get_state(self):
        state = super().get_state()
        rows, counts = [], []
        for (s, a), outcomes in getattr(self, "_model", {}).items():
            for (r, s2, term), c in outcomes.items():
                rows.append((s, a, r, s2, term))
                counts.append(c)
        state["model_"] = np.array(rows, dtype=float).reshape(-1, 5)
        state["model_counts_"] = np.array(counts, dtype=float)
        return state

    def _after_load(self):
        self._model, self._preds = {}, {}
        for (s, a, r, s2, term), c in zip(getattr(self, "model_", np.empty((0, 5))), getattr(self, "model_counts_", ())):
            self._record(int(s), int(a), float(r), int(s2), bool(term), count=float(c))
        self.__dict__.pop("model_", None)
        self.__dict__.pop("model_counts_", None)

    def action_values(self, observation) -> np.ndarray:
        self._check_setup()
        return self.Q_[self.state(observation)]

    def _record(self, s, a, r, s2, term, count=1.0):
        outcomes = self._model.setdefault((s, a), {})
        outcomes[(r, s2, term)] = outcomes.get((r, s2, term), 0.0) + count
        self._preds.setdefault(s2, set()).add((s, a))

    def _expected_target(self, s, a) -> float:
        """Expected backup ``sum_outcomes p (r [+ bonus] + gamma max Q(s'))`` from the model."""
        outcomes = self._model[(s, a)]
        total = sum(outcomes.values())
        bonus = self.explore_weight * math.sqrt(self.n_real_steps_ - self.last_tried_[s, a]) if self.q_plus else 0.0
        value = 0.0
        for (r, s2, term), c in outcomes.items():
            value += c * (r + bonus + (0.0 if term else self.temporal_discount * self.Q_[s2].max()))
        return value / total

    def _plan(self, s, a):
        queue = []
        p = abs(self._expected_target(s, a) - self.Q_[s, a])
        if p > self.threshold:
            queue.append((-p, s, a))
        for _ in range(self.n_simulated_actions):  # each backup changes the priorities of the next
            if not queue:
                break
            _, s, a = heapq.heappop(queue)
            self.Q_[s, a] += self.lr * (self._expected_target(s, a) - self.Q_[s, a])
            for ps, pa in self._preds.get(s, ()):
                p = abs(self._expected_target(ps, pa) - self.Q_[ps, pa])
                if p > self.threshold:
                    heapq.heappush(queue, (-p, ps, pa))

    def run_episode(self, env, max_steps=None, train: bool = True, seed=None):
        """Play one episode, learning and planning after each step if ``train``; returns ``(return, steps)``."""
        self.setup(env)
        obs, _ = env.reset(seed=seed)
        s = self.state(obs)
        total, steps = 0.0, 0
        eps = self.epsilon if train else 0.0
        # the episode loop's bookkeeping (return, step count, stop) is td.py's too: each agent
        # writes its loop out so that its update reads in one place
        while max_steps is None or steps < max_steps:  # sequential by nature
            a = self._epsilon_greedy(self.Q_[s], eps) if eps else self._greedy(self.Q_[s])
            obs, reward, terminated, truncated, _ = env.step(a + self.action_start_)
            s2 = self.state(obs)
            if train:
                self.n_real_steps_ += 1
                self.last_tried_[s, a] = self.n_real_steps_
                target = reward + (0.0 if terminated else self.temporal_discount * self.Q_[s2].max())
                self.Q_[s, a] += self.lr * (target - self.Q_[s, a])
                self._record(s, a, float(reward), s2, bool(terminated))
                self._plan(s, a)
            total += reward
            steps += 1
            s = s2
            if terminated or truncated:
                break
        return total, steps
