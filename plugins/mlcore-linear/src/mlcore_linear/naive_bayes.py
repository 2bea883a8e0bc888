"""Gaussian naive Bayes with incremental (partial_fit) updates."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import logsumexp

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import ClassifierMixin, Estimator, Interval
from mlcore.validation import check_classification_targets

from ._base import is_sparse

__all__ = ["GaussianNB"]


def _merge(n_a, mean_a, var_a, n_b, mean_b, var_b):
    """Pooled count, mean and (biased) variance of two groups (Chan, Golub and LeVeque 1979)."""
    n = n_a + n_b
    if n_b == 0:
        return n_a, mean_a, var_a
    if n_a == 0:
        return n_b, mean_b, var_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (n_b / n)
    var = (n_a * var_a + n_b * var_b + delta ** 2 * (n_a * n_b / n)) / n
    return n, mean, var


def _stats(X, w):
    """Weighted count, mean and biased variance of the rows of ``X``."""
    n = float(w.sum())
    if n == 0:
        return 0.0, np.zeros(X.shape[1]), np.zeros(X.shape[1])
    if is_sparse(X):  # E[x^2] - mean^2 with sparse products (X is never densified)
        mean = np.asarray(X.T @ w).ravel() / n
        var = np.maximum(np.asarray(X.multiply(X).T @ w).ravel() / n - mean ** 2, 0.0)
        return n, mean, var
    mean = (w @ X) / n
    var = (w @ (X - mean) ** 2) / n
    return n, mean, var


class GaussianNB(ClassifierMixin, Estimator):
    """Gaussian naive Bayes classifier.

    Parameters
    ----------
    priors : list of float or None, default None
        Class prior probabilities (in the order of the sorted classes); None uses the
        (weighted) class frequencies.
    var_smoothing : float, default 1e-9
        Fraction of the largest feature variance added to every variance for stability.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
    class_count_ : ndarray (n_classes,)
        (Weighted) number of training samples per class.
    class_prior_ : ndarray (n_classes,)
    theta_ : ndarray (n_classes, n_features)
        Per-class feature means.
    var_ : ndarray (n_classes, n_features)
        Per-class feature variances plus ``epsilon_``.
    epsilon_ : float
        ``var_smoothing * max_j Var(X_j)`` over all the rows seen (unweighted, as scikit-learn);
        ``var_smoothing`` when every feature is constant (scikit-learn then gives NaN
        probabilities; here the posterior is the class prior).
    feature_mean_, feature_var_ : ndarray (n_features,)
        Pooled (unweighted) mean and variance of all the rows seen (for ``epsilon_``).
    n_samples_seen_ : int
    n_features_in_ : int

    Notes
    -----
    ``log p(y = k | x) = log pi_k - 1/2 sum_j [log(2 pi s2_kj) + (x_j - mu_kj)^2 / s2_kj] - log Z``.
    ``partial_fit`` merges per-class means and variances exactly (pairwise update of Chan,
    Golub and LeVeque), so fitting in batches equals one ``fit`` on all the data. Unlike
    scikit-learn, whose ``partial_fit`` takes ``epsilon_`` from the latest batch only,
    ``epsilon_`` here uses the variance of all data seen (identical for a single ``fit``).

    References
    ----------
    Chan, T. F., Golub, G. H. and LeVeque, R. J. (1979). Updating formulae and a pairwise
    algorithm for computing sample variances. Stanford CS report STAN-CS-79-773.
    Hastie, Tibshirani and Friedman (2009), *The Elements of Statistical Learning*, 6.6.3.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [0.2], [3.0], [3.2]]); y = ["a", "a", "b", "b"]
    >>> GaussianNB().fit(X, y).predict([[0.1], [2.9]]).tolist()
    ['a', 'b']
    """

    _parameter_constraints = {"var_smoothing": Interval(numbers.Real, low=0)}
    _tags = {"sparse": True}  # CSR/CSC: moments and likelihoods from sparse products

    def __init__(self, priors=None, var_smoothing: float = 1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    def _check_params(self):
        priors = self.priors
        if priors is not None:
            try:
                p = np.asarray(priors, dtype=np.float64)
            except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float
                raise ComponentArgumentError(f"priors must be a list of numbers, got {priors!r}") from None
            if p.ndim != 1 or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
                raise ComponentArgumentError(f"priors must be non-negative and sum to 1, got {priors!r}")

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = np.vstack([rng.normal(0, 1, (20, 3)), rng.normal(2, 1, (20, 3))])
        return {"spec": "gaussian_nb", "fit": (X, np.repeat([0, 1], 20))}

    def fit(self, X, y, sample_weight=None):
        """Fit on ``(X, y)`` from scratch; returns self."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)
        X, y = self._validate_data(X, y)
        return self.partial_fit(X, y, classes=np.unique(y), sample_weight=sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with a batch.

        Parameters
        ----------
        X : array (n_samples, n_features)
        y : array (n_samples,)
        classes : array (n_classes,), required on the first call
            Every class label that can appear.
        sample_weight : array (n_samples,), optional

        Returns
        -------
        self
        """
        first = not hasattr(self, "classes_")
        X, y = self._validate_data(X, y, reset=first)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            cls = np.unique(check_classification_targets(classes, name="classes"))
            if self.priors is not None and len(self.priors) != len(cls):
                raise ValueError(f"priors has {len(self.priors)} entries but there are {len(cls)} classes")
            k, m = len(cls), X.shape[1]
            self.classes_ = cls
            self.theta_, self.var_ = np.zeros((k, m)), np.zeros((k, m))
            self.class_count_ = np.zeros(k)
            self.feature_mean_, self.feature_var_ = np.zeros(m), np.zeros(m)
            self.epsilon_ = 0.0
            self.n_samples_seen_ = 0
        idx = self._encode_classes(y, first_call=False)
        n = X.shape[0]
        sw = self._check_sample_weight(sample_weight, n)
        w = np.ones(n) if sw is None else sw
        # epsilon uses the unweighted variance of every row seen (as scikit-learn's fit)
        n_seen, self.feature_mean_, self.feature_var_ = _merge(
            self.n_samples_seen_, self.feature_mean_, self.feature_var_, *_stats(X, np.ones(n)))
        self.n_samples_seen_ = int(n_seen)
        var = self.var_ - self.epsilon_                 # raw per-class variances
        for k in np.unique(idx):                        # loop over classes present in the batch
            rows = idx == k
            n_k, mean_k, var_k = _merge(self.class_count_[k], self.theta_[k], var[k],
                                        *_stats(X[rows], w[rows]))
            self.class_count_[k], self.theta_[k], var[k] = n_k, mean_k, var_k
        # every feature constant: no variance scale to smooth with; the unit scale keeps the
        # likelihoods finite, and since every class then has the same mean the posterior
        # is the prior (instead of 0/0 = NaN)
        max_var = self.feature_var_.max()
        self.epsilon_ = float(self.var_smoothing * (max_var if max_var > 0 else 1.0))
        self.var_ = var + self.epsilon_
        if self.priors is not None:
            self.class_prior_ = np.asarray(self.priors, dtype=np.float64)
        else:
            self.class_prior_ = self.class_count_ / self.class_count_.sum()
        return self

    def predict_joint_log_proba(self, X):
        """``log p(x, y = k)`` for each row and class (n, n_classes)."""
        X = self._check_X(X)
        if not np.all(self.var_ > 0):
            k, j = np.argwhere(~(self.var_ > 0))[0]
            raise ValueError(f"feature {j} has zero variance in class {self.classes_[k]} and "
                             f"var_smoothing={self.var_smoothing}: the Gaussian likelihood is degenerate; "
                             "use var_smoothing > 0")
        with np.errstate(divide="ignore"):
            out = np.tile(np.log(self.class_prior_), (X.shape[0], 1))
        if is_sparse(X):  # sum_j (x_j - t_j)^2 / v_j expanded into sparse products
            X2 = X.multiply(X)
            for k in range(len(self.classes_)):
                v, t = self.var_[k], self.theta_[k]
                quad = np.asarray(X2 @ (1 / v)).ravel() - 2 * np.asarray(X @ (t / v)).ravel() + np.sum(t * t / v)
                out[:, k] -= 0.5 * np.sum(np.log(2 * np.pi * v)) + 0.5 * quad
            return out
        for k in range(len(self.classes_)):            # loop over classes, vectorised over rows
            v = self.var_[k]
            out[:, k] -= 0.5 * np.sum(np.log(2 * np.pi * v)) + 0.5 * np.sum((X - self.theta_[k]) ** 2 / v, axis=1)
        return out

    def predict_log_proba(self, X):
        """Log posterior class probabilities (n, n_classes)."""
        jll = self.predict_joint_log_proba(X)
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X):
        """Posterior class probabilities (n, n_classes)."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """Most probable class for each row."""
        jll = self.predict_joint_log_proba(X)
        return self.classes_[np.argmax(jll, axis=1)]
