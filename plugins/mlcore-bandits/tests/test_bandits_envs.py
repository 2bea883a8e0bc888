"""Bandit environments: payoffs against their definitions, oracles, Gymnasium-style API."""

import numpy as np
import pytest

import mlcore
from mlcore.errors import ComponentArgumentError
from mlcore.testing import check_component


def _pulls(env, arm, n):
    """``n`` pulls of ``arm``, each a one-step episode (the random stream continues across resets)."""
    out = []
    for _ in range(n):
        env.reset()
        out.append(env.step(arm)[1])
    return out


def _mean_reward(env, arm, n=20000):
    env.reset(seed=1)
    return np.mean(_pulls(env, arm, n))


def test_bernoulli_pays_its_probabilities():
    env = mlcore.build("bernoulli(payoff_probs=[0.2, 0.7])", kind="env")
    for arm, p in enumerate([0.2, 0.7]):
        # 5 standard errors of a Bernoulli mean over 20000 pulls
        assert abs(_mean_reward(env, arm) - p) < 5 * np.sqrt(p * (1 - p) / 20000)
    assert env.oracle_payoff() == (0.7, 1)
    env.reset()
    obs, reward, terminated, truncated, info = env.step(0)
    assert obs == 0 and reward in (0.0, 1.0) and terminated is True and truncated is False
    assert info == {"expected_reward": 0.2, "regret": pytest.approx(0.5), "optimal_arm": 1}


def test_gaussian_mean_is_probability_times_mean():
    env = mlcore.build("gaussian(means=[1.0, -2.0], stds=[0.5, 2.0], payoff_probs=[0.5, 1.0])", kind="env")
    np.testing.assert_allclose(env.expected_rewards(), [0.5, -2.0])
    # arm 0: mixture of 0 and N(1, 0.25) with equal weight: variance 0.5*1.25 - 0.25 = 0.375
    assert abs(_mean_reward(env, 0) - 0.5) < 5 * np.sqrt(0.375 / 20000)
    assert abs(_mean_reward(env, 1) + 2.0) < 5 * 2.0 / np.sqrt(20000)


def test_multinomial_accepts_ragged_payoffs():
    env = mlcore.build("multinomial(payoffs=[[1.0, 5.0], [2.0, 3.0, 10.0]], "
                       "payoff_probs=[[0.5, 0.5], [0.2, 0.7, 0.1]])", kind="env")
    np.testing.assert_allclose(env.expected_rewards(), [3.0, 0.4 + 2.1 + 1.0])
    env.reset(seed=0)
    values = set(_pulls(env, 1, 200))
    assert values == {2.0, 3.0, 10.0}
    with pytest.raises(ComponentArgumentError, match="sum to 1"):
        mlcore.build("multinomial(payoffs=[[1.0]], payoff_probs=[[0.5]])", kind="env")


def test_shortest_path_arms_are_the_simple_paths():
    nx = pytest.importorskip("networkx")
    edges = [(0, 1, 1.0), (1, 3, 1.0), (0, 2, 0.5), (2, 3, 2.0), (1, 2, 0.2), (2, 1, 0.3)]
    env = mlcore.build("shortest_path", kind="env", edges=edges, start=0, end=3, weight_noise=0.0)
    g = nx.DiGraph()
    g.add_weighted_edges_from(edges)
    assert sorted(env.paths) == sorted(tuple(p) for p in nx.all_simple_paths(g, 0, 3))
    best_ev, best_arm = env.oracle_payoff()
    assert best_ev == pytest.approx(-nx.shortest_path_length(g, 0, 3, weight="weight"))
    assert list(env.paths[best_arm]) == nx.shortest_path(g, 0, 3, weight="weight")
    env.reset(seed=0)
    assert env.step(best_arm)[1] == pytest.approx(best_ev)  # no noise: the path length exactly
    with pytest.raises(ComponentArgumentError, match="no path"):
        mlcore.build("shortest_path", kind="env", edges=[(0, 1, 1.0), (2, 3, 1.0)], start=0, end=3)


