"""Training and evaluation loops, and the learning-curve plot."""

from __future__ import annotations

import numpy as np

from mlcore.progress import progress_iter
from mlcore.validation import check_scalar

__all__ = ["Trainer", "train", "evaluate", "plot_returns"]


def _seeds(random_state, n):
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(random_state).spawn(n)]


def train(agent, env, n_episodes: int, max_steps=None, random_state=None, progress=None) -> np.ndarray:
    """Train ``agent`` on ``env`` for ``n_episodes``; returns the per-episode returns.

    The environment is seeded once, at the first reset, from ``random_state`` (the
    Gymnasium convention); the agent uses its own ``random_state``. A progress bar (tqdm,
    optional) shows when ``progress`` is True, or when None and attached to a terminal.
    """
    check_scalar(n_episodes, "n_episodes", int, low=1)
    seed = _seeds(random_state, 1)[0]
    returns = np.empty(n_episodes)
    for i in progress_iter(range(n_episodes), progress, "episodes"):
        returns[i] = agent.run_episode(env, max_steps=max_steps, train=True, seed=seed if i == 0 else None)[0]
    return returns


def evaluate(agent, env, n_episodes: int = 100, max_steps=None, random_state=None) -> np.ndarray:
    """Returns of ``n_episodes`` greedy episodes (no learning); the environment is seeded once."""
    check_scalar(n_episodes, "n_episodes", int, low=1)
    seed = _seeds(random_state, 1)[0]
    return np.array([agent.run_episode(env, max_steps=max_steps, train=False, seed=seed if i == 0 else None)[0]
                     for i in range(n_episodes)])


def plot_returns(returns, ax=None, smooth: int = 20, label=None):
    """Plot per-episode returns and their moving average; returns the Axes (matplotlib optional)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    returns = np.asarray(returns, dtype=float)
    ax.plot(returns, alpha=0.3, label=None if label is None else f"{label} (episode)")
    if smooth > 1 and len(returns) >= smooth:
        avg = np.convolve(returns, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(smooth - 1, len(returns)), avg, label=label or f"moving average ({smooth})")
    ax.set_xlabel("episode")
    ax.set_ylabel("return")
    if label or smooth > 1:
        ax.legend()
    return ax



class Trainer:
    """Train one agent on one environment and keep its learning curve.

    A thin object around :func:`train`, :func:`evaluate` and :func:`plot_returns`.

    Example
    -------
    >>> import mlcore
    >>> trainer = Trainer(mlcore.build("dyna(random_state=0)", kind="agent"),
    ...                   mlcore.build("grid_world", kind="env"))
    >>> returns = trainer.train(n_episodes=5, max_steps=200, random_state=0)
    >>> len(trainer.returns_)
    5
    """

    def __init__(self, agent, env):
        self.agent, self.env = agent, env
        self.returns_ = np.empty(0)

    def train(self, n_episodes: int, max_steps=None, random_state=None, progress=None) -> np.ndarray:
        """Train for ``n_episodes`` more episodes; returns their returns (also appended to ``returns_``)."""
        returns = train(self.agent, self.env, n_episodes, max_steps, random_state, progress)
        self.returns_ = np.concatenate([self.returns_, returns])
        return returns

    def evaluate(self, n_episodes: int = 100, max_steps=None, random_state=None) -> np.ndarray:
        """Greedy returns of ``n_episodes`` episodes, without learning."""
        return evaluate(self.agent, self.env, n_episodes, max_steps, random_state)

    def plot_returns(self, ax=None, smooth: int = 20):
        """Plot the learning curve so far; returns the Axes."""
        return plot_returns(self.returns_, ax=ax, smooth=smooth)
