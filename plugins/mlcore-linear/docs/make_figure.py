"""Draw docs/figure.png (needs matplotlib): logistic decision regions and a Bayesian predictive band.

Run from plugins/mlcore-linear: python docs/make_figure.py
"""
import pathlib

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import mlcore

rng = np.random.default_rng(0)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))

# 1. logistic decision regions (3 classes); grey = uncertain
X = rng.normal(size=(300, 2)) + np.repeat([[0, 2], [2, -1], [-2, -1]], 100, axis=0)
y = np.repeat([0, 1, 2], 100)
clf = mlcore.build("logistic_regression(C=1.0)").fit(X, y)
g = np.linspace(-5, 5, 300)
G = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
ax1.contourf(g, g, clf.predict_proba(G).max(1).reshape(300, 300), levels=20, cmap="Greys_r", alpha=0.5)
ax1.contour(g, g, clf.predict(G).reshape(300, 300), levels=[0.5, 1.5], colors="k")
ax1.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="viridis")
ax1.set_xlim(-5, 5)
ax1.set_title(f"logistic_regression: accuracy {clf.score(X, y):.2f}")

# 2. Bayesian predictive band (unknown noise variance, cubic features)
x = np.sort(rng.uniform(-3, 3, 25))
t = np.sin(x) + 0.3 * rng.normal(size=25)


def feats(v):
    return np.column_stack([v, v ** 2, v ** 3])


blr = mlcore.build("bayesian_linear_regression(V=10.0, noise_variance=None)").fit(feats(x), t)
xs = np.linspace(-4, 4, 200)
mean, std = blr.predict(feats(xs), return_std=True)
coef, b = blr.sample(5, random_state=1)
ax2.fill_between(xs, mean - 2 * std, mean + 2 * std, color="C0", alpha=0.2, label="predictive mean +- 2 std")
ax2.plot(xs, mean, "C0")
ax2.plot(xs, feats(xs) @ coef.T + b, "C1", lw=0.7, alpha=0.8)
ax2.scatter(x, t, c="k", s=10, label="data")
ax2.set_ylim(-4, 4)
ax2.set_title("bayesian_linear_regression: band and 5 posterior draws")
ax2.legend(loc="lower right", fontsize=8)
fig.tight_layout()
fig.savefig(pathlib.Path(__file__).with_name("figure.png"), dpi=80)
