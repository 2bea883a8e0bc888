"""API of the n-gram models: conformance kit, save/load, generation, files, tokenizers, errors."""

import math

import numpy as np
import pytest
from mlcore_ngram import AdditiveNGram, GoodTuringNGram, MLENGram, tokenize

import mlcore
from mlcore.errors import ComponentArgumentError, NotFittedError
from mlcore.testing import check_component

SENTS = [
    "the cat sat on the mat", "the dog sat on the log", "a cat saw the dog",
    "the dog saw a cat", "the cat ate", "a dog ate the food", "the cat sat", "a big dog ran",
]
SPECS = ["mle_ngram", "additive_ngram(k=0.5)", "good_turing_ngram", "mle_ngram(n=1)",
         "additive_ngram(n=4, min_count=2)", "good_turing_ngram(n=2, confidence=2.5)"]


@pytest.mark.parametrize("spec", SPECS)
def test_conformance(spec, tmp_path):
    check_component(spec, tmp_path=tmp_path)


def test_plugin_is_discovered():
    names = mlcore.registry().names("estimator")
    assert {"mle_ngram", "additive_ngram", "good_turing_ngram"} <= set(names)


@pytest.mark.parametrize("spec", SPECS)
def test_save_load_scores_and_generation_identical(spec, tmp_path):
    lm = mlcore.build(spec).fit(SENTS)
    path = mlcore.save(lm, tmp_path / "lm.npz")
    again = mlcore.load(path)
    held = ["the cat ran", "a zebra sat on the mat", ""]
    np.testing.assert_array_equal(lm.score_samples(held), again.score_samples(held))
    assert lm.completions(["the"], 4) == again.completions(["the"], 4)
    assert lm.generate(3, random_state=7) == again.generate(3, random_state=7)
    with np.load(path, allow_pickle=False) as npz:   # plain arrays, no pickle
        assert all(npz[k].dtype != object for k in npz.files)


@pytest.mark.parametrize("cls", [MLENGram, AdditiveNGram, GoodTuringNGram])
def test_generation_reproducible(cls):
    lm = cls(n=3).fit(SENTS)
    a = lm.generate(5, random_state=123)
    assert a == lm.generate(5, random_state=123)
    assert a == lm.generate(5, random_state=np.random.default_rng(123))
    assert len(a) == 5 and all(isinstance(t, str) for s in a for t in s)
    assert a != lm.generate(5, random_state=124)
    assert all("<s>" not in s and "</s>" not in s for s in a)
    if cls is MLENGram:   # every generated n-gram was seen: finite probability
        assert np.isfinite(lm.score_samples(a)).all()


def test_generate_max_len():
    lm = AdditiveNGram(n=2, k=5.0).fit(SENTS)
    assert all(len(s) <= 3 for s in lm.generate(20, random_state=0, max_len=3))


def test_completions_are_top_k_of_conditional():
    for cls in (MLENGram, AdditiveNGram, GoodTuringNGram):
        lm = cls(n=3).fit(SENTS)
        ctx = ["sat", "on"]
        brute = sorted(((-lm.log_prob_ngram(ctx, w), i, w) for i, w in enumerate(lm.vocab_.tolist())))
        finite = [(v, i, w) for v, i, w in brute if np.isfinite(v)]
        top = lm.completions(ctx, 3)
        assert [w for w, _ in top] == [w for _, _, w in finite[:3]]
        assert [lp for _, lp in top] == pytest.approx([-v for v, _, _ in finite[:3]], rel=1e-12)
    mle = MLENGram(n=3).fit(SENTS)
    assert [w for w, _ in mle.completions(["sat", "on"], 10)] == ["the"]   # only seen continuations
    assert mle.completions(["sat", "on"], 10)[0][1] == pytest.approx(0.0)


def test_cross_entropy_and_perplexity():
    lm = AdditiveNGram(n=2, k=0.5).fit(SENTS)
    held = ["the cat ran on the mat", "a dog sat"]
    n_pred = 6 + 1 + 3 + 1   # words and one </s> per sentence
    assert lm.cross_entropy(held) == pytest.approx(-lm.score(held) / n_pred, rel=1e-12)
    assert lm.perplexity(held) == pytest.approx(math.exp(-lm.score(held) / n_pred), rel=1e-12)
    assert lm.score(held) == pytest.approx(sum(lm.log_prob(s) for s in held), rel=1e-12)
    assert MLENGram(n=2).fit(SENTS).perplexity(["the zebra"]) == math.inf


def test_counts_are_integer_arrays():
    lm = MLENGram(n=3).fit(SENTS)
    assert len(lm.ngram_keys_) == 3
    for keys, counts in zip(lm.ngram_keys_, lm.ngram_counts_):
        assert keys.dtype == np.int64 and counts.dtype == np.int64
        assert np.all(np.diff(keys) > 0)
    n_words = sum(len(s.split()) for s in SENTS)
    assert lm.n_words_ == n_words and lm.n_sentences_ == len(SENTS)
    # unigram tokens: words + (n-1) <s> + one </s> per sentence
    assert lm.ngram_counts_[0].sum() == n_words + 3 * len(SENTS)


