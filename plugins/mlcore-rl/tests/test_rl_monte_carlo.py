"""Monte Carlo control: discounted first-visit returns, importance weights, Blackjack near optimal."""

import functools

import pytest
from mlcore_rl.trainer import evaluate, train

import mlcore
from mlcore.testing import check_component


class Scripted:
    """A fixed 3-step episode: states 0 -> 1 -> 0 -> end, rewards 1, 2, 4 whatever the action."""

    from gymnasium.spaces import Discrete

    observation_space, action_space = Discrete(2), Discrete(2)

    def reset(self, seed=None, options=None):
        self.t = 0
        return 0, {}

    def step(self, a):
        self.t += 1
        return [1, 0, 0][self.t - 1], [1.0, 2.0, 4.0][self.t - 1], self.t == 3, False, {}


def test_on_policy_returns_are_discounted_first_visit():
    """numpy-ml ignored the discount on-policy; here G_t = r_t + gamma G_{t+1}."""
    ag = mlcore.build("monte_carlo(temporal_discount=0.5, epsilon=0.0, random_state=0)", kind="agent")
    ag.setup(Scripted())
    ag.Q_[:] = [[0.0, -1.0], [0.0, -1.0]]  # greedy picks action 0 everywhere
    ag.run_episode(Scripted())
    # first visit of (0, 0) at t=0: G = 1 + 0.5*2 + 0.25*4 = 3; (1, 0) at t=1: G = 2 + 0.5*4 = 4
    assert ag.Q_[0, 0] == pytest.approx(3.0) and ag.Q_[1, 0] == pytest.approx(4.0)
    assert ag.counts_[0, 0] == 1  # the second visit of state 0 is not counted


def test_off_policy_weighted_importance_sampling_by_hand():
    ag = mlcore.build("monte_carlo(off_policy=True, temporal_discount=1.0, epsilon=0.5, random_state=0)",
                      kind="agent")
    ag.setup(Scripted())
    states, actions, rewards = [0, 1, 0], [0, 0, 0], [1.0, 2.0, 4.0]
    probs = [0.75, 0.75, 0.75]  # greedy action under epsilon=0.5 with two actions
    ag._learn_off_policy(states, actions, rewards, probs)
    # t=2: G=4, W=1 -> C=1, Q(0,0)=4; greedy, W=1/0.75. t=1: G=6, C=4/3, Q(1,0)=6; W=16/9.
    # t=0: G=7, C(0,0)=1+16/9, Q(0,0)=4 + (16/9)/(25/9)*(7-4)
    assert ag.Q_[1, 0] == pytest.approx(6.0)
    assert ag.Q_[0, 0] == pytest.approx(4.0 + 16 / 25 * 3.0)
    assert ag.counts_[0, 0] == pytest.approx(25 / 9)


# ---------------------------------------------------------------- Blackjack against dynamic programming

CARDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10]  # infinite deck, as Gymnasium's Blackjack draws


def _usable(total, ace):
    return total + 10 if ace and total + 10 <= 21 else total


@functools.lru_cache(None)
def _dealer(total, ace):
    """Distribution of the dealer's final usable sum (22 = bust), standing on 17 or more."""
    s = _usable(total, ace)
    if s >= 17:
        return {min(s, 22): 1.0} if s <= 21 else {22: 1.0}
    out = {}
    for c in CARDS:
        for k, p in _dealer(total + c, ace or c == 1).items():
            out[k] = out.get(k, 0.0) + p / 13
    return out


def _stick(player, showing):
    dist = {}
    for c in CARDS:  # the hidden card
        for k, p in _dealer(showing + c, showing == 1 or c == 1).items():
            dist[k] = dist.get(k, 0.0) + p / 13
    return sum(p * (1.0 if k == 22 or player > k else -1.0 if k > player else 0.0) for k, p in dist.items())


@functools.lru_cache(None)
def _optimal(total, ace, showing):
    s = _usable(total, ace)
    hit = 0.0
    for c in CARDS:
        t2, a2 = total + c, ace or c == 1
        hit += (-1.0 if _usable(t2, a2) > 21 else _optimal(t2, a2, showing)) / 13
    return max(_stick(s, showing), hit)


def optimal_blackjack_return():
    """Expected return of the optimal stick/hit policy, by exact dynamic programming."""
    v = 0.0
    for c1 in CARDS:
        for c2 in CARDS:
            for d in CARDS:
                v += _optimal(c1 + c2, c1 == 1 or c2 == 1, d) / 13 ** 3
    return v


@pytest.mark.gymnasium
@pytest.mark.slow
def test_blackjack_on_policy_mc_is_near_optimal():
    import gymnasium as gym

    optimal = optimal_blackjack_return()
    assert -0.06 < optimal < -0.03  # sanity: the house edge of basic strategy without doubling/splitting
    env = gym.make("Blackjack-v1")
    ag = mlcore.build("monte_carlo(epsilon=0.1, temporal_discount=1.0, random_state=0)", kind="agent")
    train(ag, env, 200_000, random_state=0)
    learned = evaluate(ag, env, 100_000, random_state=1).mean()
    assert abs(learned - optimal) <= 0.02, (learned, optimal)


def test_conforms(tmp_path):
    check_component("monte_carlo(off_policy=True, random_state=0)", kind="agent", tmp_path=tmp_path)
