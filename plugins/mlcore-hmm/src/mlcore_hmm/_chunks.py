"""Forward, backward and Viterbi recursions for many sequences at once, cut into chunks.

Why chunks
----------
The HMM recursions are sequential in time. A Python loop over ``T`` time steps costs
``T`` times the NumPy call overhead, which dominates for small state spaces. Instead,
every sequence is cut into chunks of at most ``L`` transition steps and

1. all chunks compute, in parallel, the product of their step matrices
   ``M_t = A diag(b_t)`` (sum-product) or ``logA + log b_t`` (max-plus), starting from
   the identity: ``L`` batched steps;
2. the chunk products are chained within each sequence (``max chunks per sequence``
   steps, vectorised across sequences), which gives the exact forward message at the
   start of every chunk;
3. all chunks then run the ordinary recursion from their known start, in parallel:
   ``L`` batched steps again.

With ``L ~ sqrt(T)`` the number of NumPy calls drops from ``O(T)`` to ``O(sqrt(T))``
at the price of ``N`` times more arithmetic in step 1 (a two-level associative scan).
The plain recursions, one sequence and one time step at a time: :mod:`mlcore_hmm._reference`.
Sequences that fit in one chunk skip steps 1 and 2. For Viterbi, step 1 costs ``N^3``
per position (there is no BLAS for the max-plus semiring); when the alphabet is small it
runs two positions at a time from the precomputed products of every pair of symbols.

Layout: time-major arrays ``(L + 1, C, N)``; column 0 of a chunk is the position just
before its first transition step (position 0 of the sequence for its first chunk).
Chunks are sorted by length, longest first, so the chunks still active at step ``k``
are a prefix ``[:n_active[k]]`` (a view, no copy).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Layout", "forward_backward", "log_likelihood", "viterbi"]

_MAXPLUS_BLOCK = 2_000_000   # entries of the largest max-plus temporary (16 MB)


def chunk_length(max_len: int) -> int:
    """Transition steps per chunk: whole sequences when short, about sqrt(T) when long."""
    if max_len <= 128:
        return max(max_len - 1, 1)
    return int(np.ceil(np.sqrt(max_len)))


class Layout:
    """Positions of several concatenated sequences arranged in sorted chunks.

    Parameters
    ----------
    lengths : array of int (S,)
        Sequence lengths (each >= 1); sequences are concatenated in this order.
    L : int, optional
        Transition steps per chunk (default :func:`chunk_length`).
    """

    def __init__(self, lengths, L=None):
        lengths = np.asarray(lengths, dtype=np.intp)
        self.lengths = lengths
        self.n_seq = S = len(lengths)
        self.offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
        self.L = L = int(L or chunk_length(int(lengths.max())))
        n_chunks = np.maximum(1, -(-(lengths - 1) // L))            # ceil((T-1)/L), at least 1
        seq = np.repeat(np.arange(S), n_chunks)
        idx = np.arange(len(seq)) - np.repeat(np.cumsum(n_chunks) - n_chunks, n_chunks)
        start = 1 + idx * L                                           # first transition position
        clen = np.minimum(L, lengths[seq] - start)                    # >= 0
        order = np.argsort(-clen, kind="stable")
        self.seq, self.idx, self.clen = seq[order], idx[order], clen[order]
        self.C = len(order)
        self.n_chunks = n_chunks
        # global position of column k of each chunk (clipped to the chunk's last position)
        k = np.arange(L + 1)[:, None]
        base = self.offsets[self.seq] + start[order] - 1
        self.pos = base[None, :] + np.minimum(k, self.clen[None, :])  # (L+1, C)
        self.valid = k <= self.clen[None, :]
        self.owned = self.valid & ((k >= 1) | (self.idx == 0)[None, :])
        self.n_active = np.array([np.count_nonzero(self.clen >= j) for j in range(L + 1)])
        self.multi = bool(n_chunks.max() > 1)
        # chain steps: for chunk index j, the sequences having it and its chunk ids (by sequence)
        self.chain = []
        for j in range(int(n_chunks.max())):  # loop over chunk index: about T / L steps
            cids = np.flatnonzero(self.idx == j)
            cids = cids[np.argsort(self.seq[cids], kind="stable")]
            self.chain.append((self.seq[cids], cids))
        self.first = self.chain[0][1]
        lastmask = self.idx == n_chunks[self.seq] - 1
        cids = np.flatnonzero(lastmask)
        self.last = cids[np.argsort(self.seq[cids], kind="stable")]


# ---------------------------------------------------------------------------- sum-product

def _chunk_products(lay, A, Bc):
    """Scaled products ``P_c = prod_k A diag(b_k)`` of every chunk and their log scales."""
    C, N = lay.C, A.shape[0]
    P = A[None, :, :] * Bc[1][:, None, :]
    logscale = np.zeros(C)
    tmp = np.empty((C * N, N))
    # loop over the L steps of a chunk (all chunks at once, see module docstring)
    for k in range(2, lay.L + 1):
        n = lay.n_active[k]
        if n == 0:
            break
        out = tmp[: n * N]
        np.matmul(P[:n].reshape(n * N, N), A, out=out)
        Pn = out.reshape(n, N, N)
        Pn *= Bc[k, :n, None, :]
        s = Pn.reshape(n, N * N).sum(axis=1)
        logscale[:n] += np.log(s)
        np.divide(Pn, s[:, None, None], out=P[:n])
    # chunks of length 0 (single-position sequences) are the identity
    empty = lay.clen == 0
    if empty.any():
        P[empty] = np.eye(N)
    return P, logscale


def _chain_forward(lay, P, alpha0):
    """Normalised forward messages at the start of each chunk and per-chunk normalisers."""
    C, N = P.shape[0], P.shape[1]
    start = np.empty((C, N))
    k = np.ones(C)
    end = np.empty((lay.n_seq, N))
    cur = alpha0
    for j, (seqs, cids) in enumerate(lay.chain):  # loop over chunk index (<= T / L steps)
        if j > 0:
            cur = end[seqs]
        start[cids] = cur
        v = np.matmul(cur[:, None, :], P[cids])[:, 0, :]
        s = v.sum(axis=1)
        k[cids] = s
        end[seqs] = v / s[:, None]
    return start, k


def _impossible(loglik):
    """``-inf`` for the sequences of probability zero. A zero normaliser (no state can emit
    the symbol) turns that sequence's messages into 0/0 = NaN; sequences are independent
    and the parameters are validated, so a NaN marks exactly those sequences."""
    return np.where(np.isnan(loglik), -np.inf, loglik)


def log_likelihood(lay, startprob, A, Bx):
    """log P(sequence) of every sequence, shape (S,); ``-inf`` for impossible sequences.

    ``Bx`` (n_positions, N) holds ``b_j(o_t)`` for every position of the concatenation.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return _impossible(_log_likelihood(lay, startprob, A, Bx))


