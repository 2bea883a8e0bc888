"""Huffman coding of token sequences."""

from __future__ import annotations

import heapq
from collections import Counter

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_is_fitted

__all__ = ["HuffmanEncoder", "huffman_code_lengths"]


def huffman_code_lengths(counts) -> np.ndarray:
    """Optimal prefix-code lengths for symbol ``counts`` (Huffman's algorithm).

    Parameters
    ----------
    counts : array_like of positive numbers, shape (n,)

    Returns
    -------
    ndarray of int64, shape (n,)
        ``lengths[i]`` = depth of symbol ``i`` in the Huffman tree (1 when ``n == 1``).

    Notes
    -----
    Repeatedly merges the two lightest subtrees (ties: the earlier-created subtree
    first, leaves in input order), then reads depths from the parent links. The loop is
    over the ``n - 1`` merges, O(n log n) with a binary heap.
    """
    counts = np.asarray(counts, dtype=float)
    n = len(counts)
    if n == 0:
        raise ValueError("need at least one symbol")
    if n == 1:
        return np.ones(1, dtype=np.int64)
    parent = np.full(2 * n - 1, -1, dtype=np.int64)
    heap = [(c, i) for i, c in enumerate(counts.tolist())]
    heapq.heapify(heap)
    nxt = n
    while len(heap) > 1:  # one iteration per internal node
        c1, a = heapq.heappop(heap)
        c2, b = heapq.heappop(heap)
        parent[a] = parent[b] = nxt
        heapq.heappush(heap, (c1 + c2, nxt))
        nxt += 1
    depth = np.zeros(2 * n - 1, dtype=np.int64)
    for node in range(2 * n - 3, -1, -1):  # parents have larger ids: one top-down pass
        depth[node] = depth[parent[node]] + 1
    return depth[:n]


def _canonical_codes(lengths) -> list:
    """Canonical prefix codes: sorted by (length, symbol index), consecutive integers."""
    order = np.lexsort((np.arange(len(lengths)), lengths))
    codes = [""] * len(lengths)
    code, prev = 0, int(lengths[order[0]])
    for i in order.tolist():  # one step per symbol
        L = int(lengths[i])
        code <<= L - prev
        prev = L
        codes[i] = format(code, f"0{L}b")
        code += 1
    return codes


class HuffmanEncoder(Estimator):
    """Huffman code for the tokens of a corpus: fit, encode to bits, decode.

    ``fit`` counts the tokens (a list of strings, or a str as a sequence of characters, or
    a fitted :class:`~mlcore_preprocessing.vocabulary.Vocabulary`), builds the Huffman
    code lengths and assigns *canonical* codes, so the code is determined by the lengths.

    Attributes
    ----------
    tokens_ : list of str, length n
        Symbols in order of first appearance (vocabulary order for a Vocabulary); a list,
        not a NumPy array, so that any string (even one ending in NUL) is kept exactly.
    counts_ : ndarray of int64, shape (n,)
    code_lengths_ : ndarray of int64, shape (n,)
    codes_ : list of str, length n
        Bit strings; no code is a prefix of another.

    Notes
    -----
    Huffman codes minimise the expected length ``sum_i p_i l_i``, which lies within one bit
    of the entropy ``H = -sum_i p_i log2 p_i``.

    References
    ----------
    Huffman, D. A. (1952). A method for the construction of minimum-redundancy codes.
    Proc. IRE 40(9), 1098-1101.

    Example
    -------
    >>> h = HuffmanEncoder().fit("abracadabra")
    >>> bits = h.encode("abracadabra")
    >>> "".join(h.decode(bits)), len(bits)
    ('abracadabra', 23)
    """

    _estimator_type = "transformer"
    #: input: token sequences, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True}

    def __init__(self):
        pass

    def fit(self, X, y=None):
        """Build the code from tokens ``X`` (sequence of str, a str, or a Vocabulary)."""
        from .vocabulary import Vocabulary

        if isinstance(X, Vocabulary):
            check_is_fitted(X, "tokens_")
            keep = X.counts_ > 0
            tokens, counts = X.tokens_[keep].tolist(), X.counts_[keep].tolist()
        else:
            seq = self._seq(X)
            if not seq:
                raise ValueError("fit needs at least one token")
            c = Counter(seq)
            tokens, counts = list(c), list(c.values())
        lengths = huffman_code_lengths(counts)
        self.tokens_ = [str(t) for t in tokens]
        self.counts_ = np.array(counts, dtype=np.int64)
        self.code_lengths_ = lengths
        self.codes_ = _canonical_codes(lengths)
        self._tables = None
        return self

    @staticmethod
    def _seq(X):
        if isinstance(X, str):
            return list(X)
        seq = list(X)
        for t in seq:
            if not isinstance(t, (str, np.str_)):
                raise TypeError(f"tokens must be str, got {type(t).__name__}")
        return [str(t) for t in seq]

    def set_state(self, state):
        super().set_state(state)
        self._tables = None

    def _lookup(self):
        check_is_fitted(self, "codes_")
        if getattr(self, "_tables", None) is None:
            toks, codes = self.tokens_, self.codes_
            self._tables = (dict(zip(toks, codes)), dict(zip(codes, toks)))
        return self._tables

    def transform(self, X) -> list:
        """The code (bit string) of each token of ``X``; unknown tokens raise KeyError."""
        enc, _ = self._lookup()
        try:
            return [enc[t] for t in self._seq(X)]
        except KeyError as exc:
            raise KeyError(f"token {exc.args[0]!r} was not seen in fit") from None

    def encode(self, X) -> str:
        """The concatenated bit string of the tokens of ``X``."""
        return "".join(self.transform(X))

    def inverse_transform(self, codes) -> list:
        """Tokens from a list of codes (as returned by :meth:`transform`) or a bit string."""
        if isinstance(codes, str):
            return self.decode(codes)
        _, dec = self._lookup()
        try:
            return [dec[c] for c in codes]
        except KeyError as exc:
            raise KeyError(f"{exc.args[0]!r} is not a code of this encoder") from None

    def decode(self, bits: str) -> list:
        """Tokens from a concatenated bit string (the code is prefix-free)."""
        _, dec = self._lookup()
        out, cur = [], ""
        for b in bits:  # bit-serial by nature: a code ends where a prefix matches
            if b not in "01":
                raise ValueError(f"bit strings contain only '0' and '1', got {b!r}")
            cur += b
            tok = dec.get(cur)
            if tok is not None:
                out.append(tok)
                cur = ""
        if cur:
            raise ValueError(f"the bit string ends inside a code ({cur!r} left over)")
        return out

    @classmethod
    def conformance_example(cls):
        return {"fit": (["abracadabra", "alakazam"] + list("mississippi"),)}
