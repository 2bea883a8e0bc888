"""Draw the README figure (needs matplotlib)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import mlcore

truth = mlcore.build("multinomial_hmm", n_states=2, startprob=[.5, .5], transmat=[[.95, .05], [.1, .9]],
                     emissionprob=[[1/6] * 6, [.1] * 5 + [.5]], max_iter=0, random_state=1).fit([0, 1, 2, 3, 4, 5])
X, z = truth.sample(600)
post = truth.score_samples(X)
plt.plot(post[:, 1], label="P(loaded | rolls)"); plt.fill_between(range(600), z, alpha=.2, label="true state")
plt.legend(); plt.savefig("hmm.png")
