"""Tokenizers, vocabulary and TF-IDF (TF-IDF against sklearn TfidfVectorizer, atol 1e-12)."""

import numpy as np
import pytest
from mlcore_preprocessing import (
    ngrams,
    strip_punctuation,
    tokenize,
    tokenize_bytes,
    tokenize_chars,
    tokenize_whitespace,
    tokenize_words,
)
from sklearn.feature_extraction.text import TfidfVectorizer

import mlcore

DOCS = [
    "The quick brown fox jumps over the lazy dog.",
    "Never jump over the lazy dog quickly; the dog sleeps!",
    "A fox, a dog and a cat: the café is naïve. Ünïcode wörds ok",
    "Bright vixens jump; dozy fowl quack. The the the",
    "x y z",
]


def _corpus(n_docs=60, seed=0):
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(150)] + ["Café", "naïve", "it's", "a", "I"])
    p = 1 / np.arange(1, len(words) + 1)
    return [" ".join(rng.choice(words, size=rng.integers(1, 40), p=p / p.sum())) + "." for _ in range(n_docs)]


def test_tokenizers():
    line = "Hello, World!  It's a TEST-case"
    assert tokenize_words(line, filter_stopwords=False) == ["hello", "world", "it", "test", "case"]
    assert tokenize_words(line, filter_stopwords=False, filter_punctuation=False, lowercase=False) == \
        ["Hello", ",", "World", "!", "It", "'", "s", "a", "TEST", "-", "case"]
    assert tokenize_words(line) == ["hello", "world", "test", "case"]  # "it" is a stop word
    # numpy-ml ignored filter_punctuation for whitespace tokens
    assert tokenize_whitespace(line, filter_stopwords=False) == ["hello", "world", "its", "a", "testcase"]
    assert tokenize_whitespace(line, filter_stopwords=False, filter_punctuation=False)[0] == "hello,"
    assert tokenize_chars("Ab,  c!") == ["a", "b", " ", "c"]
    assert tokenize_bytes("é") == [0xC3, 0xA9]
    assert tokenize("a b", "whitespace", filter_stopwords=False) == ["a", "b"]
    assert strip_punctuation("a.b,c!") == "abc"
    with pytest.raises(ValueError):
        tokenize("a", "sentencepiece")
    with pytest.raises(TypeError):
        tokenize_words(b"bytes")


def test_words_tokenizer_equals_sklearn_default_analyzer():
    analyzer = TfidfVectorizer().build_analyzer()
    for doc in DOCS + _corpus(10):
        assert tokenize_words(doc, filter_stopwords=False) == analyzer(doc)


def test_ngrams():
    assert ngrams("abcd", 2) == [("a", "b"), ("b", "c"), ("c", "d")]
    assert ngrams([1, 2], 3) == []
    assert ngrams([1, 2, 3], 3) == [(1, 2, 3)]
    with pytest.raises(ValueError):
        ngrams([1], 0)


def test_vocabulary_counts_specials_and_max_tokens():
    docs = ["a a a b b c\nd a", "b e"]
    v = mlcore.build("vocabulary(max_tokens=2, filter_stopwords=False, tokenizer='whitespace')").fit(docs)
    assert v.tokens_.tolist() == ["<bol>", "<eol>", "<unk>", "a", "b"]
    # 3 lines; the dropped words c, d, e (one each) are counted as <unk> (numpy-ml used <eol>)
    assert v.counts_.tolist() == [3, 3, 3, 4, 3]
    assert v.most_common(1) == [("a", 4)] and v.words_with_count(3) == ["b"]
    assert v["a"] == 3 and v[4] == "b" and "c" not in v and len(v) == 5 and v.n_words == 2
    assert v.filter(["a", "zzz"]) == ["a", "<unk>"] and v.filter(["a", "zzz"], unk=False) == ["a"]
    ids = v.transform(["a zzz"])[0]
    assert v.indices_to_words(ids) == ["<bol>", "a", "<unk>", "<eol>"]
    assert v.inverse_transform([ids]) == [["<bol>", "a", "<unk>", "<eol>"]]
    m = mlcore.build("vocabulary(min_count=2, filter_stopwords=False, tokenizer='whitespace')").fit(docs)
    assert m.tokens_.tolist() == ["<bol>", "<eol>", "<unk>", "a", "b"] and m.counts_[2] == 3
    with pytest.raises(ValueError):
        mlcore.build("vocabulary").fit(["the and of"])  # only stop words: nothing to count


@pytest.mark.parametrize("norm", [None, "l2", "l1"])
@pytest.mark.parametrize("smooth_idf", [True, False])
@pytest.mark.parametrize("sublinear_tf", [True, False])
@pytest.mark.parametrize("sparse", [False, True])
def test_tfidf_equals_sklearn(norm, smooth_idf, sublinear_tf, sparse):
    train, test = _corpus(60, 0) + DOCS, _corpus(20, 1) + ["unseen words only", ""]
    kw = {"norm": norm, "smooth_idf": smooth_idf, "sublinear_tf": sublinear_tf}
    ref = TfidfVectorizer(**kw).fit(train)                   # sklearn default token_pattern
    enc = mlcore.build("tfidf", sparse=sparse, **kw)
    fitted = enc.fit_transform(train)
    dense = lambda A: A.toarray() if sparse else A
    np.testing.assert_allclose(dense(fitted), ref.transform(train).toarray(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(dense(enc.transform(test)), ref.transform(test).toarray(), rtol=0, atol=1e-12)
    assert enc.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    np.testing.assert_allclose(enc.idf_, ref.idf_, rtol=1e-14)


def test_tfidf_files_min_count_max_tokens(tmp_path):
    paths = []
    for i, d in enumerate(DOCS):
        p = tmp_path / f"d{i}.txt"
        p.write_text(d, encoding="utf-8")
        paths.append(str(p))
    enc = mlcore.build("tfidf(input_type='files', max_tokens=6, norm=None)")
    ref = TfidfVectorizer(input="filename", max_features=6, norm=None)
    np.testing.assert_allclose(enc.fit_transform(paths), ref.fit_transform(paths).toarray(), atol=1e-12)
    enc2 = mlcore.build("tfidf(min_count=3, norm=None)").fit(DOCS)
    ref2 = TfidfVectorizer(norm=None).fit(DOCS)
    counts = {}
    for d in DOCS:
        for t in ref2.build_analyzer()(d):                   # sklearn's tokenisation
            counts[t] = counts.get(t, 0) + 1
    keep = [t for t, c in counts.items() if c >= 3]
    assert set(enc2.tokens_.tolist()) == set(keep)
    with pytest.raises(TypeError):
        enc2.transform("a single string is not a corpus")


def test_vocabulary_and_bpe_read_files(tmp_path):
    p = tmp_path / "corpus.txt"
    p.write_text("naïve café\ncafé au lait\n", encoding="utf-8")
    v = mlcore.build("vocabulary(input_type='files', filter_stopwords=False)").fit([str(p)])
    assert v.counts_[v["café"]] == 2 and v.counts_[v["<bol>"]] == 2
    bpe = mlcore.build("byte_pair_encoder(input_type='files', max_merges=20)").fit([str(p)])
    assert len(bpe.merges_) > 0 and bpe.inverse_transform(bpe.transform("café au lait")) == "café au lait"
