"""Draw docs/learning_curves.png: Q-learning and Dyna-Q on the built-in grid world."""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from mlcore_rl import plot_returns, train  # noqa: E402

import mlcore  # noqa: E402

fig, ax = plt.subplots(figsize=(6, 4))
for spec, label in [("temporal_difference(lr=0.5, epsilon=0.1, off_policy=True, temporal_discount=0.95, "
                     "random_state=0)", "Q-learning"),
                    ("dyna(lr=0.5, epsilon=0.1, temporal_discount=0.95, n_simulated_actions=20, random_state=0)",
                     "Dyna-Q (20 planning steps)")]:
    env = mlcore.build("grid_world", kind="env")
    returns = train(mlcore.build(spec, kind="agent"), env, 150, max_steps=1000, random_state=0)
    plot_returns(returns, ax=ax, smooth=10, label=label)
ax.set_ylim(-400, 0)
ax.set_title("Dyna maze: return per episode")
fig.tight_layout()
fig.savefig(pathlib.Path(__file__).with_name("learning_curves.png"), dpi=80)
