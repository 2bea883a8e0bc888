"""Regret on a 10-armed Bernoulli bandit: sublinear growth, under stated bounds (20 seeds x 10,000 trials)."""

import numpy as np
import pytest
from mlcore_bandits.trainer import compare, run_bandit

PROBS = [0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7]
ENV = f"bernoulli(payoff_probs={PROBS})"
T, SEEDS = 10_000, 20
GAPS = max(PROBS) - np.array(PROBS)


def _ucb1_bound(t):
    """Theorem 1 of Auer, Cesa-Bianchi & Fischer (2002): sum_{gap>0} 8 ln t / gap + (1 + pi^2/3) sum gap."""
    g = GAPS[GAPS > 0]
    return float(np.sum(8 * np.log(t) / g) + (1 + np.pi ** 2 / 3) * np.sum(g))


@pytest.mark.slow
@pytest.mark.parametrize("policy,bound", [
    ("ucb1", _ucb1_bound(T)),
    # Stated bounds for the other two: a tenth of what uniform play would lose (0.1 * T * mean gap = 285).
    ("thompson_sampling", 0.1 * T * GAPS.mean()),
    ("epsilon_greedy(epsilon=1.0, decay=20.0)", 0.1 * T * GAPS.mean()),
])
def test_regret_is_sublinear_and_bounded(policy, bound):
    r = run_bandit(policy, ENV, n_trials=T, n_seeds=SEEDS, random_state=0)
    cr = r.cumulative_regret
    assert cr[-1] < bound, (policy, cr[-1], bound)
    # Sublinear: the second half of the run adds much less regret than the first (linear would add as much).
    assert cr[-1] - cr[T // 2 - 1] < 0.5 * cr[T // 2 - 1], (policy, cr[T // 2 - 1], cr[-1])


def test_constant_epsilon_is_linear_for_contrast():
    r = run_bandit("epsilon_greedy(epsilon=0.2)", ENV, n_trials=4000, n_seeds=3, random_state=0)
    cr = r.cumulative_regret
    assert cr[-1] - cr[1999] > 0.7 * cr[1999]


def test_linucb_beats_epsilon_greedy_on_linear_payoffs():
    env = "contextual_linear(n_arms=5, n_features=4, random_state=0)"
    res = compare(["linucb(alpha=0.5)", "epsilon_greedy(epsilon=0.1)"], env, n_trials=1500, n_seeds=3,
                  random_state=1)
    lin, eps = res.values()
    assert lin.cumulative_regret[-1] < 0.25 * eps.cumulative_regret[-1]


def test_runs_are_reproducible():
    a = run_bandit("thompson_sampling", ENV, n_trials=300, n_seeds=2, random_state=3)
    b = run_bandit("thompson_sampling", ENV, n_trials=300, n_seeds=2, random_state=3)
    np.testing.assert_array_equal(a.rewards, b.rewards)
    assert not np.array_equal(a.rewards[0], a.rewards[1])  # seeds differ between replicates


def test_plot_regret_draws_one_line_per_policy():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from mlcore_bandits import plot_regret

    res = compare(["ucb1", "thompson_sampling"], ENV, n_trials=50, n_seeds=2, random_state=0)
    ax = plot_regret(res)
    assert [line.get_label() for line in ax.lines] == list(res)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), res["ucb1"].cumulative_regret)


def test_gymnasium_made_environment_gives_the_trainers_regrets():
    """The same pulls through gymnasium.make (env checker, order enforcing) as through run_bandit."""
    import gymnasium as gym
    import mlcore_bandits  # noqa: F401

    import mlcore

    r = run_bandit("thompson_sampling", ENV, n_trials=300, n_seeds=1, random_state=4)
    env_seed, policy_seed = (int(s.generate_state(1)[0]) for s in np.random.SeedSequence(4).spawn(1)[0].spawn(2))
    env = gym.make("mlcore/BernoulliBandit-v0", payoff_probs=PROBS)
    policy = mlcore.build(f"thompson_sampling(random_state={policy_seed})", kind="agent")
    obs, _ = env.reset(seed=env_seed)
    regrets = []
    for _ in range(300):
        arm = policy.act(n_arms=len(PROBS))
        _, reward, terminated, _, info = env.step(arm)
        policy.update(arm, reward)
        regrets.append(max(PROBS) - PROBS[arm])  # the regret from its definition
        assert terminated and info["regret"] == pytest.approx(regrets[-1])
        env.reset()
    np.testing.assert_allclose(r.regrets[0], regrets)
