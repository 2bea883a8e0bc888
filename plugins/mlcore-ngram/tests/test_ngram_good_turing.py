"""Simple Good-Turing: a worked example derived by hand (Gale & Sampson 1995), normalisation.

Reference for the fixture: the procedure of Gale and Sampson (1995), "Good-Turing
frequency estimation without tears", J. Quantitative Linguistics 2(3), steps written
out below and evaluated with plain scalar arithmetic (``math``), never with the code
under test. Tolerance: rel 1e-9 on every number.
"""

import math
from collections import Counter

import numpy as np
import pytest
from mlcore_ngram import GoodTuringNGram, simple_good_turing

# ---------------------------------------------------------------------------------------------
# Worked example. Frequency-of-frequencies table (r, N_r):
R = [1, 2, 3, 4, 5, 6, 8, 10]
NR = [1200, 400, 240, 130, 150, 50, 20, 10]
# N = sum r N_r = 1200 + 800 + 720 + 520 + 750 + 300 + 160 + 100 = 4550
N = 4550
#
# Step 1, averaging Z_r = 2 N_r / (t - q), q = previous r (0 first), t = next r (2r - q last):
#   Z_1 = 2*1200/(2-0) = 1200        Z_2 = 2*400/(3-1) = 400     Z_3 = 2*240/(4-2) = 240
#   Z_4 = 2*130/(5-3)  = 130         Z_5 = 2*150/(6-4) = 150     Z_6 = 2*50/(8-5)  = 100/3
#   Z_8 = 2*20/(10-6)  = 10          Z_10 = 2*10/((2*10-8)-8) = 20/4 = 5
Z = [1200.0, 400.0, 240.0, 130.0, 150.0, 100.0 / 3.0, 10.0, 5.0]
#
# Step 2, least squares of log Z on log r:  b = Sxy / Sxx, a = mean(log Z) - b mean(log r)
#   giving a = 7.678031097522877, b = -2.332330060805002 (b < -1 as required),
#   S(r) = exp(a) r^b:
A, B = 7.678031097522877, -2.332330060805002
S = [2160.362039521972, 428.96832930572754, 166.61814402110912, 85.17731018272487,
     50.61716122073921, 33.08422642372087, 16.91307650079065, 10.050703856962627]
#
# Step 3, switch rule with confidence factor 1.96:
#   x_r = (r+1) N_{r+1}/N_r,  y_r = (r+1) S(r+1)/S(r) = (r+1) (1 + 1/r)^b,
#   band = 1.96 sqrt((r+1)^2 N_{r+1}/N_r^2 (1 + N_{r+1}/N_r))
#   r=1: x = 2*400/1200 = 0.666667, y = 0.397126, band = 0.075440 -> |x-y| > band: Turing
#   r=2: x = 3*240/400  = 1.8,      y = 1.165248, band = 0.288060 -> Turing
#   r=3: x = 4*130/240  = 2.166667, y = 2.044851, band = 0.462457 -> within: switch, r* = y
#   r >= 3: r* = y_r = (r+1)(1+1/r)^b (r=5, 6, 8: r+1 absent from the table anyway)
R_STAR = [2.0 / 3.0, 1.8, 2.044850773801288, 2.971281971228828, 3.9217007385430422,
          4.886028884969772, 6.838139301085296, 8.80747220451414]
#
# Step 4: p0 = N_1/N = 1200/4550; N' = sum N_r r*; p_r = (1 - p0) r*/N'.
P0 = 1200.0 / 4550.0


def _hand_derivation():
    """The same four steps in scalar arithmetic (independent of mlcore_ngram)."""
    k = len(R)
    q = [0] + R[:-1]
    t = R[1:] + [2 * R[-1] - R[-2]]
    z = [2 * NR[i] / (t[i] - q[i]) for i in range(k)]
    lx = [math.log(v) for v in R]
    ly = [math.log(v) for v in z]
    mx, my = sum(lx) / k, sum(ly) / k
    b = sum((lx[i] - mx) * (ly[i] - my) for i in range(k)) / sum((v - mx) ** 2 for v in lx)
    a = my - b * mx
    return z, a, b, [math.exp(a + b * math.log(v)) for v in R]


