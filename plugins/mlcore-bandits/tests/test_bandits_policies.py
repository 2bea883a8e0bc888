"""Bandit policies: update rules checked by hand and by closed forms; save/load continuation."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_component


def test_ucb1_acts_without_reset_and_follows_its_formula():
    policy = mlcore.build("ucb1(C=1.0)", kind="agent")
    arms = []
    for reward in [0.0, 1.0, 0.5]:  # every arm once, in order
        arms.append(policy.act(n_arms=3))
        policy.update(arms[-1], reward)
    assert arms == [0, 1, 2]
    # t = 3, each arm played once: scores = ev + sqrt(2 ln 3)
    assert policy.act() == 1
    policy.update(1, 0.0)
    scores = np.array([0.0, 0.5, 0.5]) + np.sqrt(2 * np.log(4) / np.array([1, 2, 1]))
    assert policy.act() == int(np.argmax(scores))


def test_epsilon_greedy_running_means_and_greedy_choice():
    policy = mlcore.build("epsilon_greedy(epsilon=0.0, ev_prior=0.0, random_state=0)", kind="agent")
    for arm, r in [(0, 1.0), (0, 0.0), (1, 0.4), (2, 0.1)]:
        policy.act(n_arms=3)
        policy.update(arm, r)
    np.testing.assert_allclose(policy.ev_estimates_, [0.5, 0.4, 0.1])
    assert policy.act() == 0


def test_epsilon_greedy_decay_schedule_explores_less_over_time():
    policy = mlcore.build("epsilon_greedy(epsilon=1.0, decay=10.0, ev_prior=0.0, random_state=0)", kind="agent")
    policy.act(n_arms=2)
    policy.update(0, 1.0)
    chosen = []
    for t in range(2000):
        chosen.append(policy.act())
        policy.update(chosen[-1], 1.0 if chosen[-1] == 0 else 0.0)
    late = np.array(chosen[1000:])
    # epsilon_t <= 10 / 1000 for these steps: at most ~1% random picks, half of them arm 1
    assert (late == 1).mean() < 0.02


def test_thompson_posterior_counts():
    policy = mlcore.build("thompson_sampling(alpha=2.0, beta=3.0, random_state=0)", kind="agent")
    policy.act(n_arms=2)
    for arm, r in [(0, 1.0), (0, 1.0), (1, 0.0), (0, 0.0)]:
        policy.update(arm, r)
    np.testing.assert_allclose(policy.alpha_, [4.0, 2.0])
    np.testing.assert_allclose(policy.beta_, [4.0, 4.0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        policy.update(0, 2.0)


def test_linucb_matches_ridge_closed_form():
    """A_a^-1 must equal inv(I + sum x x^T): an outer product, not a scalar (numpy-ml defect)."""
    rng = np.random.default_rng(0)
    policy = mlcore.build("linucb(alpha=0.7)", kind="agent")
    d, k = 3, 2
    xs, rs = {0: [], 1: []}, {0: [], 1: []}
    for _ in range(40):
        ctx = rng.standard_normal((d, k))
        arm = policy.act(ctx)
        r = float(rng.normal())
        policy.update(arm, r, ctx)
        xs[arm].append(ctx[:, arm])
        rs[arm].append(r)
    for a in range(k):
        X = np.array(xs[a]).reshape(-1, d)
        A = np.eye(d) + X.T @ X
        np.testing.assert_allclose(policy.A_inv_[a], np.linalg.inv(A), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(policy.b_[a], X.T @ np.array(rs[a]), rtol=1e-12)
    ctx = rng.standard_normal((d, k))
    scores = [np.linalg.solve(np.eye(d) + np.array(xs[a]).T @ np.array(xs[a]), np.array(xs[a]).T @ np.array(rs[a]))
              @ ctx[:, a] + 0.7 * np.sqrt(ctx[:, a] @ np.linalg.inv(np.eye(d) + np.array(xs[a]).T
                                                                    @ np.array(xs[a])) @ ctx[:, a]) for a in range(k)]
    assert policy.act(ctx) == int(np.argmax(scores))


def _play(policy, env, n):
    out = []
    for _ in range(n):
        env.reset()
        arm = policy.act(n_arms=3)
        reward = env.step(arm)[1]
        policy.update(arm, reward)
        out.append((arm, reward))
    return out


def test_save_load_continues_identically(tmp_path):
    """Policy and environment saved mid-run: the loaded pair continues exactly (RNG states included)."""
    env = mlcore.build("bernoulli(payoff_probs=[0.3, 0.6, 0.5], random_state=0)", kind="env")
    policy = mlcore.build("thompson_sampling(random_state=4)", kind="agent")
    _play(policy, env, 30)
    back = mlcore.load(mlcore.save(policy, tmp_path / "p.npz"))
    env_back = mlcore.load(mlcore.save(env, tmp_path / "e.npz"))
    assert _play(back, env_back, 40) == _play(policy, env, 40)


def test_reset_forgets():
    policy = mlcore.build("ucb1(n_arms=2)", kind="agent")
    policy.update(0, 1.0)
    policy.reset()
    assert not hasattr(policy, "counts_") and policy.act() == 0


@pytest.mark.parametrize("name", ["epsilon_greedy", "ucb1", "thompson_sampling", "linucb"])
def test_policies_conform(name, tmp_path):
    check_component(name, kind="agent", tmp_path=tmp_path)
