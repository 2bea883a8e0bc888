"""Draw the README figure (needs matplotlib)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import mlcore

rng = np.random.default_rng(0)
topics = np.kron(np.eye(3), np.ones(20) / 20) * 0.97 + 0.01
topics /= topics.sum(axis=1, keepdims=True)
docs = [rng.permutation(np.repeat(np.arange(60), rng.multinomial(40, rng.dirichlet([.2] * 3) @ topics)))
        for _ in range(200)]
lda = mlcore.build("lda(n_topics=3, random_state=0)").fit(docs)
plt.imshow(lda.topic_word_, aspect="auto", cmap="viridis"); plt.xlabel("word"); plt.ylabel("topic")
plt.savefig("lda.png")
