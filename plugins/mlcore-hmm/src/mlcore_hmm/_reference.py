"""Readable forward, backward and Viterbi recursions of one sequence, as in Rabiner (1989).

:mod:`mlcore_hmm._chunks` runs these recursions for many sequences at once as a two-level
associative scan over chunks of about sqrt(T) steps (chunk products, chained chunk starts,
then all chunks in parallel). That avoids a Python loop over time but hides the textbook
recursion. The functions here are that recursion: one sequence, one loop over time steps,
the equation numbers of Rabiner's tutorial in the comments. They are not used by
:class:`~mlcore_hmm.hmm.MultinomialHMM`; ``tests/test_hmm_reference.py`` checks that the
model's ``score``, ``score_samples``, one Baum-Welch step and ``decode`` agree with them.

Notation: ``pi`` (N,) initial distribution, ``A`` (N, N) with
``A[i, j] = P(q_(t+1) = j | q_t = i)``, ``B`` (N, V) with ``B[j, k] = P(o_t = k | q_t = j)``,
observations ``o`` (T,) integer symbols.
"""

from __future__ import annotations

import numpy as np

__all__ = ["backward", "baum_welch_counts", "forward", "viterbi"]


def forward(pi, A, B, o):
    """Scaled forward variables and the log-likelihood of one sequence.

    Parameters
    ----------
    pi : ndarray (N,)
    A : ndarray (N, N)
    B : ndarray (N, V)
    o : int ndarray (T,)

    Returns
    -------
    alpha_hat : ndarray (T, N)
        Scaled forward variables ``alpha_t(i) / P(o_1..o_t)`` (each row sums to 1).
    c : ndarray (T,)
        Scale factors ``c_t = P(o_t | o_1..o_(t-1))``.
    loglik : float
        ``log P(o | model) = sum_t log c_t`` (Rabiner eq. 103, with c_t the inverse of his
        scale coefficients).

    Notes
    -----
    .. math::

        \\alpha_1(i) &= \\pi_i\\, b_i(o_1) && \\text{(19)} \\\\
        \\alpha_{t+1}(j) &= \\Big[\\sum_i \\alpha_t(i)\\, a_{ij}\\Big] b_j(o_{t+1}) && \\text{(20)} \\\\
        P(O \\mid \\lambda) &= \\sum_i \\alpha_T(i) && \\text{(21)}

    computed with the scaling of section V.A: every alpha_t is divided by its sum c_t.
    """
    T, N = len(o), len(pi)
    alpha_hat = np.zeros((T, N))
    c = np.zeros(T)
    for t in range(T):  # the recursion is sequential in time
        if t == 0:
            a = pi * B[:, o[0]]                                # (19)
        else:
            a = np.zeros(N)
            for j in range(N):                                 # (20)
                a[j] = sum(alpha_hat[t - 1, i] * A[i, j] for i in range(N)) * B[j, o[t]]
        c[t] = a.sum()
        alpha_hat[t] = a / c[t]
    return alpha_hat, c, float(np.sum(np.log(c)))


def backward(A, B, o, c):
    """Scaled backward variables ``beta_hat`` (T, N) with the forward pass's scales ``c``.

    .. math::

        \\beta_T(i) = 1, \\qquad
        \\beta_t(i) = \\sum_j a_{ij}\\, b_j(o_{t+1})\\, \\beta_{t+1}(j) \\quad \\text{(24, 25)}

    each divided by ``c_(t+1)``, so that ``gamma_t = alpha_hat_t * beta_hat_t`` is the
    state posterior ``P(q_t = i | O)`` (eq. 27).
    """
    T, N = len(o), A.shape[0]
    beta_hat = np.ones((T, N))
    for t in range(T - 2, -1, -1):  # backwards in time
        for i in range(N):
            beta_hat[t, i] = sum(A[i, j] * B[j, o[t + 1]] * beta_hat[t + 1, j] for j in range(N)) / c[t + 1]
    return beta_hat


def baum_welch_counts(pi, A, B, o):
    """Expected counts of one sequence for the Baum-Welch re-estimation (Rabiner eqs. 37-40).

    Returns
    -------
    gamma : ndarray (T, N)
        State posteriors ``gamma_t(i) = alpha_t(i) beta_t(i) / P(O)``.
    xi : ndarray (N, N)
        ``sum_(t=1)^(T-1) xi_t(i, j)``, ``xi_t(i, j) = alpha_t(i) a_ij b_j(o_(t+1))
        beta_(t+1)(j) / P(O)`` (eq. 37): expected transitions, only between real steps.
    emit : ndarray (N, V)
        ``sum_(t: o_t = k) gamma_t(j)``, expected emissions.
    loglik : float
    """
    alpha_hat, c, loglik = forward(pi, A, B, o)
    beta_hat = backward(A, B, o, c)
    gamma = alpha_hat * beta_hat
    N = len(pi)
    xi = np.zeros((N, N))
    for t in range(len(o) - 1):
        for i in range(N):
            for j in range(N):
                xi[i, j] += alpha_hat[t, i] * A[i, j] * B[j, o[t + 1]] * beta_hat[t + 1, j] / c[t + 1]
    emit = np.zeros_like(B)
    for t, k in enumerate(o):
        emit[:, k] += gamma[t]
    return gamma, xi, emit, loglik


def viterbi(log_pi, log_A, log_B, o):
    """Most probable state path of one sequence (Rabiner eqs. 32a-35, in log space).

    Parameters
    ----------
    log_pi, log_A, log_B : ndarray
        Logarithms of pi (N,), A (N, N), B (N, V) (``-inf`` for zeros).
    o : int ndarray (T,)

    Returns
    -------
    logprob : float
        ``max_Q log P(Q, O | model)``.
    path : int ndarray (T,)

    Notes
    -----
    .. math::

        \\delta_1(i) &= \\log \\pi_i + \\log b_i(o_1) \\\\
        \\delta_t(j) &= \\max_i [\\delta_{t-1}(i) + \\log a_{ij}] + \\log b_j(o_t), \\quad
        \\psi_t(j) = \\arg\\max_i [\\delta_{t-1}(i) + \\log a_{ij}] \\\\
        q_T^* &= \\arg\\max_i \\delta_T(i), \\qquad q_t^* = \\psi_{t+1}(q_{t+1}^*)

    Ties go to the lowest state index (the first maximum), in every argmax.
    """
    T, N = len(o), len(log_pi)
    delta = np.zeros((T, N))
    psi = np.zeros((T, N), dtype=np.intp)
    delta[0] = log_pi + log_B[:, o[0]]
    for t in range(1, T):  # sequential in time
        for j in range(N):
            scores = delta[t - 1] + log_A[:, j]
            psi[t, j] = int(np.argmax(scores))
            delta[t, j] = scores[psi[t, j]] + log_B[j, o[t]]
    path = np.zeros(T, dtype=np.intp)
    path[-1] = int(np.argmax(delta[-1]))
    for t in range(T - 2, -1, -1):  # backtracking
        path[t] = psi[t + 1, path[t + 1]]
    return float(delta[-1, path[-1]]), path
