"""Dyna needs fewer real steps than Q-learning; CEM solves CartPole; conformance."""

from collections import deque

import numpy as np
import pytest
from mlcore_rl.trainer import evaluate, train

import mlcore
from mlcore.testing import check_component


def _shortest_path_length(env):
    """Breadth-first search over the grid (independent of the agents)."""
    start = env.start[0] * env.cols + env.start[1]
    goal = env.goal[0] * env.cols + env.goal[1]
    dist, queue = {start: 0}, deque([start])
    while queue:
        s = queue.popleft()
        r, c = divmod(s, env.cols)
        for dr, dc in ((-1, 0), (0, 1), (1, 0), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < env.rows and 0 <= nc < env.cols and (nr, nc) not in env._walls:
                n = nr * env.cols + nc
                if n not in dist:
                    dist[n] = dist[s] + 1
                    queue.append(n)
    return dist[goal]


def _real_steps_to_solve(spec, env):
    ag = mlcore.build(spec, kind="agent")
    optimal = _shortest_path_length(env)
    real = 0
    for episode in range(400):
        real += ag.run_episode(env, max_steps=2000, train=True, seed=episode)[1]
        if ag.run_episode(env, max_steps=200, train=False, seed=0)[1] == optimal:
            return real
    raise AssertionError(f"{spec} did not find the shortest path")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dyna_needs_fewer_real_steps_than_q_learning(seed):
    env = mlcore.build("grid_world", kind="env")
    q = _real_steps_to_solve(f"temporal_difference(lr=0.5, epsilon=0.1, off_policy=True, temporal_discount=0.95, "
                             f"random_state={seed})", env)
    dyna = _real_steps_to_solve(f"dyna(lr=0.5, epsilon=0.1, temporal_discount=0.95, n_simulated_actions=20, "
                                f"random_state={seed})", env)
    dyna_plus = _real_steps_to_solve(f"dyna(lr=0.5, epsilon=0.1, temporal_discount=0.95, n_simulated_actions=20, "
                                     f"q_plus=True, random_state={seed})", env)
    assert dyna < q / 2 and dyna_plus < q / 2, (q, dyna, dyna_plus)


def test_dyna_model_counts_outcomes_and_survives_save_load(tmp_path):
    env = mlcore.build("chain(n_states=4, slip=0.3, random_state=0)", kind="env")
    ag = mlcore.build("dyna(n_simulated_actions=5, random_state=0)", kind="agent")
    train(ag, env, 20, max_steps=50, random_state=0)
    counts = {k: sum(v.values()) for k, v in ag._model.items()}
    assert sum(counts.values()) == ag.n_real_steps_
    back = mlcore.load(mlcore.save(ag, tmp_path / "dyna.npz"))
    assert back._model == ag._model and np.array_equal(back.Q_, ag.Q_)


@pytest.mark.gymnasium
@pytest.mark.slow
def test_cross_entropy_solves_cartpole():
    import gymnasium as gym

    env = gym.make("CartPole-v1")
    ag = mlcore.build("cross_entropy(n_samples_per_episode=30, retain_prcnt=0.2, extra_std=0.5, random_state=0)",
                      kind="agent")
    train(ag, env, 15, max_steps=500, random_state=0)
    assert evaluate(ag, env, 100, max_steps=500, random_state=1).mean() >= 195  # the classic "solved" bar


def test_cross_entropy_on_a_discrete_chain():
    env = mlcore.build("chain(n_states=6, step_reward=-1.0, goal_reward=0.0)", kind="env")
    ag = mlcore.build("cross_entropy(n_samples_per_episode=20, random_state=0)", kind="agent")
    train(ag, env, 10, max_steps=30, random_state=0)
    assert evaluate(ag, env, 2, max_steps=30).tolist() == [-4.0, -4.0]


@pytest.mark.parametrize("spec", ["dyna(random_state=0)", "cross_entropy(random_state=0)"])
def test_conforms(spec, tmp_path):
    check_component(spec, kind="agent", tmp_path=tmp_path)
