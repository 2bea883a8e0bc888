"""Training and evaluation loops over Gymnasium environments, and the learning-curve plot."""

from __future__ import annotations

import numpy as np

from mlcore.progress import progress_iter
from mlcore.validation import check_scalar

__all__ = ["Trainer", "train", "evaluate", "plot_returns"]


def _seeds(random_state, n):
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(random_state).spawn(n)]


def _wrap(env, max_steps, n_episodes):
    """``env`` inside Gymnasium's ``TimeLimit`` (when ``max_steps``) and ``RecordEpisodeStatistics``."""
    from gymnasium.wrappers import RecordEpisodeStatistics, TimeLimit

    if max_steps is not None:
        env = TimeLimit(env, max_episode_steps=check_scalar(max_steps, "max_steps", int, low=1))
    # Its own info key, so an environment already wrapped in RecordEpisodeStatistics works too.
    return RecordEpisodeStatistics(env, buffer_length=n_episodes, stats_key="mlcore_episode")


def _run(agent, env, n_episodes, max_steps, random_state, progress, train_):
    """Episodes of ``agent`` on the wrapped ``env``; returns from ``RecordEpisodeStatistics``.

    One call of ``run_episode`` may play several episodes (a cross-entropy iteration plays
    one per sampled policy): its entry is the mean return of the episodes it played.
    """
    check_scalar(n_episodes, "n_episodes", int, low=1)
    seed = _seeds(random_state, 1)[0]
    stats = _wrap(env, max_steps, getattr(agent, "episodes_per_call", 1))
    returns = np.empty(n_episodes)
    for i in progress_iter(range(n_episodes), progress, "episodes"):
        before = stats.episode_count
        agent.run_episode(stats, max_steps=None, train=train_, seed=seed if i == 0 else None)
        played = stats.episode_count - before
        if played == 0:
            raise RuntimeError(f"{type(agent).__name__}.run_episode returned before the episode ended")
        returns[i] = stats.return_queue[-1] if played == 1 else np.mean(list(stats.return_queue)[-played:])
    return returns


def train(agent, env, n_episodes: int, max_steps=None, random_state=None, progress=None) -> np.ndarray:
    """Train ``agent`` on ``env`` (any ``gymnasium.Env``) for ``n_episodes``; returns the per-episode returns.

    The environment is wrapped in Gymnasium's ``TimeLimit(max_steps)`` (if given) and
    ``RecordEpisodeStatistics``, whose returns are the ones returned. It is seeded once, at
    the first reset, from ``random_state`` (the Gymnasium convention); the agent uses its own
    ``random_state``. A progress bar (tqdm, optional) shows when ``progress`` is True, or when
    None and attached to a terminal.
    """
    return _run(agent, env, n_episodes, max_steps, random_state, progress, True)


def evaluate(agent, env, n_episodes: int = 100, max_steps=None, random_state=None) -> np.ndarray:
    """Returns of ``n_episodes`` greedy episodes (no learning); the environment is seeded once."""
    return _run(agent, env, n_episodes, max_steps, random_state, False, False)


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