def _log_likelihood(lay, startprob, A, Bx):
    v0 = startprob[None, :] * Bx[lay.offsets]
    c0 = v0.sum(axis=1)
    alpha0 = v0 / c0[:, None]
    Bc = Bx[lay.pos]
    if not lay.multi:  # each sequence is one chunk: normalised forward recursion directly
        cs = _forward_in_chunks(lay, A, Bc, alpha0[lay.seq])[1]
        return np.log(c0) + np.bincount(lay.seq, np.log(cs[1:]).sum(axis=0), minlength=lay.n_seq)
    P, logscale = _chunk_products(lay, A, Bc)
    _, k = _chain_forward(lay, P, alpha0)
    return np.log(c0) + np.bincount(lay.seq, np.log(k) + logscale, minlength=lay.n_seq)


def _forward_in_chunks(lay, A, Bc, start):
    """Normalised forward messages inside every chunk from known starts; (L+1, C, N)."""
    L, C, N = lay.L, lay.C, A.shape[0]
    alpha = np.zeros((L + 1, C, N))
    cs = np.ones((L + 1, C))
    alpha[0] = start
    for k in range(1, L + 1):  # loop over the L steps of a chunk, all chunks at once
        n = lay.n_active[k]
        if n == 0:
            break
        v = alpha[k - 1, :n] @ A
        v *= Bc[k, :n]
        s = v.sum(axis=1)
        cs[k, :n] = s
        np.divide(v, s[:, None], out=alpha[k, :n])
    return alpha, cs


