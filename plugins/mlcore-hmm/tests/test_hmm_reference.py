"""The chunked associative-scan recursions against Rabiner's textbook loops.

Oracle: :mod:`mlcore_hmm._reference` (one sequence, one loop over time, Rabiner 1989
eqs. 19-40), independent of the chunk layout, chunk products and batched scans of
:mod:`mlcore_hmm._chunks`. Sequences of length 1, short ones (one chunk each, batched) and
long ones (several chunks, so chunk products and chained starts are used), small and large
alphabets (the Viterbi pair-product path and the plain one), zeros in the parameters, and a
model with many exactly tied best paths. float64, rtol 1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest
from mlcore_hmm import _reference as ref

import mlcore

LENGTHS = [1, 5, 40, 130, 700]     # > 128: several chunks of about sqrt(T) steps


def _log(a):
    with np.errstate(divide="ignore"):
        return np.log(a)


def _model(seed, N, V, zeros=False):
    rng = np.random.default_rng(seed)
    pi, A, B = rng.random(N) + 0.1, rng.random((N, N)) + 0.05, rng.random((N, V)) + 0.05
    if zeros:   # forbidden start, transitions and emissions (every symbol stays possible)
        pi[0] = 0.0
        A[np.arange(N), (np.arange(N) + 1) % N] = 0.0
        B[0, 0] = 0.0
    return pi / pi.sum(), A / A.sum(1, keepdims=True), B / B.sum(1, keepdims=True)


def _hmm(pi, A, B, **kw):
    return mlcore.build("multinomial_hmm", n_states=len(pi), startprob=pi, transmat=A, emissionprob=B,
                        n_symbols=B.shape[1], random_state=0, **kw)


def _sequences(seed, V):
    rng = np.random.default_rng(100 + seed)
    return [rng.integers(0, V, n) for n in LENGTHS]


def _fitted(pi, A, B, seqs):
    hmm = _hmm(pi, A, B, max_iter=0)
    hmm.fit(seqs)              # max_iter=0: the given parameters, as fitted attributes
    return hmm


MODELS = [(0, 3, 4, False), (1, 4, 2, True), (2, 2, 20, False), (3, 5, 3, True)]   # seed, N, V, zeros


@pytest.mark.parametrize("seed, N, V, zeros", MODELS)
def test_forward_backward_equal_reference(seed, N, V, zeros):
    pi, A, B = _model(seed, N, V, zeros)
    seqs = _sequences(seed, V)
    hmm = _fitted(pi, A, B, seqs)
    expected = [ref.baum_welch_counts(pi, A, B, o) for o in seqs]
    for o, (_, _, _, ll) in zip(seqs, expected):     # log P(o), sequence by sequence
        np.testing.assert_allclose(hmm.score(o), ll, rtol=1e-10)
    np.testing.assert_allclose(hmm.score(seqs), sum(e[3] for e in expected), rtol=1e-10)
    np.testing.assert_allclose(hmm.score_samples(seqs), np.concatenate([e[0] for e in expected]),
                               rtol=1e-10, atol=1e-13)
    # scaled alphas: the filtered state distributions P(q_t | o_1..o_t) are the posteriors of the prefixes
    o = seqs[3]
    alpha_hat, _, _ = ref.forward(pi, A, B, o)
    for t in (0, 1, 64, len(o) - 1):
        np.testing.assert_allclose(hmm.score_samples(o[:t + 1])[-1], alpha_hat[t], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("seed, N, V, zeros", MODELS)
def test_baum_welch_step_equals_reference(seed, N, V, zeros):
    pi, A, B = _model(seed, N, V, zeros)
    seqs = _sequences(seed, V)
    hmm = _hmm(pi, A, B, max_iter=1).fit(seqs)
    counts = [ref.baum_welch_counts(pi, A, B, o) for o in seqs]
    start = sum(c[0][0] for c in counts)
    xi, emit = sum(c[1] for c in counts), sum(c[2] for c in counts)
    np.testing.assert_allclose(hmm.history_, [sum(c[3] for c in counts)], rtol=1e-10)
    np.testing.assert_allclose(hmm.startprob_, start / start.sum(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(hmm.transmat_, xi / xi.sum(1, keepdims=True), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(hmm.emissionprob_, emit / emit.sum(1, keepdims=True), rtol=1e-10, atol=1e-14)


def _path_logprob(pi, A, B, o, q):
    """log P(Q, O) of a given path, summed directly."""
    return float(_log(pi[q[0]]) + _log(A[q[:-1], q[1:]]).sum() + _log(B[q, o]).sum())


def _assert_same_best_path(pi, A, B, o, logprob, path, exp_lp, exp_path):
    """Same log-probability; same path, except that across chunks (T > 128) an exactly tied
    path may be returned instead (README: the scan adds in another order), which must then
    be optimal too."""
    np.testing.assert_allclose(logprob, exp_lp, rtol=1e-10)
    if len(o) <= 128 or not np.array_equal(path, exp_path):
        np.testing.assert_allclose(_path_logprob(pi, A, B, o, path), exp_lp, rtol=1e-12)
    if len(o) <= 128:
        np.testing.assert_array_equal(path, exp_path)


@pytest.mark.parametrize("seed, N, V, zeros", MODELS)
def test_viterbi_equals_reference(seed, N, V, zeros):
    pi, A, B = _model(seed, N, V, zeros)
    seqs = _sequences(seed, V)
    hmm = _fitted(pi, A, B, seqs)
    n_same = 0
    for o in seqs + [np.concatenate(seqs)]:          # the last one: 876 steps, 30 chunks
        logprob, path = hmm.decode(o)
        exp_lp, exp_path = ref.viterbi(_log(pi), _log(A), _log(B), o)
        _assert_same_best_path(pi, A, B, o, logprob, path, exp_lp, exp_path)
        n_same += np.array_equal(path, exp_path)
    logprob, path = hmm.decode(seqs)                 # all sequences at once
    expected = [ref.viterbi(_log(pi), _log(A), _log(B), o) for o in seqs]
    np.testing.assert_allclose(logprob, sum(e[0] for e in expected), rtol=1e-10)
    for o, q, (lp, e) in zip(seqs, np.split(path, np.cumsum(LENGTHS)[:-1]), expected):
        _assert_same_best_path(pi, A, B, o, lp, q, lp, e)
        n_same += np.array_equal(q, e)
    assert n_same >= 2 * len(seqs)                   # ties are the exception


def test_viterbi_ties():
    """States 1 and 2 are exact copies (same emissions, same transitions in and out), so every
    path through them has a twin of the same probability. Within one chunk (T <= 128) both
    recursions compare the same sums and take the first maximum: identical paths. Across
    chunks the fast path chains max-plus chunk products (another order of additions), so
    only optimality is required: the returned path's probability is the reference's."""
    pi = np.array([0.2, 0.4, 0.4])
    A = np.array([[0.5, 0.25, 0.25], [0.3, 0.35, 0.35], [0.3, 0.35, 0.35]])
    B = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.1, 0.3, 0.6]])
    rng = np.random.default_rng(7)
    seqs = [rng.integers(0, 3, n) for n in (1, 2, 9, 60, 128, 400)]
    hmm = _fitted(pi, A, B, seqs)
    for o in seqs:
        logprob, path = hmm.decode(o)
        exp_lp, exp_path = ref.viterbi(_log(pi), _log(A), _log(B), o)
        assert np.isin(exp_path, [1, 2]).any()                   # there are tied twins
        np.testing.assert_allclose(logprob, exp_lp, rtol=1e-12)
        np.testing.assert_allclose(_path_logprob(pi, A, B, o, path), exp_lp, rtol=1e-12)
        if len(o) <= 128:
            np.testing.assert_array_equal(path, exp_path)
            assert not np.isin(path, 2).any()                    # first maximum: state 1, never its twin


def test_reference_forward_closed_form():
    """Two steps written out: P(o) = sum_ij pi_i b_i(o1) a_ij b_j(o2)."""
    pi, A, B = _model(5, 2, 3)
    o = np.array([2, 0])
    p = sum(pi[i] * B[i, 2] * A[i, j] * B[j, 0] for i in range(2) for j in range(2))
    np.testing.assert_allclose(ref.forward(pi, A, B, o)[2], np.log(p), rtol=1e-14)
