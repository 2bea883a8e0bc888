"""``rbm``: Bernoulli-Bernoulli restricted Boltzmann machine trained by CD-k or persistent CD."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator, Interval, TransformerMixin
from mlcore.validation import check_is_fitted, check_random_state

from .functional import sigmoid as _sigmoid

__all__ = ["RBM"]


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _logsumexp(a):
    m = a.max()
    return float(m + np.log(np.exp(a - m).sum()))


def _all_states(n):
    return ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(np.float64)


class RBM(TransformerMixin, Estimator):
    """Bernoulli-Bernoulli restricted Boltzmann machine, E(v, h) = -b.v - c.h - v W h.

    Parameters
    ----------
    n_hidden : int
        Number of binary hidden units.
    k : int, default 1
        Gibbs steps per negative phase (CD-k).
    persistent : bool, default False
        Persistent contrastive divergence (Tieleman 2008): the negative chains continue
        from their previous state instead of restarting at the data.
    learning_rate : float, default 0.05
    batch_size : int, default 16
    epochs : int, default 10
    random_state : int, Generator or None

    Attributes
    ----------
    W_ (n_visible, n_hidden), b_ (n_visible,), c_ (n_hidden,) : ndarray
        Weights, visible and hidden biases.
    chains_ : ndarray (batch_size, n_visible)
        Persistent chains (persistent CD only).
    history_ : dict
        ``free_energy_gap`` per epoch: mean free energy of the data minus that of the
        negative samples (it tends to 0 as the model fits).

    Notes
    -----
    p(h_j = 1 | v) = sigmoid(c_j + v W_:j), p(v_i = 1 | h) = sigmoid(b_i + W_i: h); free
    energy F(v) = -b.v - sum_j softplus(c_j + v W_:j), p(v) = exp(-F(v)) / Z. The
    log-likelihood gradient is dlog p(v)/dW = v E[h|v]^T - E_model[v h^T] (likewise for the
    biases); CD-k replaces the model expectation by the statistics of k Gibbs steps started
    at the data (or at the persistent chains). :meth:`gradient` returns the gradient of
    the *negative* mean log-likelihood (descent direction), so ``W -= lr * grad`` (numpy-ml
    had the sign inverted and did not sum bias gradients over the batch).
    :meth:`log_partition` and :meth:`score_samples` are exact, by enumerating the smaller
    layer (at most 20 units).

    References
    ----------
    Hinton (2002). Training products of experts by minimizing contrastive divergence.
    Neural Computation 14(8). Tieleman (2008). Training restricted Boltzmann machines using
    approximations to the likelihood gradient. ICML. Hinton (2012). A practical guide to
    training restricted Boltzmann machines. In Neural Networks: Tricks of the Trade.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = (np.random.default_rng(0).random((50, 6)) < 0.3).astype(float)
    >>> rbm = mlcore.build("rbm(n_hidden=3, epochs=2, random_state=0)").fit(X)
    >>> rbm.transform(X).shape
    (50, 3)
    """

    _estimator_type = "transformer"

    _parameter_constraints = {  # noqa: RUF012 (read-only class data)
        "n_hidden": Interval(numbers.Integral, low=1), "k": Interval(numbers.Integral, low=1), "persistent": bool,
        "learning_rate": Interval(low=0, low_inclusive=False), "batch_size": Interval(numbers.Integral, low=1),
        "epochs": Interval(numbers.Integral, low=1),
    }
    #: visible units are binary values or probabilities: negative input is refused
    _tags = {"positive_only": True}  # noqa: RUF012

    def __init__(self, n_hidden: int, k: int = 1, persistent: bool = False, learning_rate: float = 0.05,
                 batch_size: int = 16, epochs: int = 10, random_state=None):
        self.n_hidden = n_hidden
        self.k = k
        self.persistent = persistent
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        X = (np.random.default_rng(0).random((30, 5)) < 0.4).astype(float)
        return {"spec": "rbm(n_hidden=3, epochs=2, random_state=0)", "fit": (X,)}

    # ------------------------------------------------------------------ helpers
    def _check_X(self, X, fitted=True):
        """X (n, n_visible), non-negative (binary values or probabilities; as scikit-learn's
        BernoulliRBM, values above 1 are not refused: they act as probability 1 when a
        chain starts from them)."""
        return self._validate_data(X, reset=not fitted)

    def _hid(self, V):
        return _sigmoid(V @ self.W_ + self.c_)

    def _vis(self, H):
        return _sigmoid(H @ self.W_.T + self.b_)

    def _gibbs(self, V, k, rng):
        """k full Gibbs steps v -> h -> v from V (binary samples); returns the final v sample."""
        for _ in range(k):  # Markov chain: inherently sequential
            H = (rng.random((len(V), self.n_hidden)) < self._hid(V)).astype(V.dtype)
            V = (rng.random(V.shape) < self._vis(H)).astype(V.dtype)
        return V

    def _init(self, n_visible, rng):
        self.W_ = rng.normal(scale=0.01, size=(n_visible, self.n_hidden))
        self.b_ = np.zeros(n_visible)
        self.c_ = np.zeros(self.n_hidden)

    # ------------------------------------------------------------------ learning
    def gradient(self, V, k=None, V_neg_start=None, random_state=None):
        """CD-k estimate of the gradient of the negative mean log-likelihood of ``V``.

        The negative chains start at ``V_neg_start`` (default: the data ``V``). Returns
        ``({"W": ..., "b": ..., "c": ...}, V_neg)`` where V_neg are the chains' final states.
        """
        check_is_fitted(self, "W_")
        rng = check_random_state(random_state if random_state is not None else self.__dict__.get("_rng"))
        V = self._check_X(V)
        k = self.k if k is None else k
        start = V if V_neg_start is None else V_neg_start
        V0 = (rng.random(start.shape) < start).astype(np.float64) if V_neg_start is None else start
        Vn = self._gibbs(V0, k, rng)
        Hp, Hn = self._hid(V), self._hid(Vn)
        n, m = len(V), len(Vn)
        grads = {"W": Vn.T @ Hn / m - V.T @ Hp / n, "b": Vn.mean(axis=0) - V.mean(axis=0),
                 "c": Hn.mean(axis=0) - Hp.mean(axis=0)}
        return grads, Vn

    def fit(self, X, y=None, progress=None):
        """Train from scratch on binary (or [0, 1]) data X (n, n_visible); returns self."""
        X = self._check_X(X, fitted=False)
        rng = check_random_state(self.random_state)
        self._rng = rng
        self._init(X.shape[1], rng)
        if self.persistent:
            self.chains_ = (rng.random((min(self.batch_size, len(X)), X.shape[1])) < 0.5).astype(np.float64)
        self.history_ = {"free_energy_gap": []}
        for _ in range(self.epochs):  # epochs and minibatch SGD steps are sequential
            gap = []
            order = rng.permutation(len(X))
            for s in range(0, len(X), self.batch_size):
                V = X[order[s:s + self.batch_size]]
                start = self.chains_ if self.persistent else None
                g, Vn = self.gradient(V, V_neg_start=start, random_state=rng)
                if self.persistent:
                    self.chains_ = Vn
                self.W_ -= self.learning_rate * g["W"]
                self.b_ -= self.learning_rate * g["b"]
                self.c_ -= self.learning_rate * g["c"]
                gap.append(self.free_energy(V).mean() - self.free_energy(Vn).mean())
            self.history_["free_energy_gap"].append(float(np.mean(gap)))
        return self

    # ------------------------------------------------------------------ inference
    def free_energy(self, X):
        """F(v) = -b.v - sum_j softplus(c_j + v W_:j), shape (n,)."""
        check_is_fitted(self, "W_")
        X = self._check_X(X)
        return -(X @ self.b_) - _softplus(X @ self.W_ + self.c_).sum(axis=1)

    def transform(self, X):
        """Hidden activation probabilities p(h = 1 | v), (n, n_hidden)."""
        check_is_fitted(self, "W_")
        return self._hid(self._check_X(X))

    def reconstruct(self, X, n_steps: int = 1, return_prob: bool = True, random_state=None):
        """Run ``n_steps`` Gibbs steps from X; probabilities p(v = 1 | h) of the last step
        (or binary samples with ``return_prob=False``)."""
        check_is_fitted(self, "W_")
        rng = check_random_state(random_state)
        V = self._check_X(X)
        V = self._gibbs(V, n_steps - 1, rng) if n_steps > 1 else V
        H = (rng.random((len(V), self.n_hidden)) < self._hid(V)).astype(np.float64)
        P = self._vis(H)
        return P if return_prob else (rng.random(P.shape) < P).astype(np.float64)

    def log_partition(self):
        """Exact log Z by enumerating the smaller layer (at most 20 units)."""
        check_is_fitted(self, "W_")
        D, H = self.W_.shape
        if min(D, H) > 20:
            raise ValueError("exact log Z needs a layer of at most 20 units")
        if H <= D:
            Hs = _all_states(H)
            return _logsumexp(Hs @ self.c_ + _softplus(Hs @ self.W_.T + self.b_).sum(axis=1))
        Vs = _all_states(D)
        return _logsumexp(-self.free_energy(Vs))

    def score_samples(self, X):
        """Exact log p(v) = -F(v) - log Z per example (small models only)."""
        return -self.free_energy(X) - self.log_partition()

    def exact_gradient(self, X):
        """Exact gradient of the negative mean log-likelihood (enumerates 2^n_visible states)."""
        check_is_fitted(self, "W_")
        X = self._check_X(X)
        D = X.shape[1]
        if D > 20:
            raise ValueError("the exact gradient enumerates 2^n_visible states: n_visible <= 20")
        Vs = _all_states(D)
        lp = -self.free_energy(Vs)
        p = np.exp(lp - _logsumexp(lp))
        Hv = self._hid(Vs)
        Hx = self._hid(X)
        return {"W": (Vs * p[:, None]).T @ Hv - X.T @ Hx / len(X), "b": p @ Vs - X.mean(axis=0),
                "c": p @ Hv - Hx.mean(axis=0)}