def test_min_count_maps_rare_words_to_unk():
    lm = MLENGram(n=1, min_count=2).fit(SENTS)
    assert "big" not in lm.vocab_ and "ran" not in lm.vocab_ and "cat" in lm.vocab_
    assert lm.log_prob_ngram(None, "big") == lm.log_prob_ngram(None, "never-seen")
    # <unk> count = tokens of words seen once: big, ran, log, mat, food
    assert math.exp(lm.log_prob_ngram(None, "<unk>")) == pytest.approx(5 / (lm.n_words_ + len(SENTS)))


def test_fit_files_equals_fit(tmp_path):
    p1, p2 = tmp_path / "a.txt", tmp_path / "b.txt"
    p1.write_text("\n".join(SENTS[:5]) + "\n\n", encoding="latin-1")
    p2.write_text("\n".join(SENTS[5:] + ["caf\u00e9 cr\u00e8me"]), encoding="latin-1")
    a = GoodTuringNGram(n=2).fit_files([p1, p2], encoding="latin-1")
    b = GoodTuringNGram(n=2).fit(SENTS + ["caf\u00e9 cr\u00e8me"])
    assert a.vocab_.tolist() == b.vocab_.tolist()
    np.testing.assert_array_equal(a.score_samples(SENTS), b.score_samples(SENTS))
    assert MLENGram(n=1).fit_files(str(p1), encoding="latin-1").n_sentences_ == 5


def test_tokenizers_and_lowercase():
    assert tokenize("The cat's mat, too.", "word", lowercase=True) == ["the", "cat's", "mat", ",", "too", "."]
    assert tokenize("ab c", "char") == ["a", "b", "c"]
    lm = MLENGram(n=2, tokenizer="word", lowercase=True).fit(["The cat, sat.", "the DOG sat."])
    assert {"the", "cat", ",", "sat", ".", "dog"} <= set(lm.vocab_.tolist())
    assert lm.log_prob("THE cat, sat.") == pytest.approx(
        lm.log_prob(["the", "cat", ",", "sat", "."]), rel=1e-15)
    # pre-tokenised sentences are used as given
    tok = MLENGram(n=2).fit([["New York", "is", "big"]])
    assert "New York" in tok.vocab_


def test_tokenizer_spec_is_built_through_mlcore(monkeypatch):
    calls = []

    class Splitter:
        def tokenize(self, text):
            return text.split("-")

    def fake_build(spec, *a, **k):
        calls.append(spec)
        return Splitter()

    monkeypatch.setattr(mlcore, "build", fake_build)
    lm = MLENGram(n=1, tokenizer="dash_tokenizer()").fit(["a-b-c", "a-b"])
    assert calls == ["dash_tokenizer()"] and {"a", "b", "c"} <= set(lm.vocab_.tolist())


def test_errors():
    with pytest.raises(ComponentArgumentError):
        MLENGram(n=0)._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        AdditiveNGram(k=0)._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        GoodTuringNGram(confidence=-1)._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        MLENGram(bos="<x>", eos="<x>")._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(ComponentArgumentError):
        MLENGram(min_count=0)._validate_params()  # constructors store; validation runs at build/fit
    with pytest.raises(TypeError):
        MLENGram().fit("the cat sat")   # a single string, not a list of sentences
    with pytest.raises(TypeError):
        MLENGram().fit([["a", 3]])
    with pytest.raises(TypeError):
        MLENGram().fit([5])
    with pytest.raises(ValueError):
        MLENGram().fit([])
    with pytest.raises(NotFittedError):
        MLENGram().log_prob("the cat")
    with pytest.raises(NotFittedError):
        GoodTuringNGram().score_samples(["the cat"])
    with pytest.raises(ComponentArgumentError):
        MLENGram(tokenizer="no_such_tokenizer").fit(["a b"])


def test_sklearn_clone():
    sklearn_base = pytest.importorskip("sklearn.base")
    lm = AdditiveNGram(n=2, k=0.3, min_count=2).fit(SENTS)
    c = sklearn_base.clone(lm)
    assert c.get_params() == lm.get_params() and not hasattr(c, "vocab_")


def test_inputs_not_mutated_and_edge_cases():
    import copy

    data = [s.split() for s in SENTS] + [[]]
    before = copy.deepcopy(data)
    lm = AdditiveNGram(n=3, k=0.5).fit(data)
    assert data == before
    # an empty sentence is just P(</s> | <s> <s>)
    assert lm.log_prob("") == pytest.approx(lm.log_prob_ngram(["<s>", "<s>"], "</s>"), rel=1e-15)
    assert lm.score_samples([]).shape == (0,)
    uni = MLENGram(n=1).fit(SENTS)
    assert "<s>" not in uni.vocab_ and all(len(s) <= 100 for s in uni.generate(3, random_state=0))
    # contexts longer than n - 1 keep their last n - 1 tokens
    assert lm.log_prob_ngram(["zzz", "sat", "on"], "the") == lm.log_prob_ngram(["sat", "on"], "the")


def test_scoring_uses_fitted_order_after_set_params():
    lm = MLENGram(n=3).fit(SENTS)
    before = lm.score_samples(SENTS)
    lm.set_params(n=2)   # takes effect at the next fit
    np.testing.assert_array_equal(lm.score_samples(SENTS), before)
    assert len(lm.fit(SENTS).ngram_keys_) == 2