def forward_backward(lay, startprob, A, Bx):
    """Posteriors and expected counts for Baum-Welch.

    Returns
    -------
    loglik : ndarray (S,)
        ``-inf`` for impossible sequences (their posteriors are then undefined: NaN).
    gamma : ndarray (L+1, C, N)
        State posteriors in chunk layout (use ``lay.owned`` / ``lay.pos`` to scatter).
    xi_sum : ndarray (N, N)
        Expected transition counts summed over all sequences and time steps.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik, gamma, xi_sum = _forward_backward(lay, startprob, A, Bx)
    return _impossible(loglik), gamma, xi_sum


def _forward_backward(lay, startprob, A, Bx):
    N = A.shape[0]
    v0 = startprob[None, :] * Bx[lay.offsets]
    c0 = v0.sum(axis=1)
    alpha0 = v0 / c0[:, None]
    Bc = Bx[lay.pos]
    if lay.multi:
        P, logscale = _chunk_products(lay, A, Bc)
        start, knorm = _chain_forward(lay, P, alpha0)
        loglik = np.log(c0) + np.bincount(lay.seq, np.log(knorm) + logscale, minlength=lay.n_seq)
    else:
        start = alpha0[lay.seq]
    alpha, cs = _forward_in_chunks(lay, A, Bc, start)
    if not lay.multi:
        ll = np.log(cs[1:]).sum(axis=0)
        loglik = np.log(c0) + np.bincount(lay.seq, ll, minlength=lay.n_seq)
    # backward messages at the end of every chunk
    end_beta = np.ones((lay.C, N))
    for j in range(len(lay.chain) - 1, 0, -1):  # loop over chunk index, backwards
        seqs, cids = lay.chain[j]
        prev = lay.chain[j - 1][1][np.searchsorted(lay.chain[j - 1][0], seqs)]
        end_beta[prev] = np.matmul(P[cids], end_beta[cids][:, :, None])[:, :, 0] / knorm[cids, None]
    L = lay.L
    beta = np.ones((L + 1, lay.C, N))
    beta[lay.clen, np.arange(lay.C)] = end_beta
    AT = A.T
    for k in range(L, 0, -1):  # loop over the L steps of a chunk, backwards, all chunks at once
        n = lay.n_active[k]
        if n == 0:
            continue
        w = Bc[k, :n] * beta[k, :n]
        w /= cs[k, :n, None]
        np.matmul(w, AT, out=beta[k - 1, :n])
    gamma = alpha * beta
    norm = gamma.sum(axis=2, keepdims=True)
    norm[norm == 0] = 1.0                                                # padding columns
    gamma /= norm
    # xi summed: sum_t alpha_{t-1}^T (b_t * beta_t / c_t), restricted to real steps
    w = Bc[1:] * beta[1:]
    w /= cs[1:, :, None]
    mask = lay.valid[1:]
    xi_sum = A * (alpha[:-1][mask].T @ w[mask])
    return loglik, gamma, xi_sum


# ---------------------------------------------------------------------------- max-plus

def _maxplus_step(D, G, lo, hi):
    """``D[:, :, c] <- D[:, :, c] (max-plus) G`` for chunks ``lo <= c < hi``, in place.

    ``G`` is one (N, N) matrix shared by all chunks or (N, N, hi - lo), one per chunk.
    The (i, m, j, c) temporary is kept below ``_MAXPLUS_BLOCK`` entries.
    """
    N = D.shape[0]
    shared = G.ndim == 2
    if N ** 3 <= _MAXPLUS_BLOCK:
        step = max(1, _MAXPLUS_BLOCK // N ** 3)
        for c0 in range(lo, hi, step):  # blocks of chunks
            c1 = min(hi, c0 + step)
            g = G[None, :, :, None] if shared else G[None, :, :, c0 - lo:c1 - lo]
            np.max(D[:, :, None, c0:c1] + g, axis=1, out=D[:, :, c0:c1])
    else:  # many states: accumulate over the middle state m, memory N^2 per chunk
        g = (lambda m: G[m][None, :, None]) if shared else (lambda m: G[m][None, :, :])
        acc = D[:, 0, None, lo:hi] + g(0)
        for m in range(1, N):
            np.maximum(acc, D[:, m, None, lo:hi] + g(m), out=acc)
        D[:, :, lo:hi] = acc


def _finish_products(lay, D):
    empty = lay.clen == 0
    if empty.any():  # chunks of length 0 (single-position sequences) are the identity
        D[:, :, empty] = np.where(np.eye(D.shape[0], dtype=bool), 0.0, -np.inf)[:, :, None]
    return D


def _maxplus_products(lay, logA, LBc):
    """Max-plus products of every chunk, layout (N, N, C): ``D[i, j, c]``."""
    D = logA[:, :, None] + LBc[1][None, :, :]                          # (N, N, C)
    for k in range(2, lay.L + 1):  # loop over the L steps of a chunk, all chunks at once
        n = lay.n_active[k]
        if n == 0:
            break
        _maxplus_step(D, logA, 0, n)
        D[:, :, :n] += LBc[k][None, :, :n]
    return _finish_products(lay, D)


def _maxplus_pairs(lay, logA, logB, sym):
    """Same products two steps at a time, from the max-plus products of every pair of
    symbols (``V^2 N^3`` work once, worth it when ``V^2`` is small against ``T``).

    ``sym`` (L+1, C): the symbol at every chunk column.
    """
    L = lay.L
    M = logA[None, :, :] + logB.T[:, None, :]                          # (V, i, j)
    M2 = np.max(M[:, None, :, :, None] + M[None, :, None, :, :], axis=3)   # (V, V, i, j)
    N = logA.shape[0]
    D = np.empty((N, N, lay.C))
    n1, n2 = lay.n_active[1], (lay.n_active[2] if L >= 2 else 0)
    D[:, :, :n2] = M2[sym[1, :n2], sym[2, :n2]].transpose(1, 2, 0)
    D[:, :, n2:n1] = M[sym[1, n2:n1]].transpose(1, 2, 0)
    for k in range(3, L + 1, 2):  # loop over pairs of chunk steps, all chunks at once
        hi = lay.n_active[k]                                             # chunks with a step k
        if hi == 0:
            break
        pair = lay.n_active[k + 1] if k + 1 <= L else 0                  # ... and a step k + 1
        if pair:
            _maxplus_step(D, np.ascontiguousarray(M2[sym[k, :pair], sym[k + 1, :pair]].transpose(1, 2, 0)), 0, pair)
        if hi > pair:
            _maxplus_step(D, M[sym[k, pair:hi]].transpose(1, 2, 0), pair, hi)
    return _finish_products(lay, D)


def viterbi(lay, log_startprob, logA, LBx, logB=None, X=None):
    """Most probable state paths of every sequence.

    Parameters
    ----------
    LBx : ndarray (n_positions, N)
        ``log b_j(o_t)``.
    logB, X : ndarray (N, V) and int ndarray (n_positions,), optional
        Log emission matrix and symbols: when given and ``V^2`` is small against the
        number of positions, the chunk products use precomputed symbol pairs.

    Returns
    -------
    logprob : ndarray (S,)
        Log probability of each sequence's best path.
    path : ndarray (n_positions,)
        The concatenated best paths.
    """
    N, C, L = logA.shape[0], lay.C, lay.L
    delta0 = log_startprob[None, :] + LBx[lay.offsets]                  # (S, N)
    LBc = np.ascontiguousarray(LBx[lay.pos].transpose(0, 2, 1))         # (L+1, N, C)
    start = np.empty((N, C))
    if lay.multi:
        V = None if logB is None else logB.shape[1]
        if V is not None and X is not None and 8 * V * V <= len(X) and V * V * N ** 3 <= 4 * _MAXPLUS_BLOCK:
            D = _maxplus_pairs(lay, logA, logB, X[lay.pos])
        else:
            D = _maxplus_products(lay, logA, LBc)
        end = np.empty((lay.n_seq, N))
        for j, (seqs, cids) in enumerate(lay.chain):  # loop over chunk index
            cur = delta0 if j == 0 else end[seqs]
            start[:, cids] = cur.T
            # end[s, m] = max_i cur[s, i] + D[i, m, c]
            end[seqs] = np.max(cur.T[:, None, :] + D[:, :, cids], axis=0).T
    else:
        start[:] = delta0[lay.seq].T
    # forward Viterbi inside chunks, from the exact chunk starts; back-pointers (L+1, N, C)
    bp = np.zeros((L + 1, N, C), dtype=np.min_scalar_type(N))
    delta = start.copy()
    for k in range(1, L + 1):  # loop over the L steps of a chunk, all chunks at once
        n = lay.n_active[k]
        if n == 0:
            break
        cand = delta[:, None, :n] + logA[:, :, None]                    # (i, j, c)
        bp[k, :, :n] = np.argmax(cand, axis=0)
        np.max(cand, axis=0, out=delta[:, :n])
        delta[:, :n] += LBc[k, :, :n]
    # back-track every chunk from every possible end state at once
    paths = np.empty((L + 1, N, C), dtype=bp.dtype)
    cur = np.broadcast_to(np.arange(N, dtype=bp.dtype)[:, None], (N, C)).copy()
    cols = np.arange(C)[None, :]
    for k in range(L, 0, -1):  # loop over the L steps of a chunk, backwards
        n = lay.n_active[k]
        if n == 0:
            continue
        paths[k, :, :n] = cur[:, :n]
        cur[:, :n] = bp[k][cur[:, :n], cols[:, :n]]
    paths[0] = cur
    # chain the chunks backwards: each chunk's end state is fixed by the next chunk
    final = delta[:, lay.last]                                          # (N, S)
    end_state = np.argmax(final, axis=0)
    logprob = final[end_state, np.arange(lay.n_seq)]
    state_end = np.empty(C, dtype=np.intp)
    e_cur = end_state.copy()
    for j in range(len(lay.chain) - 1, -1, -1):  # loop over chunk index, backwards
        seqs, cids = lay.chain[j]
        e = e_cur[seqs]
        state_end[cids] = e
        e_cur[seqs] = cur[e, cids]
    # assemble: column k of chunk c holds paths[k, state_end[c], c]
    path = np.empty(int(lay.lengths.sum()), dtype=np.intp)
    sel = paths[:, state_end, np.arange(C)]                              # (L+1, C)
    path[lay.pos[lay.owned]] = sel[lay.owned]
    return logprob, path
