"""MLE and additive n-gram scores against nltk.lm (oracle), n = 1..4.

Reference: ``nltk.lm.MLE``, ``nltk.lm.Lidstone`` and ``nltk.lm.Laplace`` fitted on the
SAME padded training data: every sentence padded as ``<s>^(n-1) w_1..w_k </s>`` (our
convention; for n = 1 no begin symbol), all m-grams m = 1..n counted with
``nltk.util.everygrams``, vocabulary ``nltk.lm.Vocabulary(padded tokens,
unk_cutoff=min_count, unk_label="<unk>")``. nltk's ``logscore`` is base 2, so it is
multiplied by ln 2. Tolerance: rtol 1e-12 (identical arithmetic up to the log base),
``-inf`` positions must coincide exactly.

Convention notes (documented in the README): nltk's own ``padded_everygram_pipeline``
pads ``n - 1`` end symbols (we pad one), and nltk does not truncate contexts longer than
``n - 1`` (we do); neither is exercised here.
"""

import math
from itertools import chain

import numpy as np
import pytest

nltk_lm = pytest.importorskip("nltk.lm")
from mlcore_ngram import AdditiveNGram, MLENGram
from nltk.util import everygrams

LN2 = math.log(2.0)
WORDS = ["the", "cat", "dog", "sat", "on", "mat", "a", "ran", "big", "red", "log", "fox"]


def _corpus(seed, n_sent, oov=False):
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, len(WORDS) + 1)          # Zipf-like word frequencies
    p /= p.sum()
    sents = []
    for _ in range(n_sent):
        k = int(rng.integers(0, 9))                   # includes empty sentences
        toks = [WORDS[i] for i in rng.choice(len(WORDS), size=k, p=p)]
        if oov and k and rng.random() < 0.4:
            toks[int(rng.integers(k))] = f"oov{int(rng.integers(3))}"
        sents.append(toks)
    return sents


TRAIN = _corpus(0, 60)
HELD = _corpus(1, 25, oov=True)


def _pad(sent, n):
    return ["<s>"] * (n - 1) + list(sent) + ["</s>"]


def _nltk_model(cls, n, min_count, *args):
    padded = [_pad(s, n) for s in TRAIN]
    vocab = nltk_lm.Vocabulary(chain.from_iterable(padded), unk_cutoff=min_count, unk_label="<unk>")
    lm = cls(*args, n, vocabulary=vocab)
    lm.fit([everygrams(p, max_len=n) for p in padded])
    return lm


def _queries(n):
    """(context, word) pairs: every m-gram (m <= n) of the padded train and held-out data,
    plus unseen combinations (unseen contexts and words)."""
    seen = set()
    for s in TRAIN + HELD:
        for g in everygrams(_pad(s, n), max_len=n):
            seen.add((tuple(g[:-1]), g[-1]))
    rng = np.random.default_rng(2)
    for _ in range(150):
        m = int(rng.integers(1, n + 1))
        ctx = tuple(rng.choice(WORDS + ["<s>", "</s>", "zzz"], size=m - 1).tolist())
        seen.add((ctx, str(rng.choice(WORDS + ["</s>", "qqq"]))))
    return sorted(seen)


def _compare(ours, ref, n):
    qs = _queries(n)
    got = np.array([ours.log_prob_ngram(list(ctx), w) for ctx, w in qs])
    want = np.array([ref.logscore(w, ctx) * LN2 for ctx, w in qs])
    assert np.array_equal(np.isneginf(got), np.isneginf(want)), "-inf positions differ from nltk"
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-12, atol=0)
    return got


@pytest.mark.parametrize("min_count", [1, 2])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_mle_matches_nltk(n, min_count):
    ours = MLENGram(n=n, min_count=min_count).fit(TRAIN)
    ref = _nltk_model(nltk_lm.MLE, n, min_count)
    assert sorted(ours.vocab_.tolist()) == sorted(ref.vocab)
    got = _compare(ours, ref, n)
    assert np.isneginf(got).any() and np.isfinite(got).any()   # both regimes exercised
    # whole sentences: sum of the conditional log probabilities of words and </s>
    for s in HELD[:10]:
        p = _pad(s, n)
        want = sum(ref.logscore(p[i], tuple(p[i - n + 1:i])) * LN2 for i in range(n - 1, len(p)))
        got_s = ours.log_prob(s)
        assert (got_s == want == -math.inf) or got_s == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("k", [0.1, 1.0])
@pytest.mark.parametrize("min_count", [1, 2])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_additive_matches_nltk_lidstone(n, min_count, k):
    ours = AdditiveNGram(n=n, k=k, min_count=min_count).fit(TRAIN)
    ref = _nltk_model(nltk_lm.Lidstone, n, min_count, k)
    assert len(ours.vocab_) == len(ref.vocab)
    got = _compare(ours, ref, n)
    assert np.isfinite(got).all()
    # perplexity over the held-out text equals nltk's (2 ** base-2 entropy) on the same n-grams
    grams = [tuple(_pad(s, n)[i - n + 1:i + 1]) for s in HELD for i in range(n - 1, len(s) + n)]
    assert ours.perplexity(HELD) == pytest.approx(ref.perplexity(grams), rel=1e-10)


def test_laplace_is_additive_with_k_one():
    ours = AdditiveNGram(n=3, k=1.0).fit(TRAIN)
    ref = _nltk_model(nltk_lm.Laplace, 3, 1)
    _compare(ours, ref, 3)
