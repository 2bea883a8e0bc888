"""Draw docs/regret.png: cumulative regret of the policies on the 10-armed Bernoulli bandit."""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from mlcore_bandits import compare, plot_regret  # noqa: E402

ENV = "bernoulli(payoff_probs=[0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7])"
results = compare(["ucb1", "thompson_sampling", "epsilon_greedy(epsilon=1.0, decay=20.0)",
                   "epsilon_greedy(epsilon=0.1)"], ENV, n_trials=10_000, n_seeds=20, random_state=0)
fig, ax = plt.subplots(figsize=(6, 4))
plot_regret({spec.split(", n_arms")[0].split(", ev_prior")[0]: r for spec, r in results.items()}, ax=ax)
ax.set_title("10-armed Bernoulli bandit, mean of 20 seeds")
fig.tight_layout()
fig.savefig(pathlib.Path(__file__).with_name("regret.png"), dpi=80)
