"""``mlcore demo`` part: four policies on a 10-armed Bernoulli bandit, and LinUCB vs epsilon-greedy."""

from .trainer import compare

ENV = "bernoulli(payoff_probs=[0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7])"


def run():
    policies = ["epsilon_greedy(epsilon=1.0, decay=20.0)", "ucb1", "thompson_sampling"]
    for spec, r in compare(policies, ENV, n_trials=2000, n_seeds=3, random_state=0).items():
        print(f"   {spec:45s} regret after 2000 pulls {r.cumulative_regret[-1]:6.1f}, "
              f"best arm {r.optimal_rate:.0%} of the time")
    ctx_env = "contextual_linear(n_arms=5, n_features=4, random_state=0)"
    for spec, r in compare(["linucb(alpha=0.5)", "epsilon_greedy(epsilon=0.1)"], ctx_env, n_trials=1000,
                           n_seeds=2, random_state=0).items():
        print(f"   {spec:45s} contextual regret {r.cumulative_regret[-1]:6.1f}")
