"""The cross-entropy method over a linear policy."""

from __future__ import annotations

import numpy as np

from mlcore.validation import check_scalar

from ._base import RLAgent

__all__ = ["CrossEntropyAgent"]


class CrossEntropyAgent(RLAgent):
    """Cross-entropy method (CEM): search a linear policy's weights by sampling and refitting.

    The policy scores actions with ``x @ W + b`` (``x`` the observation, one-hot for
    discrete observations) and plays the best-scoring one (or samples the softmax when
    ``stochastic``). One training episode of this agent is one CEM iteration: draw
    ``n_samples_per_episode`` weight vectors from ``N(mean, diag(std^2))``, run one episode
    with each, keep the best ``retain_prcnt``, and refit ``mean`` and ``std`` to them (plus
    ``extra_std``, decaying, to avoid premature collapse, Szita and Lorincz 2006).

    Parameters
    ----------
    n_samples_per_episode : int
    retain_prcnt : float in (0, 1]
    init_std : float
    extra_std : float
        Noise added to the refitted standard deviation, divided by the iteration count.
    stochastic : bool
    random_state : int, Generator or None

    Attributes
    ----------
    mean_, std_ : ndarray (n_params,)
        The search distribution; ``mean_`` is the policy used for greedy play.

    References
    ----------
    R. Rubinstein, D. Kroese, The Cross-Entropy Method (2004); I. Szita, A. Lorincz,
    "Learning Tetris using the noisy cross-entropy method", Neural Computation (2006).
    """

    supports_box = True
    _example_spec = "cross_entropy(n_samples_per_episode=10, random_state=0)"

    def __init__(self, n_samples_per_episode=50, retain_prcnt=0.2, init_std=1.0, extra_std=0.0,
                 stochastic=False, random_state=None):
        self.n_samples_per_episode = check_scalar(n_samples_per_episode, "n_samples_per_episode", int, low=1)
        self.retain_prcnt = check_scalar(retain_prcnt, "retain_prcnt", low=0, low_inclusive=False, high=1)
        self.init_std = check_scalar(init_std, "init_std", low=0, low_inclusive=False)
        self.extra_std = check_scalar(extra_std, "extra_std", low=0)
        self.stochastic = bool(stochastic)
        self.random_state = random_state

    @property
    def episodes_per_call(self) -> int:
        """Episodes one training ``run_episode`` plays (one per sampled policy)."""
        return self.n_samples_per_episode

    def _setup_box(self, space):
        self.obs_dim_ = int(np.prod(space.shape))

    def _init_tables(self):
        if getattr(self, "obs_dim_", None) is None:
            self.obs_dim_ = self.n_states_
        n = (self.obs_dim_ + 1) * self.n_actions_
        self.mean_ = np.zeros(n)
        self.std_ = np.full(n, float(self.init_std))
        self.n_iterations_ = 0

    def _x(self, observation):
        if getattr(self, "obs_radices_", None) is not None:
            x = np.zeros(self.obs_dim_)
            x[self.state(observation)] = 1.0
            return x
        return np.asarray(observation, dtype=float).reshape(-1)

    def _scores(self, theta, observation):
        W = theta[: -self.n_actions_].reshape(self.obs_dim_, self.n_actions_)
        return self._x(observation) @ W + theta[-self.n_actions_:]

    def action_values(self, observation) -> np.ndarray:
        self._check_setup()
        return self._scores(self.mean_, observation)

    def _play(self, theta, env, max_steps, seed, stochastic):
        obs, _ = env.reset(seed=seed)
        total, steps = 0.0, 0
        rng = self._rng()
        while max_steps is None or steps < max_steps:  # sequential by nature
            z = self._scores(theta, obs)
            if stochastic:
                p = np.exp(z - z.max())
                a = int(rng.choice(len(z), p=p / p.sum()))
            else:
                a = self._greedy(z)
            obs, reward, terminated, truncated, _ = env.step(a + self.action_start_)
            total += reward
            steps += 1
            if terminated or truncated:
                break
        return total, steps

    def run_episode(self, env, max_steps=None, train: bool = True, seed=None):
        """Greedy play of ``mean_`` (``train=False``), or one CEM iteration; returns ``(return, steps)``.

        In training, the return is the mean over the sampled policies.
        """
        self.setup(env)
        if not train:
            return self._play(self.mean_, env, max_steps, seed, self.stochastic)
        rng = self._rng()
        thetas = self.mean_ + self.std_ * rng.standard_normal((self.n_samples_per_episode, self.mean_.size))
        results = [self._play(t, env, max_steps, seed if i == 0 else None, self.stochastic)
                   for i, t in enumerate(thetas)]
        returns = np.array([r for r, _ in results])
        n_elite = max(1, int(round(self.retain_prcnt * len(thetas))))
        elite = thetas[np.argsort(returns)[::-1][:n_elite]]
        self.n_iterations_ += 1
        self.mean_ = elite.mean(axis=0)
        self.std_ = elite.std(axis=0) + self.extra_std / self.n_iterations_
        return float(returns.mean()), int(sum(s for _, s in results))


