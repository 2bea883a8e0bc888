"""word2vec: planted word clusters are recovered (precision@5 >= 0.8, reference: the
planted cluster labels), noise distribution (closed form count^0.75, never <unk>),
subsampling formula, inputs (one path, paths, strings), conformance."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_component


def _corpus(seed=0, K=6, M=8, n=1500):
    rng = np.random.default_rng(seed)
    clusters = [[f"c{k}_{j}" for j in range(M)] for k in range(K)]
    fill = [f"the{j}" for j in range(4)]
    sents = []
    for _ in range(n):
        k = rng.integers(K)
        s = [clusters[k][j] for j in rng.integers(0, M, 8)]
        for pos in rng.integers(0, 8, 2):
            s.insert(int(pos), fill[rng.integers(4)])     # frequent words shared by every cluster
        sents.append(s)
    return clusters, sents


@pytest.mark.parametrize("arch, lr", [("skip_gram", 0.025), ("cbow", 0.05)])
def test_word2vec_recovers_planted_clusters(arch, lr):
    clusters, sents = _corpus()
    w2v = mlcore.build(f"word2vec(embedding_dim=24, window=3, architecture='{arch}', epochs=4, "
                       f"learning_rate={lr}, random_state=0)").fit(sents)
    prec = []
    for k, words in enumerate(clusters):
        for w in words:
            prec.append(np.mean([n.startswith(f"c{k}_") for n, _ in w2v.most_similar(w, 5)]))
    assert np.mean(prec) >= 0.8
    assert w2v.history_["loss"][-1] < w2v.history_["loss"][0]


def test_noise_distribution_and_negatives_never_special_tokens():
    sents = [["a", "a", "a", "b", "rare"], ["b", "c", "a"]]
    w2v = mlcore.build("word2vec(embedding_dim=4, min_count=2, epochs=1, random_state=0)").fit(sents)
    assert w2v.vocab_[0] == "<unk>" and "rare" not in w2v.vocab_.tolist()
    q = w2v.noise_distribution_
    assert q[0] == 0
    counts = dict(zip(w2v.vocab_.tolist(), w2v.counts_.tolist()))
    ref = np.array([counts[w] ** 0.75 for w in w2v.vocab_[1:]])
    np.testing.assert_allclose(q[1:], ref / ref.sum(), rtol=1e-12)
    cdf = np.cumsum(q)
    N = w2v._negatives(np.zeros(20000, dtype=int), cdf / cdf[-1], np.random.default_rng(0))
    assert N.min() >= 1
    freq = np.bincount(N.ravel(), minlength=len(q)) / N.size
    np.testing.assert_allclose(freq[1:], q[1:], atol=0.01)


def test_inputs_corpus_file_list_of_files_and_strings(tmp_path):
    p = tmp_path / "corpus.txt"
    p.write_text("the cat sat\nthe dog sat\n", encoding="utf-8")
    a = mlcore.build("word2vec(embedding_dim=4, epochs=1, random_state=0)").fit(corpus_file=str(p))
    b = mlcore.build("word2vec(embedding_dim=4, epochs=1, random_state=0)").fit(corpus_file=[p])
    c = mlcore.build("word2vec(embedding_dim=4, epochs=1, random_state=0)").fit(["the cat sat", "the dog sat"])
    assert sorted(a.vocab_.tolist()) == ["<unk>", "cat", "dog", "sat", "the"]
    np.testing.assert_array_equal(a.embedding_, b.embedding_)
    np.testing.assert_array_equal(a.embedding_, c.embedding_)
    assert a.embedding(["cat"]).shape == (1, 4)
    with pytest.raises(KeyError):
        a.embedding(["zebra"])
    with pytest.raises(ValueError):
        mlcore.build("word2vec").fit([])


def test_word2vec_conformance(tmp_path):
    check_component("word2vec(embedding_dim=8, epochs=2, window=2, random_state=0)", tmp_path=tmp_path)


def test_a_sentence_naming_a_file_is_text_not_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password hunter2 token\n", encoding="utf-8")
    w2v = mlcore.build("word2vec(embedding_dim=4, epochs=1, random_state=0)").fit(["a b", str(secret)])
    vocab = set(w2v.vocab_.tolist())
    assert vocab == {"<unk>", "a", "b", str(secret)}          # the path is one word, the file is unread
    assert not vocab & {"password", "hunter2", "token"}
    with pytest.raises(TypeError, match="corpus_file"):
        w2v.fit(str(secret))                                  # a bare string is not a corpus either
    with pytest.raises(TypeError, match="corpus_file"):
        w2v.fit([secret])                                     # nor a path object among the sentences
    with pytest.raises(TypeError, match="exactly one"):
        w2v.fit(["a b"], corpus_file=secret)
