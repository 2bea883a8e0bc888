"""Bandit policies (kind ``agent``): epsilon-greedy, UCB1, Thompson sampling, LinUCB.

Every policy answers ``act(observation=None, n_arms=None)`` with an arm index and learns
from ``update(action, reward, observation=None)``. A policy sizes itself on its first
``act`` (from ``n_arms``, from the context's shape, or from its ``n_arms`` argument), so
no explicit ``reset`` is needed; ``reset()`` forgets everything learned.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mlcore.interfaces import Agent
from mlcore.validation import check_random_state, check_scalar

__all__ = ["BanditPolicy", "EpsilonGreedy", "UCB1", "ThompsonSampling", "LinUCB"]


class BanditPolicy(Agent):
    """Base of the bandit policies: sizing, counts, running means, seeded randomness.

    The random generator is saved with the policy (``_state_attrs``), so a loaded policy
    continues exactly where the saved one was.

    Attributes
    ----------
    counts_ : ndarray (n_arms,)
        Pulls per arm.
    ev_estimates_ : ndarray (n_arms,)
        Estimated expected reward per arm.
    n_steps_ : int
        Number of updates so far.
    """

    _state_attrs = ("_gen",)
    #: The arm chosen for a context, implemented by each policy.
    _select: Callable[[Any], int]

    def _setup(self, n_arms):
        if getattr(self, "counts_", None) is not None:
            return
        if n_arms is None:
            raise ValueError(f"{type(self).__name__} does not know the number of arms yet: pass n_arms to the "
                             "constructor or to act(), or give a (n_features, n_arms) context")
        n_arms = int(n_arms)
        self.counts_ = np.zeros(n_arms)
        self.ev_estimates_ = np.full(n_arms, float(getattr(self, "ev_prior", 0.0)))
        self.n_steps_ = 0
        self._init_params(n_arms)

    def _init_params(self, n_arms):
        """Hook for policy-specific learned state."""

    def _rng(self):
        rng = self.__dict__.get("_gen")
        if rng is None:
            rng = self._gen = check_random_state(self.random_state)
        return rng

    def _arms_hint(self, observation, n_arms):
        if n_arms is not None:
            return n_arms
        if self.n_arms is not None:
            return self.n_arms
        if observation is not None and np.ndim(observation) == 2:
            return np.shape(observation)[1]
        return None

    def act(self, observation=None, n_arms=None) -> int:
        """Choose an arm for this step's context ``observation``."""
        self._setup(self._arms_hint(observation, n_arms))
        return int(self._select(observation))

    def update(self, action, reward, observation=None) -> None:
        """Learn from the reward of ``action`` (pulled in context ``observation``)."""
        if getattr(self, "counts_", None) is None:
            self._setup(self._arms_hint(observation, None))
        a = int(action)
        self.counts_[a] += 1
        self.ev_estimates_[a] += (reward - self.ev_estimates_[a]) / self.counts_[a]
        self.n_steps_ += 1
        self._learn(a, float(reward), observation)

    def _learn(self, arm, reward, observation):
        """Hook for policy-specific updates."""

    def reset(self):
        """Forget everything learned (the random generator restarts from ``random_state``)."""
        for k in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")] + ["_gen"]:
            self.__dict__.pop(k, None)

    @classmethod
    def conformance_example(cls):
        return {"spec": f"{cls._example_spec}"}


class EpsilonGreedy(BanditPolicy):
    """Explore a uniformly random arm with probability ``epsilon_t``, else exploit the best estimate.

    Parameters
    ----------
    epsilon : float in [0, 1]
        Exploration probability (its cap when decaying).
    decay : float or None
        None keeps ``epsilon`` constant (linear regret). A value ``c`` uses
        ``epsilon_t = min(epsilon, c / (t + 1))``, the decreasing schedule of Auer et al.
        (2002) that makes the regret logarithmic.
    ev_prior : float
        Initial estimate of every arm's expected reward.
    n_arms : int, optional
    random_state : int, Generator or None

    Example
    -------
    >>> import mlcore
    >>> policy = mlcore.build("epsilon_greedy(epsilon=0.1, random_state=0)")
    >>> policy.act(n_arms=3) in (0, 1, 2)
    True
    """

    _example_spec = "epsilon_greedy(epsilon=0.2, random_state=0)"

    def __init__(self, epsilon=0.05, decay=None, ev_prior=0.5, n_arms=None, random_state=None):
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, high=1)
        self.decay = check_scalar(decay, "decay", low=0, low_inclusive=False, allow_none=True)
        self.ev_prior = check_scalar(ev_prior, "ev_prior")
        self.n_arms = check_scalar(n_arms, "n_arms", int, low=1, allow_none=True)
        self.random_state = random_state

    def _select(self, observation):
        rng = self._rng()
        eps = self.epsilon if self.decay is None else min(self.epsilon, self.decay / (self.n_steps_ + 1))
        if rng.random() < eps:
            return rng.integers(len(self.counts_))
        best = np.flatnonzero(self.ev_estimates_ == self.ev_estimates_.max())
        return best[0] if len(best) == 1 else rng.choice(best)


