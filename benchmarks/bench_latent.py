"""Benchmarks of the latent-variable and factorisation families (issue 6).

gmm vs sklearn GaussianMixture, multinomial_hmm vs hmmlearn CategoricalHMM, lda vs sklearn
LatentDirichletAllocation(learning_method='batch'), nmf vs sklearn NMF(solver='cd').
Run with single-threaded BLAS (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1) for the ratios
quoted in the plugin READMEs.
"""

from __future__ import annotations

import warnings

import numpy as np
from _harness import gmm_problem, paired_median_times

import mlcore


def _gmm(quick):
    from sklearn.mixture import GaussianMixture

    n = 4000 if quick else 20_000
    X, w0, m0, c0 = gmm_problem(n)
    ours = mlcore.build("gmm", n_components=8, max_iter=50, tol=0.0, weights_init=w0, means_init=m0,
                        covariances_init=c0)
    ref = GaussianMixture(8, covariance_type="full", max_iter=50, tol=0, weights_init=w0, means_init=m0,
                          precisions_init=np.linalg.inv(c0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, t_ref = paired_median_times(lambda: ours.fit(X), lambda: ref.fit(X), repeat=3)
    yield {"workload": f"gmm EM {len(X)}x5, 8 comps, 50 it (same start)", "mlcore": t_ours,
           "reference": "sklearn GaussianMixture", "ref": t_ref,
           "quality": f"avg loglik {ours.score(X):.6f} vs {ref.score(X):.6f}", "target": 1.5}


def _hmm_model(N=10, V=20, seed=0):
    from hmmlearn.hmm import CategoricalHMM

    rng = np.random.default_rng(seed)
    pi, A, B = rng.dirichlet(np.ones(N)), rng.dirichlet(np.ones(N), N), rng.dirichlet(np.ones(V), N)
    h = CategoricalHMM(N, init_params="")
    h.n_features = V
    h.startprob_, h.transmat_, h.emissionprob_ = pi, A, B
    return h, (pi, A, B)


def _viterbi_floor(pi, A, B, X):
    """The unavoidable NumPy work of Viterbi decoding: one vectorised max-plus step per time
    step (add the transition scores, arg-max over the previous state, gather the max) and
    the back-tracking, with every array preallocated."""
    logA, logB = np.log(A), np.log(B)
    T, N = len(X), len(pi)
    emit = logB[:, X].T.copy()                      # (T, N)
    M = np.empty((N, N))
    psi = np.empty((T, N), dtype=np.intp)
    cols = np.arange(N)

    def run():
        delta = np.log(pi) + emit[0]
        for t in range(1, T):  # the recursion is sequential in t: one vectorised step each
            np.add(delta[:, None], logA, out=M)
            np.argmax(M, axis=0, out=psi[t])
            delta = M[psi[t], cols] + emit[t]
        path = np.empty(T, dtype=np.intp)
        path[-1] = int(np.argmax(delta))
        for t in range(T - 1, 0, -1):  # back-tracking
            path[t - 1] = psi[t, path[t]]
        return path
    return run


def _hmm(quick):
    from hmmlearn.hmm import CategoricalHMM

    T = 2000 if quick else 10_000
    ref, (pi, A, B) = _hmm_model()
    X = ref.sample(T, random_state=0)[0][:, 0]
    ours = mlcore.build("multinomial_hmm", n_states=10, startprob=pi, transmat=A, emissionprob=B,
                        n_symbols=20, max_iter=1).fit(X)
    ours.startprob_, ours.transmat_, ours.emissionprob_ = pi, A, B
    t_ours, t_ref = paired_median_times(lambda: ours.score(X), lambda: ref.score(X[:, None]), repeat=7)
    yield {"workload": f"hmm loglik T={T}, N=10, V=20", "mlcore": t_ours, "reference": "hmmlearn CategoricalHMM",
           "ref": t_ref, "quality": f"loglik {ours.score(X):.6f} vs {ref.score(X[:, None]):.6f}", "target": 3.0}
    t_ours, t_ref = paired_median_times(lambda: ours.decode(X), lambda: ref.decode(X[:, None]), repeat=7)
    lp, path = ours.decode(X)
    lp_ref, path_ref = ref.decode(X[:, None])
    floor_fn = _viterbi_floor(pi, A, B, X)
    t_f_ours, t_floor = paired_median_times(lambda: ours.decode(X), floor_fn, repeat=7)
    yield {"workload": f"hmm viterbi T={T}, N=10, V=20", "mlcore": t_ours, "reference": "hmmlearn CategoricalHMM",
           "ref": t_ref, "quality": f"path logprob {lp:.6f} vs {lp_ref:.6f}, {np.count_nonzero(path != path_ref)} "
                                    "positions differ (exact ties)", "target": 3.0,
           "floor": t_floor, "floor_mlcore": t_f_ours, "floor_target": 1.5}
    # Baum-Welch: 50 sequences of length 200, 20 iterations, the same start
    S = 10 if quick else 50
    Xs = np.concatenate([ref.sample(200, random_state=s)[0][:, 0] for s in range(S)])
    lengths = [200] * S
    _, (pi0, A0, B0) = _hmm_model(seed=1)
    ours = mlcore.build("multinomial_hmm", n_states=10, startprob=pi0, transmat=A0, emissionprob=B0,
                        n_symbols=20, max_iter=20, tol=0.0)
    bw = CategoricalHMM(10, n_iter=20, tol=-np.inf, init_params="")
    bw.n_features = 20

    def fit_ref():
        bw.startprob_, bw.transmat_, bw.emissionprob_ = pi0.copy(), A0.copy(), B0.copy()
        return bw.fit(Xs[:, None], lengths)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, t_ref = paired_median_times(lambda: ours.fit(Xs, lengths), fit_ref, repeat=3)
    yield {"workload": f"hmm Baum-Welch {S}x200, 20 it", "mlcore": t_ours, "reference": "hmmlearn CategoricalHMM",
           "ref": t_ref, "quality": f"final loglik {ours.history_[-1]:.4f} vs {bw.monitor_.history[-1]:.4f}",
           "target": 2.0}


def _lda(quick):
    from sklearn.decomposition import LatentDirichletAllocation

    D = 100 if quick else 500
    rng = np.random.default_rng(0)
    topics = rng.dirichlet(np.full(1000, 0.05), 10)
    theta = rng.dirichlet(np.full(10, 0.2), D)
    lens = rng.integers(50, 150, D)
    X = np.stack([rng.multinomial(n, th @ topics) for n, th in zip(lens, theta)]).astype(float)
    ours = mlcore.build("lda(n_topics=10, max_iter=20, tol=0.0, random_state=0)")
    ref = LatentDirichletAllocation(10, learning_method="batch", max_iter=20, evaluate_every=-1, random_state=0)
    t_ours, t_ref = paired_median_times(lambda: ours.fit(X), lambda: ref.fit(X), repeat=1, warmup=0)
    yield {"workload": f"lda {D} docs, V=1000, K=10, 20 it", "mlcore": t_ours,
           "reference": "sklearn LatentDirichletAllocation(batch)", "ref": t_ref,
           "quality": f"perplexity {ours.perplexity(X):.1f} (BNJ bound) vs {ref.perplexity(X):.1f} (sklearn bound)",
           "target": 1.5}


def _nmf(quick):
    from sklearn.decomposition import NMF

    n, m = (300, 150) if quick else (1000, 500)
    rng = np.random.default_rng(0)
    X = rng.random((n, 10)) @ rng.random((10, m)) + 0.1 * rng.random((n, m))
    ours = mlcore.build("nmf(n_components=10, tol=1e-4, max_iter=200, random_state=0)")
    ref = NMF(10, solver="cd", tol=1e-4, max_iter=200, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, t_ref = paired_median_times(lambda: ours.fit(X), lambda: ref.fit(X), repeat=3)
    yield {"workload": f"nmf {n}x{m}, rank 10, tol 1e-4, max_iter 200", "mlcore": t_ours,
           "reference": "sklearn NMF(solver='cd')", "ref": t_ref,
           "quality": f"frobenius error {ours.reconstruction_err_:.4f} ({ours.n_iter_} it) vs "
                      f"{ref.reconstruction_err_:.4f} ({ref.n_iter_} it)", "target": 2.0}


def workloads(quick=False):
    """Yield one timing dict per workload of issue 6."""
    for gen in (_gmm, _hmm, _lda, _nmf):
        yield from gen(quick)


if __name__ == "__main__":
    import sys

    for w in workloads(quick="--quick" in sys.argv):
        print(f"{w['workload']:<48} mlcore {w['mlcore'] * 1e3:9.1f} ms  {w['reference']} "
              f"{w['ref'] * 1e3:9.1f} ms  ratio {w['mlcore'] / w['ref']:.2f} (target {w['target']})  {w['quality']}")
