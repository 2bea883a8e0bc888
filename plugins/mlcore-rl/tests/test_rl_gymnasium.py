"""Issue 19 acceptance: every environment is a Gymnasium environment, and agents take any Gymnasium env.

Registry-wide: parametrised over every ``env`` component of the mlcore registry and every
``mlcore/`` id of Gymnasium's registry (both plugins, rl and bandits).
"""

import subprocess
import sys
import tracemalloc

import gymnasium as gym
import mlcore_bandits  # noqa: F401  (registers the bandits' Gymnasium ids)
import mlcore_rl  # noqa: F401
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env
from gymnasium.wrappers import RecordEpisodeStatistics, TimeLimit
from mlcore_rl.trainer import evaluate, train

import mlcore

ENV_NAMES = mlcore.registry().names(kind="env")
GYM_IDS = sorted(i for i in gym.envs.registry if i.startswith("mlcore/"))
AGENTS = ["temporal_difference(random_state=0)", "monte_carlo(random_state=0)", "dyna(random_state=0)",
          "cross_entropy(n_samples_per_episode=4, random_state=0)"]


def test_every_environment_has_a_gymnasium_id():
    assert len(ENV_NAMES) >= 9 and len(GYM_IDS) == len(ENV_NAMES)
    assert {mlcore.build(n, kind="env").spec.id for n in ENV_NAMES} == set(GYM_IDS)


@pytest.mark.parametrize("name", ENV_NAMES)
def test_check_env_passes_without_warnings(name):
    """Gymnasium's own checker on an environment built from its mlcore spec (warnings are errors here)."""
    env = mlcore.build(name, kind="env")
    assert isinstance(env, gym.Env)
    check_env(env)  # render modes and close are checked too, through env.spec


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_gymnasium_make_wrapped_in_time_limit_and_episode_statistics(env_id):
    env = gym.make(env_id)
    check_env(env.unwrapped)
    wrapped = RecordEpisodeStatistics(TimeLimit(env, max_episode_steps=50))
    wrapped.action_space.seed(0)
    for episode in range(3):
        obs, _ = wrapped.reset(seed=episode)
        assert obs in wrapped.observation_space
        steps, total = 0, 0.0
        while True:
            obs, reward, terminated, truncated, info = wrapped.step(wrapped.action_space.sample())
            steps, total = steps + 1, total + reward
            assert obs in wrapped.observation_space
            if terminated or truncated:
                break
        assert info["episode"]["l"] == steps <= 50 and info["episode"]["r"] == pytest.approx(total)
    assert wrapped.episode_count == 3


def test_time_limits_where_episodes_could_run_forever():
    limits = {i: gym.spec(i).max_episode_steps for i in GYM_IDS}
    assert limits["mlcore/Chain-v0"] and limits["mlcore/GridWorld-v0"]
    # the others end by themselves: after episode_length pulls, or after the single pull of a bandit
    assert all(limits[i] is None for i in GYM_IDS if i not in ("mlcore/Chain-v0", "mlcore/GridWorld-v0"))


def test_module_prefixed_id_registers_without_importing_the_plugin_first():
    """Gymnasium 1.x has no entry-point plugin hook; its documented route is ``module:id``."""
    code = ("import gymnasium as gym, sys\n"
            "assert 'mlcore_rl' not in sys.modules and 'mlcore_bandits' not in sys.modules\n"
            "print(gym.make('mlcore_rl:mlcore/GridWorld-v0').reset(seed=0)[0],"
            " gym.make('mlcore_bandits:mlcore/BernoulliBandit-v0').reset(seed=0)[0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.split() == ["18", "0"], out.stderr


@pytest.mark.parametrize("name", ENV_NAMES)
def test_saved_environment_resumes_exactly(name, tmp_path):
    """Save mid-run (RNG state, position, drawn instance); the loaded copy continues identically."""
    env = mlcore.build(name, kind="env", random_state=3)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(40)]

    def run(e, acts):
        out = []
        for a in acts:
            obs, reward, terminated, truncated, _ = e.step(a)
            out.append((np.asarray(obs).tolist(), reward, terminated))
            if terminated or truncated:
                e.reset()
        return out

    env.reset(seed=5)
    run(env, actions[:20])
    back = mlcore.load(mlcore.save(env, tmp_path / "env.npz"))
    assert run(back, actions[20:]) == run(env, actions[20:])


