"""N-gram count tables as sorted integer arrays (a trie flattened level by level).

Order ``m`` holds the distinct m-grams of the padded training stream as sorted ``int64``
keys ``key = prefix * V + w``, where ``prefix`` is the row of the m-gram's first ``m - 1``
tokens in the order-``(m - 1)`` table (0 for unigrams: the empty context) and ``w`` is
the last token id. Every prefix of a counted m-gram is itself counted (all orders
1..n are counted, "everygrams"), so the keys stay below ``#(m-1)-grams * V`` and a
lookup is one ``searchsorted`` per order, vectorised over queries.
"""

from __future__ import annotations

import numpy as np

__all__ = ["context_sums", "count_everygrams", "gram_index", "lookup"]

_INT64_MAX = np.iinfo(np.int64).max


def count_everygrams(stream: np.ndarray, ends: np.ndarray, n: int, V: int):
    """Count every m-gram (m = 1..n) lying inside one padded sentence.

    Parameters
    ----------
    stream : ndarray of int64, shape (L,)
        Concatenated padded sentences (token ids in ``[0, V)``).
    ends : ndarray of int64, shape (n_sentences,)
        Exclusive end of each padded sentence.
    n : int
    V : int
        Vocabulary size.

    Returns
    -------
    keys, counts : list of n int64 arrays
        Sorted distinct keys of order m at index m - 1, and their counts.
    """
    L = len(stream)
    plen = np.diff(ends, prepend=0)
    room = np.repeat(ends, plen) - np.arange(L)     # tokens from position p to its sentence end
    keys, counts = [], []
    cnt = np.bincount(stream, minlength=V)
    uniq = np.flatnonzero(cnt)
    rank = np.full(V, -1, dtype=np.int64)
    rank[uniq] = np.arange(len(uniq))
    keys.append(uniq.astype(np.int64))
    counts.append(cnt[uniq].astype(np.int64))
    idx = rank[stream]                               # row of the unigram starting at p
    for m in range(2, n + 1):
        if len(keys[-1]) * V >= _INT64_MAX:
            raise OverflowError(f"n-gram keys of order {m} do not fit in int64")
        p = np.flatnonzero(room >= m)
        key = idx[p] * V + stream[p + m - 1]
        if m < n:
            u, inv, c = np.unique(key, return_inverse=True, return_counts=True)
            idx = np.full(L, -1, dtype=np.int64)
            idx[p] = inv.ravel()
        else:
            u, c = np.unique(key, return_counts=True)
        keys.append(u.astype(np.int64))
        counts.append(c.astype(np.int64))
    return keys, counts


def gram_index(table: np.ndarray, V: int, ctx: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Row of the m-gram (context row ``ctx``, last token ``w``) in ``table``, -1 if absent.

    ``ctx`` rows of -1 (unknown context) give -1.
    """
    ctx = np.asarray(ctx, dtype=np.int64)
    key = np.where(ctx >= 0, ctx, 0) * V + w
    pos = np.empty(len(key), dtype=np.int64)
    order = np.argsort(key, kind="stable")      # sorted needles: searchsorted reuses bounds
    pos[order] = np.searchsorted(table, key[order])
    pos = np.minimum(pos, len(table) - 1)
    found = (ctx >= 0) & (len(table) > 0) & (table[pos] == key)
    return np.where(found, pos, -1)


def lookup(keys: list, V: int, tokens: np.ndarray) -> np.ndarray:
    """Row of each m-gram ``tokens[i]`` (shape (q, m)) in the order-m table; -1 if unseen.

    ``m = 0`` (empty context) gives row 0 for every query.
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    idx = np.zeros(tokens.shape[0], dtype=np.int64)
    for j in range(tokens.shape[1]):                 # one vectorised search per order
        idx = gram_index(keys[j], V, idx, tokens[:, j])
    return idx


def context_sums(table: np.ndarray, values: np.ndarray, V: int, n_contexts: int) -> np.ndarray:
    """Sum of ``values`` over the m-grams sharing each context row (length ``n_contexts``)."""
    return np.bincount(table // V, weights=values, minlength=n_contexts)