def test_contextual_bernoulli_contexts_and_payoffs():
    env = mlcore.build("contextual_bernoulli(context_probs=[[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]])", kind="env")
    ctx, _ = env.reset(seed=3)
    assert ctx.shape == (3, 2) and ctx.sum() == 2 and np.all(ctx[:, 0] == ctx[:, 1])
    row = int(np.argmax(ctx[:, 0]))
    np.testing.assert_allclose(env.expected_rewards(ctx), [[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]][row])
    other = np.zeros((3, 2))
    other[1] = 1
    assert env.oracle_payoff(other) == (0.8, 0)  # the passed context is used, not the last pull's


def test_contextual_linear_expected_reward_is_the_dot_product():
    env = mlcore.build("contextual_linear(n_arms=3, n_features=4, noise_std=0.0, random_state=5)", kind="env")
    ctx, _ = env.reset(seed=0)
    np.testing.assert_allclose(np.linalg.norm(env.theta_, axis=0), 1.0)
    theta = np.random.default_rng(5).uniform(-1, 1, (4, 3))  # drawn from random_state, as documented
    np.testing.assert_allclose(env.theta_, theta / np.linalg.norm(theta, axis=0))
    expected = np.array([ctx[:, k] @ env.theta_[:, k] for k in range(3)])
    np.testing.assert_allclose(env.expected_rewards(ctx), expected)
    _, reward, _, _, info = env.step(2)
    assert reward == pytest.approx(expected[2]) and info["regret"] == pytest.approx(expected.max() - expected[2])


def test_seeding_and_validation():
    env = mlcore.build("bernoulli(payoff_probs=[0.5, 0.5], random_state=7)", kind="env")
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.reset()  # the first reset without a seed seeds from random_state
    a = [env.step(0)[1]] + _pulls(env, 0, 49)
    twin = mlcore.build("bernoulli(payoff_probs=[0.5, 0.5], random_state=7)", kind="env")
    twin.reset()
    assert [twin.step(0)[1]] + _pulls(twin, 0, 49) == a
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)  # the pull's episode has ended
    env.reset()
    with pytest.raises(ValueError, match="arm must be an integer"):
        env.step(2)
    with pytest.raises(ComponentArgumentError):
        mlcore.build("bernoulli(payoff_probs=[1.5])", kind="env")


@pytest.mark.parametrize("spec", ["gaussian(means=[inf, 0.0], stds=[1.0, 1.0])",
                                  "gaussian(means=[0.0, 0.0], stds=[1.0, inf])",
                                  "multinomial(payoffs=[[nan]], payoff_probs=[[1.0]])",
                                  "contextual_bernoulli(context_probs=[[nan, 0.5]])",
                                  "shortest_path(edges=[(0, 1, inf)], start=0, end=1)",
                                  "contextual_linear(feature_bound=inf)"])
def test_non_finite_arguments_are_refused(spec):
    with pytest.raises(ComponentArgumentError):
        mlcore.build(spec, kind="env")


def test_env_state_survives_save_load(tmp_path):
    env = mlcore.build("contextual_linear(random_state=1)", kind="env")
    env.reset(seed=2)
    env.step(0)
    env.reset()
    back = mlcore.load(mlcore.save(env, tmp_path / "env.npz"))
    np.testing.assert_array_equal(back.context(), env.context())
    np.testing.assert_array_equal(back.theta_, env.theta_)
    assert _pulls(back, 1, 5) == _pulls(env, 1, 5)


@pytest.mark.parametrize("name", ["bernoulli", "gaussian", "multinomial", "shortest_path",
                                  "contextual_bernoulli", "contextual_linear"])
def test_envs_conform(name, tmp_path):
    check_component(name, kind="env", tmp_path=tmp_path)
