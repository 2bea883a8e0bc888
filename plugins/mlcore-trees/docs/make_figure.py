"""Draw the README figure (needs matplotlib)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

import mlcore

X, y = make_moons(400, noise=0.3, random_state=0)
xx, yy = np.meshgrid(np.linspace(-2, 3, 300), np.linspace(-1.5, 2, 300))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, spec in zip(axes, ["decision_tree(max_depth=5)", "random_forest(n_estimators=100, random_state=0)",
                           "gbdt(n_estimators=100)"]):
    p = mlcore.build(spec).fit(X, y).predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, p, levels=20, cmap="RdBu_r", alpha=0.7)
    ax.scatter(*X.T, c=y, cmap="RdBu_r", edgecolor="k", s=12)
    ax.set_title(spec.split("(")[0])
fig.savefig("tree_regions.png", dpi=80)
