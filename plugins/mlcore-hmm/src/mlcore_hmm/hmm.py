"""Discrete (categorical-emission) hidden Markov model."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.progress import progress_iter
from mlcore.validation import check_array, check_is_fitted, check_random_state, check_scalar

__all__ = ["MultinomialHMM"]


def _check_stochastic(value, name, shape):
    arr = check_array(value, name=name, ndim=len(shape)).astype(np.float64)  # always a copy
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if np.any(arr < 0) or not np.allclose(arr.sum(axis=-1), 1.0, atol=1e-8):
        raise ValueError(f"{name} must be non-negative with rows summing to 1")
    return arr


def _check_possible(loglik, where):
    """Raise a ValueError naming the sequences of probability zero (``loglik == -inf``)."""
    bad = np.flatnonzero(np.isneginf(loglik))
    if bad.size:
        raise ValueError(f"sequence(s) {bad[:10].tolist()} (0-based, in the order of lengths) have "
                         f"probability zero {where}")


def _log(a):
    with np.errstate(divide="ignore"):
        return np.log(a)


class MultinomialHMM(Estimator):
    """Hidden Markov model with categorical emissions (one symbol per time step).

    Parameters
    ----------
    n_states : int, default 2
        Number of hidden states ``N``.
    startprob : array (N,), optional
        Initial state distribution ``pi``; uniform when omitted.
    transmat : array (N, N), optional
        Transition matrix ``A[i, j] = P(z_t = j | z_{t-1} = i)``; uniform when omitted.
    emissionprob : array (N, V), optional
        Emission matrix ``B[i, v] = P(x_t = v | z_t = i)``; random rows when omitted.
    n_symbols : int, optional
        Alphabet size ``V``; inferred from ``emissionprob`` or the data when omitted.
    max_iter : int, default 100
        Maximum number of Baum-Welch iterations.
    tol : float, default 1e-2
        Stop when the total log-likelihood improves by less than ``tol``.
    random_state : int, numpy Generator or None
        Seeds the random initial emissions and :meth:`sample`.

    Attributes
    ----------
    startprob_ : ndarray (N,)
    transmat_ : ndarray (N, N)
    emissionprob_ : ndarray (N, V)
    n_symbols_ : int
    history_ : ndarray ``(n_iter_,)``
        Total log-likelihood of the training data before each M-step (the monitor).
    converged_ : bool
    n_iter_ : int

    Notes
    -----
    Observations: a 1-D array of integer symbols ``0..V-1`` (or ``(n, 1)``), several
    sequences concatenated with their ``lengths``, or a list of 1-D arrays of any lengths.

    With ``M_t = A diag(b(x_t))`` the forward messages are ``alpha_0 = pi * b(x_0)``,
    ``alpha_t = alpha_{t-1} M_t``, normalised at every step (``c_t`` = the normaliser,
    ``log P(x) = sum_t log c_t``); backward ``beta_{t-1} = M_t beta_t / c_t``.
    Posteriors ``gamma_t = alpha_t * beta_t``; expected transitions
    ``xi = A * sum_t alpha_{t-1}^T (b(x_t) * beta_t / c_t)``. Baum-Welch sets ``pi`` to
    the mean ``gamma_0``, ``A`` to the row-normalised ``xi`` and ``B`` to the row-normalised
    expected emission counts (rows without counts keep their values). Viterbi runs in
    log space (max-plus). The time recursions are computed as a two-level associative
    scan over chunks of about ``sqrt(T)`` steps (see ``mlcore_hmm._chunks``); there is
    no transition count from the last step of a sequence (numpy-ml defect 4).

    References
    ----------
    Rabiner (1989), A tutorial on hidden Markov models and selected applications in
    speech recognition, Proc. IEEE 77(2). Baum, Petrie, Soules and Weiss (1970), Ann.
    Math. Statist. 41(1). Viterbi (1967), IEEE Trans. Inf. Theory 13(2).

    Example
    -------
    >>> import numpy as np, mlcore
    >>> hmm = mlcore.build("multinomial_hmm(n_states=2, random_state=0)")
    >>> X = np.array([0, 0, 1, 1, 1, 0, 2, 2, 2, 1])
    >>> hmm.fit(X).decode(X)[1].shape
    (10,)
    """

    _estimator_type = "density_estimator"
    #: input: concatenated integer symbol sequences with lengths, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "one_d_array": True, "categorical": True}

    def __init__(self, n_states=2, *, startprob=None, transmat=None, emissionprob=None,
                 n_symbols=None, max_iter=100, tol=1e-2, random_state=None):
        self.n_states = n_states
        self.startprob = startprob
        self.transmat = transmat
        self.emissionprob = emissionprob
        self.n_symbols = n_symbols
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        check_scalar(self.n_states, "n_states", numbers.Integral, low=1)
        check_scalar(self.n_symbols, "n_symbols", numbers.Integral, low=1, allow_none=True)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, low=0)
        check_scalar(self.tol, "tol", low=0)

    # ----------------------------------------------------------------- input
    def _sequences(self, X, lengths, n_symbols=None):
        """Concatenated symbols (n,) and lengths (S,) from any accepted input form."""
        if isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) >= 1 and lengths is None:
            seqs = [check_array(x, name="sequence", ndim=(1, 2), dtype=None) for x in X]
            lengths = np.array([len(s) for s in seqs])
            X = np.concatenate([s.reshape(len(s), -1) if s.ndim == 2 else s for s in seqs]) \
                if len(seqs) else np.empty(0)
        X = check_array(X, name="X", ndim=(1, 2), dtype=None)
        if X.ndim == 2:
            if X.shape[1] != 1:
                raise ValueError(f"X must be a 1-D array of symbols or shape (n, 1), got {X.shape}")
            X = X[:, 0]
        if not (np.issubdtype(X.dtype, np.integer) or
                (np.issubdtype(X.dtype, np.floating) and np.all(X == np.round(X)))):
            raise TypeError(f"observations must be integer symbols, got dtype {X.dtype}")
        X = X.astype(np.intp)
        if lengths is None:
            lengths = np.array([len(X)])
        lengths = np.asarray(lengths)
        if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer) or np.any(lengths < 1):
            raise ValueError("lengths must be a 1-D array of positive integers")
        if lengths.sum() != len(X):
            raise ValueError(f"lengths sum to {lengths.sum()} but there are {len(X)} observations")
        if np.any(X < 0) or (n_symbols is not None and np.any(X >= n_symbols)):
            expected = ("integers >= 0" if n_symbols is None
                        else f"symbols in 0..{n_symbols - 1} (n_symbols={n_symbols})")
            raise ValueError(f"observations must be {expected}, got values in {X.min()}..{X.max()}")
        return X, lengths

    def _layout(self, lengths):
        from ._chunks import Layout

        return Layout(lengths)

    # ----------------------------------------------------------------- fitting
    def _init_params(self, X, rng):
        N = self.n_states
        V = self.n_symbols
        if V is None:
            V = np.shape(self.emissionprob)[1] if self.emissionprob is not None else int(X.max()) + 1
        if X.max() >= V:
            raise ValueError(f"observations must be symbols in 0..{V - 1}, got {X.max()}")
        pi = (_check_stochastic(self.startprob, "startprob", (N,)) if self.startprob is not None
              else np.full(N, 1.0 / N))
        A = (_check_stochastic(self.transmat, "transmat", (N, N)) if self.transmat is not None
             else np.full((N, N), 1.0 / N))
        if self.emissionprob is not None:
            B = _check_stochastic(self.emissionprob, "emissionprob", (N, V))
        else:
            B = rng.random((N, V))
            B /= B.sum(axis=1, keepdims=True)
        return pi, A, B

    def fit(self, X, lengths=None, progress=None):
        """Estimate the parameters by Baum-Welch (EM).

        Parameters
        ----------
        X : array of int (n,) or (n, 1), or list of 1-D arrays
            Observed symbols of one or several concatenated sequences.
        lengths : array of int (S,), optional
            Lengths of the concatenated sequences (default: one sequence).
        progress : bool or None
            Show a tqdm bar over iterations (None: only on a terminal).

        Returns
        -------
        self
        """
        X, lengths = self._sequences(X, lengths, self.n_symbols)
        rng = check_random_state(self.random_state)
        pi, A, B = self._init_params(X, rng)
        from ._chunks import forward_backward

        lay = self._layout(lengths)
        owned = lay.owned
        pos_owned = lay.pos[owned]
        sym_owned = X[pos_owned]
        V, N = B.shape[1], self.n_states
        first_cols = lay.first
        flat_index = (sym_owned[:, None] * N + np.arange(N)).ravel()
        history, converged, n_iter = [], False, 0
        for n_iter in progress_iter(range(1, self.max_iter + 1), progress, "hmm Baum-Welch"):
            loglik, gamma, xi = forward_backward(lay, pi, A, B.T[X])
            _check_possible(loglik, "under the initial parameters (startprob, transmat, emissionprob)")
            history.append(float(loglik.sum()))
            # M-step from expected counts
            start = gamma[0, first_cols].sum(axis=0)
            emit = np.bincount(flat_index, weights=gamma[owned].ravel(),
                               minlength=V * N).reshape(V, N).T
            pi = start / start.sum()
            A = self._normalise(xi, A)
            B = self._normalise(emit, B)
            if len(history) > 1 and history[-1] - history[-2] < self.tol:
                converged = True
                break
        self.startprob_, self.transmat_, self.emissionprob_ = pi, A, B
        self.n_symbols_ = int(V)
        self.history_ = np.asarray(history, dtype=float)
        self.converged_ = converged
        self.n_iter_ = n_iter
        return self

    @staticmethod
    def _normalise(counts, old):
        s = counts.sum(axis=1, keepdims=True)
        return np.where(s > 0, counts / np.where(s > 0, s, 1.0), old)

    # ----------------------------------------------------------------- inference
    def _prepared(self, X, lengths):
        check_is_fitted(self, "emissionprob_")
        X, lengths = self._sequences(X, lengths, self.n_symbols_)
        return X, lengths, self._layout(lengths)

    def score(self, X, lengths=None):
        """Total log-likelihood ``sum_s log P(x_s)`` of the sequences (``-inf`` if one of them is
        impossible under the model, as hmmlearn)."""
        from ._chunks import log_likelihood

        X, lengths, lay = self._prepared(X, lengths)
        return float(log_likelihood(lay, self.startprob_, self.transmat_, self.emissionprob_.T[X]).sum())

    def score_samples(self, X, lengths=None):
        """State posteriors ``P(z_t = i | x)``, shape (n, N), in the input order."""
        from ._chunks import forward_backward

        X, lengths, lay = self._prepared(X, lengths)
        loglik, gamma, _ = forward_backward(lay, self.startprob_, self.transmat_, self.emissionprob_.T[X])
        _check_possible(loglik, "under the fitted model: their state posteriors are undefined")
        out = np.empty((len(X), self.n_states))
        out[lay.pos[lay.owned]] = gamma[lay.owned]
        return out

    predict_proba = score_samples

    def decode(self, X, lengths=None):
        """Viterbi: ``(log_prob, path)``, the best path's log probability (summed over
        sequences) and the concatenated most probable state sequence (n,)."""
        from ._chunks import viterbi

        X, lengths, lay = self._prepared(X, lengths)
        logB = _log(self.emissionprob_)
        logprob, path = viterbi(lay, _log(self.startprob_), _log(self.transmat_), logB.T[X], logB, X)
        return float(logprob.sum()), path

    def predict(self, X, lengths=None):
        """Most probable state sequence (Viterbi), shape (n,)."""
        return self.decode(X, lengths)[1]

    def sample(self, n_samples=1):
        """Draw one sequence: ``(symbols (n_samples,), states (n_samples,))``."""
        check_is_fitted(self, "emissionprob_")
        check_scalar(n_samples, "n_samples", numbers.Integral, low=1)
        rng = check_random_state(self.random_state)
        u = rng.random((n_samples, 2))
        cumA = np.cumsum(self.transmat_, axis=1)
        cumB = np.cumsum(self.emissionprob_, axis=1)
        states = np.empty(n_samples, dtype=np.intp)
        s = min(int(np.searchsorted(np.cumsum(self.startprob_), u[0, 0], side="right")), self.n_states - 1)
        states[0] = s
        # a Markov chain is sequential: one cheap scalar step per sample
        for t in range(1, n_samples):
            s = min(int(np.searchsorted(cumA[s], u[t, 0], side="right")), self.n_states - 1)
            states[t] = s
        symbols = (u[:, 1:2] > cumB[states]).sum(axis=1)
        return np.minimum(symbols, self.n_symbols_ - 1), states

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.integers(0, 3, 40)
        return {"spec": "multinomial_hmm(n_states=2, max_iter=5, random_state=0)", "fit": (X, [15, 25])}
