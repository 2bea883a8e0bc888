"""Tests of multinomial_hmm (oracle: hmmlearn.hmm.CategoricalHMM, closed-form path sums)."""

import warnings

import numpy as np
import pytest

import mlcore
from mlcore.errors import NotFittedError

hmm_ref = pytest.importorskip("hmmlearn.hmm")

N, V = 5, 12
LENGTHS = [1, 2, 7, 130, 400, 1500]     # single-position, one-chunk and multi-chunk sequences


def _params(seed=0, n=N, v=V):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n), n), rng.dirichlet(np.ones(v), n)


def _reference(pi, A, B, **kw):
    h = hmm_ref.CategoricalHMM(len(pi), init_params="", **kw)
    h.n_features = B.shape[1]
    h.startprob_, h.transmat_, h.emissionprob_ = pi.copy(), A.copy(), B.copy()
    return h


def _mine(pi, A, B, **kw):
    return mlcore.build("multinomial_hmm", n_states=len(pi), startprob=pi, transmat=A,
                        emissionprob=B, **kw)


def _data(seed, lengths, pi, A, B):
    h = _reference(pi, A, B)
    return np.concatenate([h.sample(n, random_state=seed + i)[0][:, 0] for i, n in enumerate(lengths)])


def _path_logprob(path, X, lengths, pi, A, B):
    total, start = 0.0, 0
    for n in lengths:
        p, x = path[start:start + n], X[start:start + n]
        total += np.log(pi[p[0]]) + np.log(B[p, x]).sum() + np.log(A[p[:-1], p[1:]]).sum()
        start += n
    return total


def test_score_decode_posteriors_equal_hmmlearn():
    """Oracle: hmmlearn CategoricalHMM score/decode/predict_proba; rtol 1e-10, identical paths."""
    pi, A, B = _params(0)
    X = _data(10, LENGTHS, pi, A, B)
    ref = _reference(pi, A, B)
    me = _mine(pi, A, B, max_iter=0).fit(X, LENGTHS)
    np.testing.assert_allclose(me.score(X, LENGTHS), ref.score(X[:, None], LENGTHS), rtol=1e-10)
    lp, path = me.decode(X, LENGTHS)
    lp_ref, path_ref = ref.decode(X[:, None], LENGTHS)
    np.testing.assert_allclose(lp, lp_ref, rtol=1e-10)
    np.testing.assert_array_equal(path, path_ref)
    np.testing.assert_array_equal(me.predict(X, LENGTHS), path_ref)
    np.testing.assert_allclose(me.score_samples(X, LENGTHS), ref.predict_proba(X[:, None], LENGTHS),
                               rtol=1e-9, atol=1e-12)


def test_long_sequence_benchmark_shape_equals_hmmlearn():
    """Oracle: hmmlearn on one sequence T=10,000, N=10, V=20; rtol 1e-10.

    This sequence contains exact ties (two paths of equal probability, e.g. 9,9,0,9 and
    9,0,9,9 over a run of the symbol 9): hmmlearn's choice there depends on its rounding
    order. The path must be optimal (closed-form log-probability equal to hmmlearn's best)
    and equal hmmlearn's everywhere else."""
    pi, A, B = _params(1, 10, 20)
    X = _data(0, [10_000], pi, A, B)
    ref = _reference(pi, A, B)
    me = _mine(pi, A, B, max_iter=0).fit(X)
    np.testing.assert_allclose(me.score(X), ref.score(X[:, None]), rtol=1e-10)
    lp, path = me.decode(X)
    lp_ref, path_ref = ref.decode(X[:, None])
    np.testing.assert_allclose(lp, lp_ref, rtol=1e-10)
    np.testing.assert_allclose(_path_logprob(path, X, [10_000], pi, A, B), lp_ref, rtol=1e-10)
    assert np.count_nonzero(path != path_ref) <= 4            # the two tied swaps
    X2 = _data(0, [10_000], *_params(0, 10, 20))              # a sequence without ties
    me2, ref2 = _mine(*_params(0, 10, 20), max_iter=0).fit(X2), _reference(*_params(0, 10, 20))
    np.testing.assert_array_equal(me2.decode(X2)[1], ref2.decode(X2[:, None])[1])


def test_viterbi_ties_are_optimal():
    """With 3 symbols exact ties between paths occur (runs of a repeated symbol); whichever
    tied path is returned, its log-probability (closed-form sum) equals hmmlearn's; rtol 1e-10."""
    pi, A, B = _params(2, 4, 3)
    lengths = [3000, 50]
    X = _data(5, lengths, pi, A, B)
    lp, path = _mine(pi, A, B, max_iter=0).fit(X, lengths).decode(X, lengths)
    lp_ref, _ = _reference(pi, A, B).decode(X[:, None], lengths)
    np.testing.assert_allclose(lp, lp_ref, rtol=1e-10)
    np.testing.assert_allclose(_path_logprob(path, X, lengths, pi, A, B), lp_ref, rtol=1e-10)


