"""Memory of gmm EM (issue 23): no (K, n, d) or (n, K d) temporaries, same fit."""

from __future__ import annotations

import tracemalloc

import mlcore_gmm.gmm as gmm_mod
import numpy as np
from mlcore_gmm import GaussianMixture as GMM

#: peak allocation of 3 EM iterations / X.nbytes (K = 8, d = 4): a few (n, K) arrays (log
#: probabilities, responsibilities, logsumexp temporaries: 2x each) plus O(n d) per
#: component; measured 8.7x. Before issue 23 the M-step held two (K, n, d) arrays and the
#: E-step one (n, K d): 20.7x.
LIMIT = 10.0


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 5, (8, 4))
    return centres[rng.integers(0, 8, n)] + rng.normal(size=(n, 4))


def _fit(X, **kw):
    m0 = X[:: len(X) // 8][:8]
    return GMM(n_components=8, max_iter=3, tol=0.0, means_init=m0, weights_init=np.full(8, 1 / 8),
               covariances_init=np.stack([np.eye(4)] * 8), **kw).fit(X)


def test_gmm_peak_allocation_linear_and_bounded(monkeypatch):
    monkeypatch.setattr(gmm_mod, "_BLOCK", 4096, raising=False)
    _fit(_data(100))
    peaks = {}
    for n in (5000, 20000):
        X = _data(n)
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            _fit(X)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peaks[n] <= LIMIT * X.nbytes, (n, peaks[n] / X.nbytes)
    assert peaks[20000] <= 1.25 * 4 * peaks[5000], peaks


def test_blocked_e_step_gives_the_same_fit(monkeypatch):
    X = _data(3000, seed=1)
    whole = _fit(X)
    monkeypatch.setattr(gmm_mod, "_BLOCK", 100)
    blocked = _fit(X)
    np.testing.assert_allclose(blocked.means_, whole.means_, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(blocked.covariances_, whole.covariances_, rtol=1e-12, atol=1e-13)
    assert abs(blocked.lower_bound_ - whole.lower_bound_) <= 1e-12 * abs(whole.lower_bound_)
