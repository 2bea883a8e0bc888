"""Logistic regression: binary and multinomial, L2 / L1 / no penalty (scikit-learn semantics)."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import expit, log_softmax, softmax

from mlcore.interfaces import ClassifierMixin, Estimator, Interval, Options

from ._base import centring_shift
from ._logloss import LogLoss, fit_lbfgs, fit_prox_newton

__all__ = ["LogisticRegression"]


class LogisticRegression(ClassifierMixin, Estimator):
    """Logistic regression classifier (binary or multinomial softmax).

    Parameters
    ----------
    penalty : {"l2", "l1", "none"}, default "l2"
        Penalty on the weights; the intercept is never penalised.
    C : float, default 1.0
        Inverse regularisation strength (> 0), as in scikit-learn: the objective is
        ``C * sum_i s_i loss_i + penalty(W)`` with ``penalty = ||W||^2 / 2`` or ``||W||_1``.
    fit_intercept : bool, default True
    max_iter : int, default 100
        L-BFGS iterations (l2, none) or proximal-Newton iterations (l1).
    tol : float, default 1e-4
        Stop when the largest (sub)gradient component of the objective divided by
        ``C * sum_i s_i`` is at most ``tol`` (scikit-learn's ``gtol`` for lbfgs).

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
    coef_ : ndarray (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray (1,) or (n_classes,)
    n_iter_ : int
    n_features_in_ : int

    Notes
    -----
    Binary: ``P(y = classes_[1] | x) = sigma(w^T x + b)``; multinomial:
    ``P(y = k | x) = softmax(W x + b)_k`` with one weight vector per class (the symmetric
    parametrisation of scikit-learn; the intercepts are centred to sum to zero). With the
    l1 penalty and an even number of classes, shifting feature ``j``'s weights of every class by
    the same amount inside the median interval leaves the objective unchanged, so the optimum
    need not be unique (predictions and objective value are; odd ``K`` is unique).
    The minimised objective, scaled by ``1 / (C S)`` with ``S = sum_i s_i``, is
    ``(1/S) sum_i s_i l_i + 1/(2 C S) ||W||_F^2`` (l2) or ``... + 1/(C S) ||W||_1`` (l1).

    * l2 / none: L-BFGS (Liu and Nocedal 1989) on the exact loss and gradient
      ``grad_W = (P - Y)^T diag(s) X / S + W / (C S)``.
    * l1: proximal Newton (Lee, Sun and Saunders 2014): at each step the quadratic model
      with the exact Hessian ``A^T diag(s p (1 - p)) A / S`` (block form for softmax) plus
      the L1 term is minimised by FISTA with adaptive restart, followed by a backtracking
      line search; quadratic convergence near the solution (the same solution as
      scikit-learn's saga / liblinear-without-intercept-penalty).

    References
    ----------
    Liu, D. C. and Nocedal, J. (1989). On the limited memory BFGS method for large scale
    optimization. *Mathematical Programming* 45, 503-528.
    Lee, J. D., Sun, Y. and Saunders, M. A. (2014). Proximal Newton-type methods for
    minimizing composite functions. *SIAM J. Optimization* 24(3), 1420-1443.
    Beck, A. and Teboulle, M. (2009). A fast iterative shrinkage-thresholding algorithm.
    *SIAM J. Imaging Sciences* 2(1), 183-202.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> LogisticRegression(C=10.0).fit(X, y).predict([[0.2], [2.8]])
    array([0, 1])
    """

    _parameter_constraints = {
        "penalty": Options("l2", "l1", "none", None), "C": Interval(numbers.Real, low=0, low_inclusive=False),
        "fit_intercept": bool, "max_iter": Interval(numbers.Integral, low=1), "tol": Interval(numbers.Real, low=0),
    }
    _tags = {"sparse": True}  # CSR/CSC input is used as is (never centred or densified)

    def __init__(self, penalty: str | None = "l2", C: float = 1.0, fit_intercept: bool = True,
                 max_iter: int = 100, tol: float = 1e-4):
        self.penalty = penalty
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(60, 3))
        y = (X @ [1.0, -1.0, 0.5] + 0.5 * rng.normal(size=60) > 0).astype(int)
        return {"spec": "logistic_regression(C=0.5)", "fit": (X, y)}

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array (n_samples, n_features)
        y : array (n_samples,)
            Class labels (at least two distinct values; integers, floats or strings).
        sample_weight : array (n_samples,), optional

        Returns
        -------
        self
        """
        X, y = self._validate_data(X, y)
        y_idx = self._encode_classes(y)
        classes = self.classes_
        if len(classes) < 2:
            del self.classes_
            raise ValueError(f"logistic regression needs at least 2 classes in y; got only 1 class {classes[0]!r}")
        n = X.shape[0]
        sw = self._check_sample_weight(sample_weight, n)
        S = float(n if sw is None else sw.sum())
        penalty = "none" if self.penalty is None else self.penalty
        lam = 1.0 / (self.C * S)
        shift = centring_shift(X, sw, self.fit_intercept)
        obj = LogLoss(X - shift if shift.any() else X, y_idx, len(classes), sw, self.fit_intercept, lam if penalty == "l2" else 0.0)
        if penalty == "l1":
            theta, n_iter = fit_prox_newton(obj, lam, self.max_iter, self.tol)
        else:
            theta, n_iter = fit_lbfgs(obj, self.max_iter, self.tol)
        W, b = obj.split(theta)
        b = b - W @ shift
        if obj.K > 1:
            b = b - b.mean()          # the softmax is invariant to a common shift of the intercepts
        self.coef_ = W.copy()
        self.intercept_ = b.copy() if self.fit_intercept else np.zeros(obj.K)
        self.n_iter_ = n_iter
        return self

    def decision_function(self, X):
        """Scores ``X W^T + b``: (n,) for two classes (log-odds of ``classes_[1]``), else (n, K)."""
        X = self._check_X(X)
        Z = np.asarray(X @ self.coef_.T) + self.intercept_
        return Z[:, 0] if Z.shape[1] == 1 else Z

    def predict_proba(self, X):
        """Class probabilities (n, n_classes), columns in the order of ``classes_``."""
        Z = self.decision_function(X)
        if Z.ndim == 1:
            p = expit(Z)
            return np.column_stack([1.0 - p, p])
        return softmax(Z, axis=1)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably."""
        Z = self.decision_function(X)
        if Z.ndim == 1:
            return np.column_stack([-np.logaddexp(0.0, Z), -np.logaddexp(0.0, -Z)])
        return log_softmax(Z, axis=1)

    def predict(self, X):
        """Most probable class label for each row."""
        Z = self.decision_function(X)
        idx = (Z > 0).astype(int) if Z.ndim == 1 else Z.argmax(axis=1)
        return self.classes_[idx]
