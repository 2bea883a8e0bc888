"""Monte Carlo control: on-policy first-visit with an epsilon-soft policy, and off-policy
weighted importance sampling with a greedy target policy."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_scalar

from ._base import RLAgent

__all__ = ["MonteCarloAgent"]


class MonteCarloAgent(RLAgent):
    """Tabular Monte Carlo control (discrete observations and actions).

    Parameters
    ----------
    off_policy : bool
        False: on-policy first-visit MC control of an epsilon-soft policy; ``Q(s, a)`` is
        the average of the discounted returns following the first visit of ``(s, a)``.
        True: off-policy control of the greedy policy from epsilon-soft behaviour, by
        weighted importance sampling with incremental updates.
    temporal_discount : float
        Discount ``gamma`` applied to the returns (in both modes).
    epsilon : float
        Exploration probability of the (behaviour) policy.
    random_state : int, Generator or None

    Attributes
    ----------
    Q_ : ndarray (n_states, n_actions)
    counts_ : ndarray (n_states, n_actions)
        First-visit counts (on-policy) or cumulative importance weights ``C`` (off-policy).

    References
    ----------
    Sutton and Barto (2018), sections 5.4 (on-policy first-visit MC control) and 5.7
    (off-policy MC control).
    """

    _example_spec = "monte_carlo(epsilon=0.2, random_state=0)"

    def __init__(self, off_policy=False, temporal_discount=1.0, epsilon=0.1, random_state=None):
        self.off_policy = bool(off_policy)
        self.temporal_discount = check_scalar(temporal_discount, "temporal_discount", low=0, high=1)
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, high=1)
        self.random_state = random_state

    def _init_tables(self):
        self.Q_ = np.zeros((self.n_states_, self.n_actions_))
        self.counts_ = np.zeros((self.n_states_, self.n_actions_))

    def action_values(self, observation) -> np.ndarray:
        self._check_setup()
        return self.Q_[self.state(observation)]

    def run_episode(self, env, max_steps=None, train: bool = True, seed=None):
        """Play one episode, then learn from its returns if ``train``; returns ``(total_reward, n_steps)``."""
        self.setup(env)
        obs, _ = env.reset(seed=seed)
        states: list = []
        actions: list[int] = []
        rewards: list[float] = []
        probs: list = []
        eps = self.epsilon if train else 0.0
        n = self.n_actions_
        while max_steps is None or len(rewards) < max_steps:  # sequential by nature
            s = self.state(obs)
            a = self._epsilon_greedy(self.Q_[s], eps) if eps else self._greedy(self.Q_[s])
            obs, reward, terminated, truncated, _ = env.step(a + self.action_start_)
            states.append(s)
            actions.append(a)
            rewards.append(float(reward))
            if self.off_policy and train:  # behaviour probability of a, given the greedy action at that time
                greedy = a == int(np.argmax(self.Q_[s]))
                probs.append((1 - eps + eps / n) if greedy else eps / n)
            if terminated or truncated:
                break
        if train:
            (self._learn_off_policy if self.off_policy else self._learn_on_policy)(states, actions, rewards, probs)
        return float(sum(rewards)), len(rewards)

    def _learn_on_policy(self, states, actions, rewards, probs):
        first = {}
        G = 0.0
        for t in range(len(rewards) - 1, -1, -1):  # G_t = r_t + gamma G_{t+1}, backwards
            G = rewards[t] + self.temporal_discount * G
            first[(states[t], actions[t])] = G  # the earliest visit writes last
        Q, N = self.Q_, self.counts_
        for (s, a), g in first.items():
            N[s, a] += 1
            Q[s, a] += (g - Q[s, a]) / N[s, a]

    def _learn_off_policy(self, states, actions, rewards, probs):
        G, W = 0.0, 1.0
        for t in range(len(rewards) - 1, -1, -1):  # weights depend on the later steps: backwards loop
            s, a = states[t], actions[t]
            G = rewards[t] + self.temporal_discount * G
            self.counts_[s, a] += W
            self.Q_[s, a] += W / self.counts_[s, a] * (G - self.Q_[s, a])
            if a != int(np.argmax(self.Q_[s])):
                break
            W /= probs[t]
