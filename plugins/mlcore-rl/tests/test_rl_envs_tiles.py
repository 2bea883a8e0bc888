"""Built-in environments and the tile coder."""

import itertools

import numpy as np
import pytest
from mlcore_rl.tiles import TileCoder

import mlcore
from mlcore.testing import check_component


def test_chain_moves_and_terminates():
    env = mlcore.build("chain(n_states=4, step_reward=-1.0)", kind="env")
    obs, info = env.reset(seed=0)
    assert (obs, info) == (0, {})
    assert env.step(0)[:3] == (0, -1.0, False)  # bumping the left wall
    assert [env.step(1)[:3] for _ in range(3)] == [(1, -1.0, False), (2, -1.0, False), (3, 1.0, True)]
    with pytest.raises(ValueError, match="action"):
        env.step(2)


def test_grid_world_walls_and_goal():
    env = mlcore.build("grid_world(rows=2, cols=3, walls=[(0, 1)], start=(0, 0), goal=(0, 2))", kind="env")
    s, _ = env.reset()
    assert s == 0
    assert env.step(1)[0] == 0  # wall to the right: stay
    assert env.step(2)[0] == 3  # down
    assert env.step(1)[0] == 4 and env.step(1)[0] == 5
    obs, reward, terminated, truncated, _ = env.step(0)
    assert (obs, reward, terminated, truncated) == (2, 0.0, True, False)
    with pytest.raises(mlcore.errors.ComponentArgumentError, match="free cell"):
        mlcore.build("grid_world(walls=[(2, 0)], start=(2, 0))", kind="env")


def test_time_limit_comes_from_gymnasium_and_k_armed():
    import gymnasium as gym

    env = gym.make("mlcore/Chain-v0", n_states=50, max_episode_steps=3)
    env.reset(seed=0)
    assert [env.step(0)[3] for _ in range(3)] == [False, False, True]
    bandit = mlcore.build("k_armed(k=4, episode_length=2, random_state=1)", kind="env")
    bandit.reset(seed=0)
    assert bandit.step(2)[2] is False and bandit.step(2)[2] is True
    np.testing.assert_allclose(bandit.q_, np.random.default_rng(1).standard_normal(4))


def _reference_tiles(x, low, high, n_tilings, grid):
    """Tile indices written out with explicit loops (independent of TileCoder's vectorisation)."""
    d = len(x)
    width = [(high[i] - low[i]) / grid[i] for i in range(d)]
    per = int(np.prod([g + 1 for g in grid]))
    out = []
    for t in range(n_tilings):
        idx, stride = 0, 1
        for i in range(d):
            offset = ((t * (2 * i + 1)) / n_tilings % 1.0) * width[i]
            xi = min(max(x[i], low[i]), high[i]) - low[i]
            c = min(int(np.floor((xi + offset) / width[i])), grid[i])
            idx += c * stride
            stride *= grid[i] + 1
        out.append(t * per + idx)
    return out


def test_tile_coder_matches_loop_reference():
    low, high, grid = [-1.0, 0.0, 2.0], [1.0, 5.0, 3.0], [4, 3, 5]
    tc = TileCoder(low, high, n_tilings=6, grid_dims=grid)
    rng = np.random.default_rng(0)
    for x in rng.uniform([-1.5, -1, 1.5], [1.5, 6, 3.5], (200, 3)):
        idx = tc.indices(x)
        assert idx.tolist() == _reference_tiles(x, low, high, 6, grid)
        assert len(set(idx.tolist())) == 6 and idx.min() >= 0 and idx.max() < tc.n_features


def test_tile_coder_generalises_locally():
    tc = TileCoder([0.0, 0.0], [1.0, 1.0], n_tilings=8, grid_dims=4)
    a, b, far = tc.indices([0.5, 0.5]), tc.indices([0.52, 0.5]), tc.indices([0.95, 0.05])
    assert len(set(a) & set(b)) >= 6 and len(set(a) & set(far)) == 0
    with pytest.raises(ValueError, match="finite bounds"):
        TileCoder([0.0], [np.inf])


@pytest.mark.parametrize("name", ["chain", "grid_world", "k_armed"])
def test_envs_conform(name, tmp_path):
    check_component(name, kind="env", tmp_path=tmp_path)


def test_every_action_of_every_state_is_reachable_in_the_chain():
    env = mlcore.build("chain(n_states=5)", kind="env")
    seen = set()
    for start, action in itertools.product(range(4), (0, 1)):
        env.reset()
        env._s = start
        seen.add(env.step(action)[0])
    assert seen == {0, 1, 2, 3, 4}


def test_trainer_accumulates_the_learning_curve_and_plots(tmp_path):
    from mlcore_rl import Trainer

    trainer = Trainer(mlcore.build("temporal_difference(random_state=0)", kind="agent"),
                      mlcore.build("chain(n_states=5)", kind="env"))
    first = trainer.train(4, max_steps=30, random_state=0)
    trainer.train(3, max_steps=30)
    assert len(trainer.returns_) == 7 and np.array_equal(trainer.returns_[:4], first)
    assert trainer.evaluate(2, max_steps=30).shape == (2,)
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = trainer.plot_returns(smooth=2)
    assert len(ax.lines) == 2