class UCB1(BanditPolicy):
    """Upper confidence bound: play ``argmax ev_k + C * sqrt(2 ln t / n_k)``.

    Every arm is played once first. With ``C=1`` this is UCB1 of Auer, Cesa-Bianchi and
    Fischer (2002), whose expected regret is ``O(sum_k ln T / gap_k)`` for rewards in [0, 1].

    Parameters
    ----------
    C : float
        Scale of the exploration bonus.
    ev_prior : float
        Initial estimate (unused once every arm has been played).
    n_arms : int, optional
    """

    _example_spec = "ucb1(C=0.5)"

    def __init__(self, C=1.0, ev_prior=0.5, n_arms=None):
        self.C = check_scalar(C, "C", low=0)
        self.ev_prior = check_scalar(ev_prior, "ev_prior")
        self.n_arms = check_scalar(n_arms, "n_arms", int, low=1, allow_none=True)

    def _select(self, observation):
        unplayed = np.flatnonzero(self.counts_ == 0)
        if len(unplayed):
            return unplayed[0]
        t = self.counts_.sum()
        return np.argmax(self.ev_estimates_ + self.C * np.sqrt(2.0 * math.log(t) / self.counts_))


class ThompsonSampling(BanditPolicy):
    """Beta-Bernoulli Thompson sampling: sample each arm's mean from its Beta posterior, play the best.

    Rewards must lie in [0, 1]; a reward ``r`` adds ``r`` to the arm's ``alpha`` and
    ``1 - r`` to its ``beta``.

    Parameters
    ----------
    alpha, beta : float > 0
        The Beta prior of every arm.

    Attributes
    ----------
    alpha_, beta_ : ndarray (n_arms,)
        Posterior parameters. ``ev_estimates_`` is the running mean of the rewards.
    """

    _example_spec = "thompson_sampling(alpha=2.0, random_state=0)"

    def __init__(self, alpha=1.0, beta=1.0, n_arms=None, random_state=None):
        self.alpha = check_scalar(alpha, "alpha", low=0, low_inclusive=False)
        self.beta = check_scalar(beta, "beta", low=0, low_inclusive=False)
        self.n_arms = check_scalar(n_arms, "n_arms", int, low=1, allow_none=True)
        self.random_state = random_state

    def _init_params(self, n_arms):
        self.alpha_ = np.full(n_arms, float(self.alpha))
        self.beta_ = np.full(n_arms, float(self.beta))

    def _select(self, observation):
        return np.argmax(self._rng().beta(self.alpha_, self.beta_))

    def _learn(self, arm, reward, observation):
        if not 0.0 <= reward <= 1.0:
            raise ValueError(f"thompson_sampling needs rewards in [0, 1], got {reward}")
        self.alpha_[arm] += reward
        self.beta_[arm] += 1.0 - reward


class LinUCB(BanditPolicy):
    """Disjoint LinUCB (Li et al., 2010): a ridge regression per arm with an upper confidence bonus.

    For arm ``a`` with features ``x`` (column ``a`` of the ``(n_features, n_arms)``
    context): ``A_a = I + sum x x^T``, ``b_a = sum r x``, ``theta_a = A_a^-1 b_a``, and the
    score ``theta_a . x + alpha * sqrt(x^T A_a^-1 x)``. ``A_a^-1`` is kept up to date with the
    Sherman-Morrison formula (an outer-product update, O(d^2) per step).

    Parameters
    ----------
    alpha : float
        Width of the confidence bonus.

    Attributes
    ----------
    A_inv_ : ndarray (n_arms, n_features, n_features)
    b_ : ndarray (n_arms, n_features)

    References
    ----------
    L. Li, W. Chu, J. Langford, R. Schapire, "A contextual-bandit approach to personalized
    news article recommendation", WWW 2010 (Algorithm 1).
    """

    _example_spec = "linucb(alpha=0.5)"

    def __init__(self, alpha=1.0, n_arms=None):
        self.alpha = check_scalar(alpha, "alpha", low=0)
        self.n_arms = check_scalar(n_arms, "n_arms", int, low=1, allow_none=True)

    def _features(self, observation):
        X = np.asarray(observation, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(self.counts_):
            raise ValueError(f"linucb needs a (n_features, {len(self.counts_)}) context, got shape {X.shape}")
        if not hasattr(self, "A_inv_"):
            d = X.shape[0]
            self.A_inv_ = np.repeat(np.eye(d)[None], len(self.counts_), axis=0)
            self.b_ = np.zeros((len(self.counts_), d))
        return X

    def _select(self, observation):
        X = self._features(observation)
        theta = np.einsum("kij,kj->ki", self.A_inv_, self.b_)
        mean = np.einsum("ki,ik->k", theta, X)
        width = np.sqrt(np.einsum("ik,kij,jk->k", X, self.A_inv_, X))
        return np.argmax(mean + self.alpha * width)

    def _learn(self, arm, reward, observation):
        x = self._features(observation)[:, arm]
        Ainv = self.A_inv_[arm]
        Ax = Ainv @ x
        Ainv -= np.outer(Ax, Ax) / (1.0 + x @ Ax)
        self.b_[arm] += reward * x
