"""Run bandit policies for many trials and seeds; regret curves and their plot.

Each replicate builds a fresh policy and environment from their specs with seeds derived
from ``random_state``, so runs are reproducible and replicates independent.
"""

from __future__ import annotations

import numpy as np

import mlcore
from mlcore.progress import progress_iter
from mlcore.validation import check_scalar

__all__ = ["BanditResults", "run_bandit", "compare", "plot_regret"]


class BanditResults:
    """Per-trial logs of one policy on one environment, over several seeds.

    Attributes
    ----------
    policy, env : str
        Full specs of the policy and the environment.
    rewards, regrets : ndarray (n_seeds, n_trials)
        Observed rewards and expected (pseudo-)regrets ``max_k EV_k - EV_chosen``.
    optimal : ndarray of bool (n_seeds, n_trials)
        Whether the chosen arm was the best one for its context.
    """

    def __init__(self, policy: str, env: str, rewards, regrets, optimal):
        self.policy, self.env = policy, env
        self.rewards, self.regrets, self.optimal = rewards, regrets, optimal

    @property
    def cumulative_regret(self) -> np.ndarray:
        """Mean over seeds of the cumulative expected regret, shape ``(n_trials,)``."""
        return np.cumsum(self.regrets, axis=1).mean(axis=0)

    @property
    def optimal_rate(self) -> float:
        """Fraction of trials (all seeds) that chose the best arm."""
        return float(self.optimal.mean())

    def __repr__(self) -> str:
        n_seeds, n_trials = self.regrets.shape
        return (f"BanditResults({self.policy} on {self.env}: {n_seeds} seeds x {n_trials} trials, "
                f"cumulative regret {self.cumulative_regret[-1]:.2f}, optimal arm {self.optimal_rate:.1%})")


def _spec(x, kind):
    return x if isinstance(x, str) else mlcore.to_spec(x, full=True)


def run_bandit(policy, env, n_trials: int = 1000, n_seeds: int = 1, random_state=None,
               progress=None) -> BanditResults:
    """Run ``policy`` on ``env`` for ``n_trials`` steps, ``n_seeds`` times.

    Parameters
    ----------
    policy, env : spec string or component
        Objects are copied through their full spec, so they are left untouched.
    n_trials, n_seeds : int
    random_state : int or None
        Seeds every replicate's environment and policy.
    progress : bool or None
        Show a tqdm bar over seeds (if tqdm is installed); None shows it on a terminal.

    Returns
    -------
    BanditResults
    """
    check_scalar(n_trials, "n_trials", int, low=1)
    check_scalar(n_seeds, "n_seeds", int, low=1)
    pspec, espec = _spec(policy, "agent"), _spec(env, "env")
    seeds = np.random.SeedSequence(random_state).spawn(n_seeds)
    rewards = np.empty((n_seeds, n_trials))
    regrets = np.empty((n_seeds, n_trials))
    optimal = np.empty((n_seeds, n_trials), dtype=bool)
    for i in progress_iter(range(n_seeds), progress, "seeds"):
        env_seed, policy_seed = (int(s.generate_state(1)[0]) for s in seeds[i].spawn(2))
        e = mlcore.build(espec, kind="env")
        p = mlcore.build(pspec, kind="agent")
        if hasattr(p, "random_state"):
            p.random_state = policy_seed
        obs, _ = e.reset(seed=env_seed)
        n_arms, contextual = e.n_arms, e.contextual
        for t in range(n_trials):  # the bandit protocol is sequential: each choice depends on the past
            ctx = obs if contextual else None
            arm = p.act(ctx, n_arms=n_arms)
            _, reward, _, _, info = e.step(arm)  # one pull is a one-step episode
            p.update(arm, reward, ctx)
            rewards[i, t], regrets[i, t] = reward, info["regret"]
            optimal[i, t] = arm == info["optimal_arm"]
            if t + 1 < n_trials:
                obs, _ = e.reset()  # the next pull; the environment's random stream continues
    return BanditResults(pspec, espec, rewards, regrets, optimal)


def compare(policies, env, n_trials: int = 1000, n_seeds: int = 1, random_state=None,
            progress=None) -> dict[str, BanditResults]:
    """Run several policies on the same environment and seeds; ``{spec: results}``."""
    return {_spec(p, "agent"): run_bandit(p, env, n_trials, n_seeds, random_state, progress) for p in policies}


def plot_regret(results, ax=None):
    """Plot mean cumulative regret against trials for one or several results; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    items = results.items() if isinstance(results, dict) else [(results.policy, results)]
    for label, r in items:
        ax.plot(np.arange(1, r.regrets.shape[1] + 1), r.cumulative_regret, label=label)
    ax.set_xlabel("trial")
    ax.set_ylabel("cumulative regret (mean over seeds)")
    ax.legend()
    return ax