@pytest.mark.parametrize("spec", ["contextual_linear(n_arms=20000, n_features=20000)", "k_armed(k=100000000)",
                                  "chain(n_states=100000000)", "grid_world(rows=100000, cols=100000)",
                                  "contextual_bernoulli", "shortest_path"])
def test_building_allocates_nothing_large(spec):
    """A spec builds in kilobytes: instances (theta, q, paths) are drawn at the first reset."""
    tracemalloc.start()
    try:
        env = mlcore.build(spec, kind="env")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, (spec, peak)
    assert isinstance(env, gym.Env)


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("obs_space,act_space,named", [
    (spaces.MultiBinary(3), spaces.Discrete(2), "MultiBinary"),
    (spaces.Discrete(3), spaces.Box(-1.0, 1.0, (1,)), "Box"),
    (spaces.Dict({"a": spaces.Discrete(2)}), spaces.Discrete(2), "Dict"),
    (spaces.Text(5), spaces.Discrete(2), "Text"),
])
def test_unsupported_spaces_are_refused_naming_the_space(agent, obs_space, act_space, named):
    class Odd(gym.Env):
        observation_space, action_space = obs_space, act_space

    with pytest.raises(TypeError, match=named):
        mlcore.build(agent, kind="agent").setup(Odd())


@pytest.mark.parametrize("agent", ["monte_carlo(random_state=0)", "dyna(random_state=0)"])
def test_tabular_agents_refuse_box_observations(agent):
    with pytest.raises(TypeError, match="Box"):
        mlcore.build(agent, kind="agent").setup(gym.make("CartPole-v1"))


@pytest.mark.parametrize("agent", AGENTS)
def test_agents_learn_through_gymnasium_wrappers(agent):
    """Any wrapper stack works: the agents read only the spaces and the five-tuple."""
    env = RecordEpisodeStatistics(TimeLimit(gym.make("mlcore/Chain-v0", n_states=5), max_episode_steps=30))
    ag = mlcore.build(agent, kind="agent")
    returns = train(ag, env, 5, random_state=0)
    assert returns.shape == (5,) and env.episode_count >= 5
    tuple_env = gym.make("Blackjack-v1")  # Tuple(Discrete, Discrete, Discrete) observations
    if not agent.startswith("cross"):
        assert train(mlcore.build(agent, kind="agent"), tuple_env, 20, random_state=0).shape == (20,)


def test_trainer_returns_are_gymnasiums_episode_statistics():
    """train() returns what RecordEpisodeStatistics recorded, the agent's own totals agree."""
    env = gym.make("CliffWalking-v1")
    ag = mlcore.build("temporal_difference(lr=0.5, epsilon=0.1, off_policy=True, random_state=0)", kind="agent")
    returns = train(ag, env, 20, max_steps=100, random_state=0)
    twin = mlcore.build("temporal_difference(lr=0.5, epsilon=0.1, off_policy=True, random_state=0)", kind="agent")
    env2 = TimeLimit(gym.make("CliffWalking-v1"), max_episode_steps=100)
    seed = int(np.random.SeedSequence(0).spawn(1)[0].generate_state(1)[0])
    own = [twin.run_episode(env2, None, True, seed=seed if i == 0 else None)[0] for i in range(20)]
    np.testing.assert_array_equal(returns, own)
    assert evaluate(ag, env, 2, max_steps=100).shape == (2,)
