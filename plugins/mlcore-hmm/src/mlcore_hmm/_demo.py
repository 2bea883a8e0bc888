"""Demo: a two-state 'casino' HMM (fair and loaded die) learned by Baum-Welch."""

from __future__ import annotations


def run():
    import time

    import numpy as np

    import mlcore

    truth = mlcore.build("multinomial_hmm", n_states=2, startprob=[0.5, 0.5],
                         transmat=[[0.95, 0.05], [0.1, 0.9]],
                         emissionprob=[[1 / 6] * 6, [0.1] * 5 + [0.5]], max_iter=0, random_state=1)
    truth.fit([0, 1, 2, 3, 4, 5])                     # max_iter=0: keeps the given parameters
    X, states = truth.sample(5000)
    t0 = time.perf_counter()
    est = mlcore.build("multinomial_hmm(n_states=2, max_iter=100, tol=1e-4, random_state=0)").fit(X)
    dt = time.perf_counter() - t0
    loaded = int(np.argmax(est.emissionprob_[:, 5]))
    print(f"Baum-Welch on 5,000 rolls: {est.n_iter_} iterations in {dt * 1e3:.0f} ms, "
          f"log-likelihood {est.history_[-1]:.2f}")
    print(f"  learned P(six | loaded) = {est.emissionprob_[loaded, 5]:.3f} (true 0.5), "
          f"P(stay loaded) = {est.transmat_[loaded, loaded]:.3f} (true 0.9)")
    t0 = time.perf_counter()
    _, path = est.decode(X)
    dt = time.perf_counter() - t0
    acc = np.mean((path == loaded) == (states == 1))
    print(f"  Viterbi in {dt * 1e3:.1f} ms: {acc:.1%} of the states recovered; "
          f"mean posterior of the true state {np.mean(est.score_samples(X)[np.arange(5000), np.where(states == 1, loaded, 1 - loaded)]):.3f}")
