"""RL benchmark: tabular Q-learning agent overhead per step, against a minimal NumPy Q-table loop.

Both learn on Gymnasium's Taxi-v4 for 500 episodes. The environment's own cost per step is
measured separately (random actions) and subtracted, leaving the agent's overhead per step;
the trainer's Gymnasium wrappers (``TimeLimit``, ``RecordEpisodeStatistics``) count as the
agent's. A second workload trains the README's Taxi recipe for 10 training seeds and reports
the distribution of the mean greedy return over 3 evaluation seeds each.
"""

from __future__ import annotations

import time

import numpy as np


def _env():
    import gymnasium as gym

    return gym.make("Taxi-v4"), "Taxi-v4"


def _minimal(env, episodes, seed):
    """The hand-written reference: epsilon-greedy Q-learning with a NumPy table."""
    rng = np.random.default_rng(seed)
    Q = np.zeros((env.observation_space.n, env.action_space.n))
    steps = 0
    for ep in range(episodes):
        s, _ = env.reset(seed=seed if ep == 0 else None)
        for _ in range(200):
            a = int(rng.integers(Q.shape[1])) if rng.random() < 0.1 else int(np.argmax(Q[s]))
            s2, r, term, trunc, _ = env.step(a)
            Q[s, a] += 0.5 * (r + (0.0 if term else 0.99 * Q[s2].max()) - Q[s, a])
            s = s2
            steps += 1
            if term or trunc:
                break
    return steps


def _env_only(env, n_steps, seed):
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    for _ in range(n_steps):
        _, _, term, trunc, _ = env.step(int(rng.integers(env.action_space.n)))
        if term or trunc:
            env.reset()


def workloads(quick: bool = False):
    from mlcore_rl.trainer import evaluate, train

    import mlcore

    episodes = 100 if quick else 500
    env, name = _env()
    agent = mlcore.build("temporal_difference(lr=0.5, epsilon=0.1, off_policy=True, temporal_discount=0.99, "
                         "random_state=0)", kind="agent")  # the same rule as the reference loop
    t0 = time.perf_counter()
    returns = train(agent, env, episodes, max_steps=200, random_state=0)
    t_ml = time.perf_counter() - t0
    counter = {"n": 0}  # a second, identical run counts the steps
    step = env.step

    def counting_step(a):
        counter["n"] += 1
        return step(a)

    env.step = counting_step
    agent2 = mlcore.build(mlcore.to_spec(agent, full=True), kind="agent")
    t0 = time.perf_counter()
    train(agent2, env, episodes, max_steps=200, random_state=0)
    t_ml = min(t_ml, time.perf_counter() - t0)
    steps_ml = counter["n"]
    env.step = step
    t0 = time.perf_counter()
    steps_ref = _minimal(env, episodes, 0)
    t_ref = time.perf_counter() - t0
    n_env = max(steps_ml, steps_ref)
    t0 = time.perf_counter()
    _env_only(env, n_env, 1)
    per_env = (time.perf_counter() - t0) / n_env
    ours = t_ml / steps_ml - per_env
    ref = t_ref / steps_ref - per_env
    yield {"workload": f"Q-learning agent overhead per step ({name})", "mlcore": ours,
           "reference": "minimal NumPy Q-table loop", "ref": ref, "target": 1.5,
           "quality": f"env {per_env * 1e6:.1f} us/step; last-100 mean return {returns[-100:].mean():.2f}"}
    yield {"workload": f"{episodes} {name} episodes, agent time only", "mlcore": ours * steps_ml,
           "reference": "(target: under 1 s)", "ref": None, "quality": f"{steps_ml} steps"}
    if quick:
        return
    recipe = ("temporal_difference(lr=0.5, epsilon=0.3, epsilon_decay=0.998, min_epsilon=0.02, off_policy=True, "
              "temporal_discount=0.99, random_state={})")
    t0 = time.perf_counter()
    means = []
    for seed in range(10):
        ag = mlcore.build(recipe.format(seed), kind="agent")
        train(ag, env, 3000, max_steps=200, random_state=seed)
        means += [evaluate(ag, env, 100, max_steps=200, random_state=s).mean() for s in (1, 2, 3)]
    yield {"workload": "Taxi-v4 README recipe, 10 training x 3 evaluation seeds", "mlcore": time.perf_counter() - t0,
           "reference": "(quality: mean greedy return >= 7 for every pair)", "ref": None,
           "quality": f"median {np.median(means):.2f}, worst {min(means):.2f}, best {max(means):.2f}"}
