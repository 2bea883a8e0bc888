"""Draw the README figure (needs matplotlib)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import mlcore

rng = np.random.default_rng(0)
X = np.vstack([rng.multivariate_normal(m, c, 300) for m, c in
               [([0, 0], [[2, 1.5], [1.5, 2]]), ([6, 0], [[.5, 0], [0, .5]]), ([3, 5], [[1, -.6], [-.6, 1]])]])
gm = mlcore.build("gmm(n_components=3, random_state=0)").fit(X)
plt.scatter(*X.T, s=3, c=gm.predict(X))
t = np.linspace(0, 2 * np.pi, 100)
for m, c in zip(gm.means_, gm.covariances_):
    for r in (1, 2):
        plt.plot(*(m[:, None] + r * np.linalg.cholesky(c) @ np.vstack([np.cos(t), np.sin(t)])), "k")
plt.axis("equal"); plt.savefig("gmm.png")
