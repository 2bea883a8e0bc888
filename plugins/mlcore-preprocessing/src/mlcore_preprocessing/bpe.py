"""Byte-level byte-pair encoding (BPE)."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from itertools import pairwise

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_is_fitted, check_scalar

from .tokenizers import read_documents

__all__ = ["BytePairEncoder"]

# Pre-tokenisation: a word or a run of punctuation with at most one leading whitespace
# character, or a run of whitespace. Every character matches, so the chunks concatenate
# back to the text exactly; merges never cross chunk boundaries.
_CHUNK = re.compile(r"(?u)\s?\w+|\s?[^\w\s]+|\s+")


def _pairs(word):
    return Counter(pairwise(word))


def _merge(word, a, b, new):
    """Replace every non-overlapping occurrence of ``(a, b)`` (left to right) by ``new``."""
    out, i, n = [], 0, len(word)
    while i < n:  # one pass over a short chunk
        if i + 1 < n and word[i] == a and word[i + 1] == b:
            out.append(new)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


class BytePairEncoder(Estimator):
    """Byte-level BPE: learns merges of frequent adjacent byte sequences.

    Text is encoded to bytes (``encoding``), cut into chunks (a word or punctuation run
    with its leading space, or a whitespace run) and each chunk starts as its byte values
    (token ids 0-255). ``fit`` repeatedly merges the most frequent adjacent pair of tokens
    into a new token (ids 256, 257, ...); it stops after ``max_merges`` merges or, without
    error, as soon as no pair occurs at least ``min_frequency`` times. Every text has an
    encoding and :meth:`inverse_transform` restores it exactly, for any Unicode input.

    Parameters
    ----------
    max_merges : int
        Maximum number of merges (the vocabulary has at most ``256 + max_merges`` tokens).
    min_frequency : int
        Stop when the most frequent pair occurs fewer times.
    encoding : str
        Text encoding (byte-level models are usually UTF-8).
    input_type : {"strings", "files"}
        ``fit`` receives texts or paths of text files.

    Attributes
    ----------
    merges_ : ndarray of int64, shape (n_merges, 2)
        Merge ``r`` joins tokens ``merges_[r]`` into token ``256 + r``.

    Notes
    -----
    Ties between equally frequent pairs go to the smaller ``(left, right)`` id pair, so
    fitting is deterministic. Encoding applies the learned merges in the order they were
    learned (lowest rank first) inside each chunk, reproducing the training segmentation.
    Training updates pair counts incrementally: only the chunk types that contain the
    merged pair are revisited.

    References
    ----------
    Gage, P. (1994). A new algorithm for data compression. C Users Journal 12(2), 23-38.
    Sennrich, R., Haddow, B. and Birch, A. (2016). Neural machine translation of rare
    words with subword units. ACL.

    Example
    -------
    >>> bpe = BytePairEncoder(max_merges=50).fit(["low lower lowest", "new newer newest"])
    >>> ids = bpe.transform("lowest newest")
    >>> bpe.inverse_transform(ids), len(ids) < len("lowest newest")
    ('lowest newest', True)
    """

    _estimator_type = "transformer"
    #: input: documents, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True}

    def __init__(self, max_merges: int = 3000, min_frequency: int = 2, encoding: str = "utf-8",
                 input_type: str = "strings"):
        self.max_merges = max_merges
        self.min_frequency = min_frequency
        self.encoding = encoding
        self.input_type = input_type

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        check_scalar(self.max_merges, "max_merges", int, low=0)
        check_scalar(self.min_frequency, "min_frequency", int, low=1)
        check_scalar(self.encoding, "encoding", str)
        from mlcore.validation import check_choice
        check_choice(self.input_type, "input_type", ("strings", "files"))

    def _chunks(self, text):
        return [c.encode(self.encoding) for c in _CHUNK.findall(text)]

    def fit(self, X, y=None):
        """Learn merges from texts ``X`` (a list of strings, or of paths); returns self."""
        docs = read_documents(X, self.input_type, "utf-8" if self.input_type == "strings" else self.encoding)
        freq = Counter()
        for d in docs:
            freq.update(self._chunks(d))
        words = [tuple(w) for w in freq]
        counts = list(freq.values())
        pair_count = Counter()
        where: dict[tuple, set] = {}
        for i, w in enumerate(words):  # initial pair statistics, one pass over chunk types
            for p, k in _pairs(w).items():
                pair_count[p] += k * counts[i]
                where.setdefault(p, set()).add(i)
        heap = [(-c, p) for p, c in pair_count.items()]
        heapq.heapify(heap)
        merges = []
        while len(merges) < self.max_merges and heap:  # one iteration per merge
            negc, pair = heapq.heappop(heap)
            if pair_count.get(pair, 0) != -negc:
                continue  # stale heap entry
            if -negc < self.min_frequency:
                break  # no pair frequent enough is left: stop gracefully
            new = 256 + len(merges)
            merges.append(pair)
            changed = set()
            for i in where.pop(pair, ()):  # only chunk types containing the pair
                old = words[i]
                nw = _merge(old, pair[0], pair[1], new)
                if nw == old:
                    continue
                words[i] = nw
                diff = _pairs(nw)
                diff.subtract(_pairs(old))
                for p, k in diff.items():
                    if k:
                        pair_count[p] += k * counts[i]
                        changed.add(p)
                        if k > 0:
                            where.setdefault(p, set()).add(i)
            pair_count.pop(pair, None)
            for p in changed:
                c = pair_count.get(p, 0)
                if c > 0:
                    heapq.heappush(heap, (-c, p))
                else:
                    pair_count.pop(p, None)
        self.merges_ = np.array(merges, dtype=np.int64).reshape(-1, 2)
        self._cache = None
        return self

    def set_state(self, state):
        super().set_state(state)
        self._cache = None

    def _tables(self):
        check_is_fitted(self, "merges_")
        if getattr(self, "_cache", None) is None:
            merges = [tuple(m) for m in self.merges_.tolist()]
            token_bytes = [bytes([i]) for i in range(256)]
            for a, b in merges:
                token_bytes.append(token_bytes[a] + token_bytes[b])
            self._cache = ({p: r for r, p in enumerate(merges)}, token_bytes, {})
        return self._cache

    @property
    def vocabulary_size(self) -> int:
        """``256 + n_merges``."""
        check_is_fitted(self, "merges_")
        return 256 + len(self.merges_)

    def token_bytes(self, token: int) -> bytes:
        """The bytes token ``token`` stands for."""
        return self._tables()[1][token]

    def _encode_chunk(self, chunk, ranks, memo):
        ids = memo.get(chunk)
        if ids is not None:
            return ids
        word = tuple(chunk)
        while len(word) > 1:  # one merge per iteration, at most len(chunk) - 1
            best = min(pairwise(word), key=lambda p: ranks.get(p, np.inf))
            r = ranks.get(best)
            if r is None:
                break
            word = _merge(word, best[0], best[1], 256 + r)
        memo[chunk] = word
        return word

    def _encode(self, text):
        if not isinstance(text, str):
            raise TypeError(f"texts must be str, got {type(text).__name__}")
        ranks, _, memo = self._tables()
        out = []
        for c in self._chunks(text):
            out.extend(self._encode_chunk(c, ranks, memo))
        return np.array(out, dtype=np.int64)

    def transform(self, X):
        """Token ids: a 1-D array for a str, a list of arrays for a list of str."""
        self._tables()
        if isinstance(X, str):
            return self._encode(X)
        return [self._encode(t) for t in X]

    def _decode(self, ids):
        tb = self._tables()[1]
        ids = np.asarray(ids, dtype=np.int64).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= len(tb)):
            raise ValueError(f"token ids must lie in [0, {len(tb)}), got range [{ids.min()}, {ids.max()}]")
        return b"".join([tb[i] for i in ids.tolist()]).decode(self.encoding)

    def inverse_transform(self, X):
        """Texts from token ids: a str for one id sequence, a list of str for a list of them."""
        if isinstance(X, np.ndarray) and X.ndim == 1 or (
                isinstance(X, (list, tuple)) and all(isinstance(i, (int, np.integer)) for i in X)):
            return self._decode(X)
        return [self._decode(ids) for ids in X]

    @classmethod
    def conformance_example(cls):
        docs = ["low lower lowest", "new newer newest widest", "naïve café, déjà vu!"]
        return {"spec": "byte_pair_encoder(max_merges=40)", "fit": (docs,)}