@pytest.mark.parametrize("n_iter", [1, 3])
def test_baum_welch_steps_equal_hmmlearn(n_iter):
    """Oracle: hmmlearn fit(n_iter) from the same start on sequences of different lengths; rtol 1e-10."""
    pi, A, B = _params(3)
    lengths = [2, 9, 150, 700]
    X = _data(20, lengths, pi, A, B)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _reference(pi, A, B, n_iter=n_iter, tol=-np.inf).fit(X[:, None], lengths)
    me = _mine(pi, A, B, max_iter=n_iter, tol=0.0).fit(X, lengths)
    np.testing.assert_allclose(me.startprob_, ref.startprob_, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(me.transmat_, ref.transmat_, rtol=1e-10)
    np.testing.assert_allclose(me.emissionprob_, ref.emissionprob_, rtol=1e-10)
    np.testing.assert_allclose(me.history_, ref.monitor_.history, rtol=1e-10)


def test_em_increases_likelihood_and_inputs_untouched():
    pi, A, B = _params(4)
    X = _data(30, [300, 200, 50], pi, A, B)
    B0 = np.random.default_rng(0).dirichlet(np.ones(V), N)
    B0[0, 0] = 0.0
    B0[0] /= B0[0].sum()
    A0 = np.full((N, N), 1.0 / N)
    copies = [X.copy(), B0.copy(), A0.copy()]
    lengths = np.array([300, 200, 50])
    me = mlcore.build("multinomial_hmm", n_states=N, transmat=A0, emissionprob=B0, n_symbols=V,
                      max_iter=30, tol=0.0).fit(X, lengths)
    for a, b in zip((X, B0, A0), copies):
        np.testing.assert_array_equal(a, b)
    assert me.transmat is A0 and me.emissionprob is B0
    assert np.all(np.diff(me.history_) >= -1e-8 * np.abs(me.history_[1:]))
    assert me.emissionprob_[0, 0] == 0.0          # a zero stays zero under EM, no eps added
    np.testing.assert_allclose(me.transmat_.sum(axis=1), 1.0, rtol=1e-12)


def test_list_input_equals_concatenated():
    pi, A, B = _params(5)
    seqs = [np.array([0, 3, 3, 1]), np.array([5]), np.arange(12) % V]
    me = _mine(pi, A, B, max_iter=2, tol=0.0)
    a = me.fit(seqs)
    ta = a.transmat_.copy()
    X, lengths = np.concatenate(seqs), [4, 1, 12]
    b = _mine(pi, A, B, max_iter=2, tol=0.0).fit(X, lengths)
    np.testing.assert_allclose(ta, b.transmat_, rtol=1e-13)
    assert a.score(seqs) == pytest.approx(b.score(X, lengths), rel=1e-13)
    np.testing.assert_array_equal(a.decode(seqs)[1], b.decode(X[:, None], lengths)[1])


def test_alias_sample_errors_and_save_load(tmp_path):
    est = mlcore.build("categorical_hmm(n_states=3, max_iter=10, random_state=0)")
    assert mlcore.to_spec(est) == "multinomial_hmm(n_states=3, max_iter=10, random_state=0)"
    with pytest.raises(NotFittedError):
        est.decode([0, 1, 2])
    pi, A, B = _params(6, 3, 4)
    X = _data(40, [200, 100], pi, A, B)
    est.fit(X, [200, 100])
    symbols, states = est.sample(500)
    assert symbols.shape == states.shape == (500,)
    assert symbols.min() >= 0 and symbols.max() < 4 and states.max() < 3
    np.testing.assert_array_equal(est.sample(500)[0], symbols)   # seeded by random_state
    with pytest.raises(ValueError):
        est.score([0, 1, 7])                                      # symbol out of range
    with pytest.raises(TypeError):
        est.score(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="lengths"):
        est.score(X, [10, 10])
    with pytest.raises(ValueError, match="startprob"):
        mlcore.build("multinomial_hmm(n_states=2, startprob=[0.5, 0.6])").fit([0, 1])
    again = mlcore.build(mlcore.to_spec(est)).fit(X, [200, 100])
    np.testing.assert_array_equal(again.emissionprob_, est.emissionprob_)
    loaded = mlcore.load(mlcore.save(est, tmp_path / "hmm.npz"))
    np.testing.assert_array_equal(loaded.score_samples(X), est.score_samples(X))
    assert loaded.decode(X, [200, 100]) [0] == est.decode(X, [200, 100])[0]


def test_sample_frequencies_match_parameters():
    """Reference: the generating parameters; empirical frequencies of 40,000 draws within 0.02."""
    pi, A, B = _params(7, 3, 4)
    est = _mine(pi, A, B, max_iter=0, random_state=0).fit([0, 1, 2, 3])
    symbols, states = est.sample(40_000)
    trans = np.zeros((3, 3))
    np.add.at(trans, (states[:-1], states[1:]), 1)
    np.testing.assert_allclose(trans / trans.sum(axis=1, keepdims=True), A, atol=0.02)
    emit = np.zeros((3, 4))
    np.add.at(emit, (states, symbols), 1)
    np.testing.assert_allclose(emit / emit.sum(axis=1, keepdims=True), B, atol=0.02)


@pytest.mark.parametrize("block", [1, 130])
def test_viterbi_memory_bounded_branches_equal_hmmlearn(block, monkeypatch):
    """The max-plus products in chunk blocks (130) or by accumulation over states (1) give
    hmmlearn's Viterbi result; rtol 1e-10, identical path."""
    from mlcore_hmm import _chunks

    monkeypatch.setattr(_chunks, "_MAXPLUS_BLOCK", block)
    pi, A, B = _params(0)
    X = _data(10, [1500], pi, A, B)
    lp, path = _mine(pi, A, B, max_iter=0).fit(X).decode(X)
    lp_ref, path_ref = _reference(pi, A, B).decode(X[:, None])
    np.testing.assert_allclose(lp, lp_ref, rtol=1e-10)
    np.testing.assert_array_equal(path, path_ref)