def test_hand_derivation_is_consistent():
    z, a, b, s = _hand_derivation()
    assert z == pytest.approx(Z, rel=1e-12)
    assert (a, b) == pytest.approx((A, B), rel=1e-12)
    assert s == pytest.approx(S, rel=1e-12)
    for i in range(3, len(R)):   # smoothed branch
        assert R_STAR[i] == pytest.approx((R[i] + 1) * (1 + 1 / R[i]) ** B, rel=1e-12)


def test_simple_good_turing_matches_worked_example():
    out = simple_good_turing(R, NR, confidence=1.96)
    np.testing.assert_allclose(out["z"], Z, rtol=1e-9)
    assert out["intercept"] == pytest.approx(A, rel=1e-9)
    assert out["slope"] == pytest.approx(B, rel=1e-9)
    np.testing.assert_allclose(out["smoothed_n_r"], S, rtol=1e-9)
    np.testing.assert_allclose(out["r_star"], R_STAR, rtol=1e-9)
    assert out["n_turing"] == 2
    assert out["p0"] == pytest.approx(P0, rel=1e-12)
    n_prime = sum(n * r for n, r in zip(NR, R_STAR))
    np.testing.assert_allclose(out["p"], [(1 - P0) * r / n_prime for r in R_STAR], rtol=1e-9)
    assert P0 + float(np.dot(NR, out["p"])) == pytest.approx(1.0, abs=1e-12)


def test_confidence_factor_controls_switch():
    # a huge band switches to the smoothed estimates at once (r=1: y_1 = 2 * 2^b)
    out = simple_good_turing(R, NR, confidence=1e6)
    assert out["n_turing"] == 0
    assert out["r_star"][0] == pytest.approx(2 * 2 ** B, rel=1e-9)


def _unigram_fixture_corpus():
    """A corpus whose unigram frequency table (with one </s> per sentence) is (R, NR):
    10 sentences, so </s> is one of the N_10 = 10 types seen 10 times."""
    rng = np.random.default_rng(0)
    tokens = []
    for r, nr in zip(R, NR):
        for j in range(nr - (1 if r == 10 else 0)):
            tokens += [f"w{r}_{j}"] * r
    tokens = np.array(tokens)[rng.permutation(len(tokens))].tolist()
    return [tokens[i::10] for i in range(10)]


def test_model_uses_worked_example_per_order():
    lm = GoodTuringNGram(n=1).fit(_unigram_fixture_corpus())
    assert lm.gt_r_[0].tolist() == R and lm.gt_n_r_[0].tolist() == NR
    np.testing.assert_allclose(lm.gt_r_star_[0], R_STAR, rtol=1e-9)
    np.testing.assert_allclose(lm.gt_smoothed_n_r_[0], S, rtol=1e-9)
    assert lm.gt_p0_[0] == pytest.approx(P0, rel=1e-12)
    # the only unseen vocabulary item is <unk>: it receives the whole unseen mass N_1/N
    assert math.exp(lm.log_prob_ngram(None, "<unk>")) == pytest.approx(P0, rel=1e-12)
    n_prime = sum(n * r for n, r in zip(NR, R_STAR))
    for word, r_star in (("w1_0", R_STAR[0]), ("w3_7", R_STAR[2]), ("w8_1", R_STAR[6])):
        assert math.exp(lm.log_prob_ngram(None, word)) == pytest.approx((1 - P0) * r_star / n_prime, rel=1e-9)


CORPUS = [
    "the cat sat on the mat", "the dog sat on the log", "a cat saw the dog", "the dog saw a cat",
    "the cat ate", "a dog ate the food", "the cat sat", "a big dog ran", "the big cat ran",
    "the dog ran on the mat", "a cat sat on a log", "the food was on the mat",
] * 3 + ["the red fox", "a fox ran"]


