"""Huffman (against an independent heapq construction) and byte-level BPE (hypothesis)."""

import heapq
import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlcore


def _reference_lengths(counts: dict) -> dict:
    """Textbook Huffman: merge the two lightest trees, each merge deepens all their leaves."""
    tie = itertools.count()
    heap = [(c, next(tie), [s]) for s, c in counts.items()]
    heapq.heapify(heap)
    depth = {s: 0 for s in counts}
    if len(heap) == 1:
        return {s: 1 for s in counts}
    while len(heap) > 1:
        c1, _, a = heapq.heappop(heap)
        c2, _, b = heapq.heappop(heap)
        for s in a + b:
            depth[s] += 1
        heapq.heappush(heap, (c1 + c2, next(tie), a + b))
    return depth


def _prefix_free(codes):
    codes = sorted(codes)
    return all(not b.startswith(a) for a, b in itertools.pairwise(codes))


@pytest.mark.parametrize("seed", range(8))
def test_huffman_lengths_equal_independent_construction(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    # random counts in 1..97 (ties occur, so several optimal codes exist)
    counts = rng.integers(1, 98, size=n)
    tokens = [f"t{i}" for i in range(n)]
    text = [t for t, c in zip(tokens, counts) for _ in range(int(c))]
    enc = mlcore.build("huffman").fit(text)
    c = Counter(text)
    ref = _reference_lengths(c)
    got = dict(zip(enc.tokens_, enc.code_lengths_.tolist()))
    # expected code length is optimal (equal to the reference's) whatever the tie-breaking
    assert sum(c[s] * got[s] for s in c) == sum(c[s] * ref[s] for s in c)
    # same tie rule (lighter first, then older: leaves in order of appearance) -> same lengths
    assert got == ref
    assert [len(x) for x in enc.codes_] == enc.code_lengths_.tolist()
    assert _prefix_free(enc.codes_)


def test_huffman_lengths_equal_reference_exactly_without_ties():
    counts = {"a": 45, "b": 13, "c": 12, "d": 16, "e": 9, "f": 5}  # CLRS example
    text = [s for s, k in counts.items() for _ in range(k)]
    enc = mlcore.build("huffman").fit(text)
    got = dict(zip(enc.tokens_, enc.code_lengths_.tolist()))
    assert got == _reference_lengths(counts) == {"a": 1, "b": 3, "c": 3, "d": 3, "e": 4, "f": 4}


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_huffman_round_trip(text):
    enc = mlcore.build("huffman").fit(text)
    assert _prefix_free(enc.codes_)
    bits = enc.encode(text)
    assert "".join(enc.decode(bits)) == text
    assert "".join(enc.inverse_transform(enc.transform(text))) == text
    entropy = -sum(k / len(text) * np.log2(k / len(text)) for k in Counter(text).values())
    assert entropy - 1e-9 <= len(bits) / len(text) <= max(entropy, 0) + 1 + 1e-9  # Shannon bound


def test_huffman_errors_and_vocabulary_input():
    enc = mlcore.build("huffman").fit("aabc")
    assert enc.codes_ == ["0", "10", "11"]  # canonical code for lengths (1, 2, 2)
    with pytest.raises(KeyError):
        enc.transform("z")
    with pytest.raises(ValueError):
        enc.decode("01")  # ends inside the code of b or c
    with pytest.raises(ValueError):
        enc.decode("02")
    v = mlcore.build("vocabulary(filter_stopwords=False, tokenizer='whitespace')").fit(["x x y", "y z x"])
    h = mlcore.build("huffman").fit(v)
    assert set(h.tokens_) == {"<bol>", "<eol>", "x", "y", "z"}  # <unk> has count 0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5), st.text(max_size=120))
def test_bpe_round_trips_arbitrary_unicode(corpus, other):
    bpe = mlcore.build("byte_pair_encoder(max_merges=30, min_frequency=1)").fit(corpus)
    for text in corpus + [other]:
        ids = bpe.transform(text)
        assert ids.dtype == np.int64 and (len(text) == 0) == (len(ids) == 0)
        assert bpe.inverse_transform(ids) == text
        assert len(ids) <= len(text.encode("utf-8"))
    assert bpe.inverse_transform(bpe.transform(corpus)) == corpus


def test_bpe_stops_gracefully_when_no_pair_is_left():
    bpe = mlcore.build("byte_pair_encoder(max_merges=1000, min_frequency=1)").fit(["abab"])
    # chunks: "abab" -> merges (a,b) then (ab,ab): then a single token, nothing left to merge
    assert bpe.merges_.tolist() == [[97, 98], [256, 256]]
    assert bpe.transform("abab").tolist() == [257]
    empty = mlcore.build("byte_pair_encoder(max_merges=10)").fit(["", "a b c"])  # no pair twice
    assert empty.merges_.shape == (0, 2)
    assert empty.inverse_transform(empty.transform("a b c")) == "a b c"


def test_bpe_learns_frequent_pairs_first():
    bpe = mlcore.build("byte_pair_encoder(max_merges=3)").fit(["aaab " * 10 + "cd cd"])
    first = bytes(bpe.merges_[0].tolist())
    assert first in (b"aa", b"ab")  # "aa" and "ab" each occur in every "aaab" chunk
    assert bpe.token_bytes(256) == first and bpe.vocabulary_size == 259
    with pytest.raises(ValueError):
        bpe.inverse_transform([10**6])