@pytest.mark.parametrize("n", [2, 3])
def test_conditionals_sum_to_one_over_vocabulary(n):
    lm = GoodTuringNGram(n=n).fit(CORPUS)
    vocab = lm.vocab_.tolist()
    padded = [["<s>"] * (n - 1) + s.split() + ["</s>"] for s in CORPUS]
    contexts = {tuple(p[i:i + n - 1]) for p in padded for i in range(len(p) - n + 1)}
    contexts |= {("zzz",) * (n - 1), ("fox",) * (n - 1), ("</s>",) * (n - 1)}   # unseen: back-off
    for ctx in sorted(contexts):
        total = sum(math.exp(lm.log_prob_ngram(list(ctx), w)) for w in vocab)
        assert total == pytest.approx(1.0, abs=1e-9), ctx


def test_conditional_formula_and_backoff():
    """Bigram conditionals from independently counted bigrams (collections.Counter) and the
    formula P(w|h) = p(h,w) / Z_h; an unseen context backs off to the unigram distribution."""
    lm = GoodTuringNGram(n=2).fit(CORPUS)
    vocab = lm.vocab_.tolist()
    V = len(vocab)
    padded = [["<s>"] + s.split() + ["</s>"] for s in CORPUS]
    bigrams = Counter((p[i], p[i + 1]) for p in padded for i in range(len(p) - 1))
    table = Counter(bigrams.values())
    r = sorted(table)
    sgt = simple_good_turing(r, [table[v] for v in r])
    p_r = dict(zip(r, sgt["p"]))
    p_unseen = sgt["p0"] / (V ** 2 - len(bigrams))
    for h in ("the", "cat", "on", "<s>"):
        follow = {w: c for (a, w), c in bigrams.items() if a == h}
        z = sum(p_r[c] for c in follow.values()) + (V - len(follow)) * p_unseen
        for w in ("cat", "dog", "mat", "</s>", "fox"):
            want = (p_r[follow[w]] if w in follow else p_unseen) / z
            assert math.exp(lm.log_prob_ngram([h], w)) == pytest.approx(want, rel=1e-12)
    # "</s>" is never followed by a token: back-off to the unigram GT distribution
    for w in ("cat", "the", "<unk>"):
        assert lm.log_prob_ngram(["</s>"], w) == pytest.approx(lm.log_prob_ngram(None, w), rel=1e-12)


def test_degenerate_table_without_regression():
    out = simple_good_turing([3], [4])   # one frequency: no line, r* = r, no N_1 -> p0 = 0
    assert math.isnan(out["slope"]) and out["r_star"].tolist() == [3.0]
    assert out["p0"] == 0.0 and out["p"][0] == pytest.approx(0.25)


def test_bad_tables_raise():
    with pytest.raises(ValueError):
        simple_good_turing([2, 1], [3, 4])
    with pytest.raises(ValueError):
        simple_good_turing([1, 2], [3, 0])


def test_each_order_has_its_own_switch():
    """numpy-ml defect: its Turing/smoothed switch flag leaked from one order to the next.
    Here every order's r* equals a fresh simple_good_turing on that order's own table
    (counted independently with collections.Counter)."""
    lm = GoodTuringNGram(n=3).fit(CORPUS)
    padded = [["<s>"] * 2 + s.split() + ["</s>"] for s in CORPUS]
    for m in (1, 2, 3):
        grams = Counter(tuple(p[i:i + m]) for p in padded for i in range(len(p) - m + 1))
        table = Counter(grams.values())
        r = sorted(table)
        fresh = simple_good_turing(r, [table[v] for v in r])
        assert lm.gt_r_[m - 1].tolist() == r
        np.testing.assert_allclose(lm.gt_r_star_[m - 1], fresh["r_star"], rtol=1e-12)
        assert lm.gt_p0_[m - 1] == pytest.approx(table[1] / sum(grams.values()), rel=1e-12)
