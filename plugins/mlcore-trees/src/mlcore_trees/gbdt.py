"""Gradient-boosted regression trees (Friedman, 2001) with Newton leaf values."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_choice, check_is_fitted, check_random_state, check_scalar

from . import _common as C
from ._engine import Exact, grow, prepare
from ._grow import restrict

__all__ = ["GBDT"]

LOSSES = ("squared_error", "log_loss")


def _softmax(F):
    Z = F - F.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def _sigmoid(F):
    return 0.5 * (1.0 + np.tanh(0.5 * F))


class GBDT(Estimator):
    """Gradient boosting with regression trees fitted to the negative gradient.

    Parameters
    ----------
    task : {"classification", "regression"}
    loss : {"squared_error", "log_loss"} or None
        None: "log_loss" for classification (binary: one logit; K > 2 classes: K trees per
        round and a softmax), "squared_error" for regression.
    learning_rate : float
        Shrinkage ``nu`` applied to every tree.
    n_estimators : int
        Maximum number of boosting rounds.
    subsample : float in (0, 1]
        Fraction of the training rows drawn without replacement for every round
        (stochastic gradient boosting, Friedman 2002).
    max_depth, min_samples_split, min_samples_leaf, max_features : tree growth (per round)
    splitter : {"exact", "hist"}
        Exact split search on presorted features (sorted once per fit) or quantile-bin
        histograms (``max_bins`` bins).
    max_bins : int
    validation_fraction : float in (0, 1)
        Share of the training data held out for early stopping (used only when
        ``n_iter_no_change`` is set).
    n_iter_no_change : int or None
        Stop when the validation loss has not improved by ``tol`` for this many rounds.
    tol : float
    random_state : int, numpy.random.Generator or None
        Seeds subsampling, the validation split and feature draws.
    progress : bool or None
        Progress bar over rounds (tqdm).

    Attributes
    ----------
    init_ : ndarray (n_outputs,)
        Constant initial raw score (mean; log-odds; log class priors).
    n_estimators_ : int
        Rounds actually fitted (fewer than ``n_estimators`` after early stopping).
    children_left_ ... value_, tree_offsets_, tree_depths_ : flat arrays of all trees,
        round-major (round ``r``, output ``k`` is tree ``r * n_outputs_ + k``); the leaves of
        ``value_`` hold the (unshrunk) Newton leaf values.
    train_score_ : ndarray ``(n_estimators_,)``
        Training loss after every round; ``validation_score_`` likewise with early stopping.
    classes_, n_features_in_, feature_importances_, n_outputs_

    Notes
    -----
    With raw scores ``F`` and loss ``l(y, F)``, round ``m`` fits a least-squares regression
    tree to the residuals ``r = -dl/dF`` and replaces every leaf's value by a Newton step
    ``gamma = sum r / sum h`` (``h`` the second derivative), then ``F += nu * gamma``.
    squared_error: ``r = y - F``, ``h = 1`` (gamma = mean residual). Binary log_loss:
    ``p = sigmoid(F)``, ``r = y - p``, ``h = p (1 - p)``. Multiclass log_loss (softmax over
    K raw scores): one tree per class with ``gamma = (K - 1)/K * sum r / sum |r| (1 - |r|)``.

    References
    ----------
    Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine.
    Annals of Statistics 29(5), 1189-1232. Friedman, J. H. (2002). Stochastic gradient
    boosting. Computational Statistics & Data Analysis 38(4), 367-378.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(300, 3)); y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> gb = mlcore.build("gbdt(n_estimators=50, max_depth=3, random_state=0)").fit(X, y)
    >>> float(gb.score(X, y)) > 0.9
    True
    """

    def __init__(self, task="classification", loss=None, learning_rate=0.1, n_estimators=100,
                 subsample=1.0, max_depth=3, min_samples_split=2, min_samples_leaf=1,
                 max_features=None, splitter="exact", max_bins=255, validation_fraction=0.1,
                 n_iter_no_change=None, tol=1e-4, random_state=None, progress=None):
        self.task = task
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.splitter = splitter
        self.max_bins = max_bins
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.progress = progress

    def _check_params(self):
        C.check_tree_params(self, criterion=False)
        if self.loss is not None:
            check_choice(self.loss, "loss", ("log_loss",) if self.task == "classification" else ("squared_error",))
        check_scalar(self.learning_rate, "learning_rate", numbers.Real, low=0, low_inclusive=False)
        check_scalar(self.n_estimators, "n_estimators", numbers.Integral, low=1)
        check_scalar(self.subsample, "subsample", numbers.Real, low=0, high=1, low_inclusive=False)
        check_scalar(self.validation_fraction, "validation_fraction", numbers.Real, low=0, high=1,
                     low_inclusive=False, high_inclusive=False)
        check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, low=1, allow_none=True)
        check_scalar(self.tol, "tol", numbers.Real, low=0)

    @property
    def _estimator_type(self):
        return "classifier" if self.task == "classification" else "regressor"

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(80, 3))
        y = np.digitize(X[:, 0] + 0.3 * X[:, 1], [-0.5, 0.5])
        return {"spec": "gbdt(n_estimators=5, max_depth=2, subsample=0.8, random_state=0)", "fit": (X, y)}

    # ------------------------------------------------------------------ loss pieces
    def _init_raw(self, yenc, n_out):
        if self.task == "regression":
            return np.array([yenc.mean()])
        prior = np.bincount(yenc, minlength=len(self.classes_)) / len(yenc)
        prior = np.clip(prior, 1e-15, 1 - 1e-15)
        if n_out == 1:
            return np.array([np.log(prior[1] / prior[0])])
        return np.log(prior)

    def _residual_hessian(self, Y, F):
        """Negative gradient r and Hessian diagonal h, both (n, n_out)."""
        if self.task == "regression":
            return Y - F, None
        P = _sigmoid(F) if F.shape[1] == 1 else _softmax(F)
        return Y - P, P * (1.0 - P)

    def _loss(self, Y, F):
        if self.task == "regression":
            return float(np.mean((Y - F) ** 2))
        if F.shape[1] == 1:
            f, y = F[:, 0], Y[:, 0]
            return float(np.mean(np.logaddexp(0.0, f) - y * f))
        Fm = F.max(axis=1, keepdims=True)
        lse = np.log(np.exp(F - Fm).sum(axis=1)) + Fm[:, 0]
        return float(np.mean(lse - (Y * F).sum(axis=1)))

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Fit up to ``n_estimators`` rounds on X (n, d) and y (n,); returns self."""
        X, yenc, classes, _ = C.check_fit_input(X, y, self.task, est=self)
        n, d = X.shape
        if classes is not None:
            self.classes_ = classes
            K = len(classes)
            if K < 2:
                raise ValueError("classification needs at least 2 classes in y, got 1 class")
            n_out = 1 if K == 2 else K
            Y = (yenc[:, None] == (np.arange(n_out) + (1 if n_out == 1 else 0))).astype(np.float64)
        else:
            n_out, K = 1, None
            Y = yenc[:, None].astype(np.float64)
        rng = check_random_state(self.random_state)
        val = None
        if self.n_iter_no_change is not None:
            perm = rng.permutation(n)
            n_val = max(1, round(self.validation_fraction * n))
            vi, ti = np.sort(perm[:n_val]), np.sort(perm[n_val:])
            val = (X[vi], Y[vi])
            X, Y, yenc = X[ti], Y[ti], yenc[ti]
            n = len(X)
        init = self._init_raw(yenc, n_out)
        F = np.tile(init, (n, 1))
        Fv = None if val is None else np.tile(init, (len(val[0]), 1))
        kw = {"max_depth": n if self.max_depth is None else self.max_depth,
              "min_samples_split": self.min_samples_split,
              "min_samples_leaf": self.min_samples_leaf,
              "max_features": C.resolve_max_features(self.max_features, d), "rng": rng}
        data = prepare(X, self.splitter, self.max_bins, kw["max_features"], kw["max_depth"])
        n_sub = max(1, int(self.subsample * n))
        scale = (K - 1) / K if n_out > 2 else 1.0
        trees, train_score, val_score = [], [], []
        best, stall = np.inf, 0
        # Loop over boosting rounds: each round is sequentially dependent on the previous one.
        for _ in C.progress_iter(range(self.n_estimators), self.progress, self.n_estimators, "rounds"):
            R, H = self._residual_hessian(Y, F)
            if n_sub < n:
                rows = np.sort(rng.choice(n, n_sub, replace=False))
                if isinstance(data, Exact):  # restrict the sort order once per round, not per class
                    mask = np.zeros(n, dtype=bool)
                    mask[rows] = True
                    rdata = data._replace(order=restrict(data.order, mask))
                else:
                    rdata = data
            else:
                rows, rdata = np.arange(n), data
            for k in range(n_out):
                r = R[:, k]
                S = np.stack([np.ones(n), r, r * r]).T      # (n, 3) view of channel-major rows
                nodes, leaf_of = grow(rdata, None if rdata is not data or len(rows) == n else rows,
                                      S, "squared_error", **kw)
                del S
                full = len(rows) == n                # all rows: no gathered copies (peak memory)
                leaves = leaf_of if full else leaf_of[rows]
                nn = len(nodes["impurity"])
                if H is not None:
                    num = np.bincount(leaves, weights=r if full else r[rows], minlength=nn)
                    den = np.bincount(leaves, weights=H[:, k] if full else H[rows, k], minlength=nn)
                    is_leaf = nodes["left"] < 0
                    gamma = np.where(np.abs(den) < 1e-150, 0.0, scale * num / np.where(den == 0, 1.0, den))
                    nodes["value"] = np.where(is_leaf, gamma, nodes["value"][:, 0])[:, None]
                vals = nodes["value"][:, 0]
                if len(rows) == n:
                    F[:, k] += self.learning_rate * vals[leaf_of]
                else:
                    F[:, k] += self.learning_rate * vals[self._apply_one(nodes, X)]
                if Fv is not None:
                    Fv[:, k] += self.learning_rate * vals[self._apply_one(nodes, val[0])]
                trees.append(nodes)
            train_score.append(self._loss(Y, F))
            if Fv is not None:
                vl = self._loss(val[1], Fv)
                val_score.append(vl)
                if vl < best - self.tol:
                    best, stall = vl, 0
                else:
                    stall += 1
                    if stall >= self.n_iter_no_change:
                        break
        flat = C.concat_trees(trees)
        for key, v in flat.items():
            setattr(self, key + "_", v)
        self.init_ = init
        self.n_outputs_ = n_out
        self.n_estimators_ = len(trees) // n_out
        self.n_features_in_ = d
        self.train_score_ = np.array(train_score)
        if Fv is not None:
            self.validation_score_ = np.array(val_score)
        self.feature_importances_ = C.feature_importances(
            d, self.feature_, self.children_left_, self.children_right_, self.impurity_,
            self.weighted_n_node_samples_, self.tree_offsets_)
        return self

    @staticmethod
    def _apply_one(nodes, X):
        return C.traverse(X, nodes["feature"], nodes["threshold"], nodes["left"], nodes["right"],
                          [0], nodes["depth"])[:, 0]

    # ------------------------------------------------------------------ predict
    def _stage_values(self, X):
        """(n, n_rounds, n_out) shrunk tree outputs."""
        check_is_fitted(self, "children_left_")
        X = C.check_predict_input(self, X)
        leaves = C.traverse(X, self.feature_, self.threshold_, self.children_left_,
                            self.children_right_, self.tree_offsets_[:-1], int(self.tree_depths_.max()))
        v = self.value_[leaves, 0] * self.learning_rate
        return v.reshape(len(X), self.n_estimators_, self.n_outputs_)

    def _raw_to_output(self, F, proba):
        if self.task == "regression":
            return F[:, 0]
        if F.shape[1] == 1:
            p = _sigmoid(F[:, 0])
            P = np.stack([1 - p, p], axis=1)
        else:
            P = _softmax(F)
        return P if proba else self.classes_[np.argmax(P, axis=1)]

    @C.classifier_only
    def decision_function(self, X):
        """Raw scores (classification only): (n,) for binary, (n, K) for multiclass."""
        F = self._stage_values(X).sum(axis=1) + self.init_
        return F[:, 0] if F.shape[1] == 1 else F

    @C.classifier_only
    def staged_decision_function(self, X):
        """Yield the raw scores after each round (classification only)."""
        F = np.cumsum(self._stage_values(X), axis=1) + self.init_
        for m in range(F.shape[1]):
            yield F[:, m, 0] if F.shape[2] == 1 else F[:, m]

    @C.classifier_only
    def predict_proba(self, X):
        """Class probabilities (n, n_classes) (classification only)."""
        return self._raw_to_output(self._stage_values(X).sum(axis=1) + self.init_, True)

    @C.classifier_only
    def staged_predict_proba(self, X):
        """Yield class probabilities after each round."""
        F = np.cumsum(self._stage_values(X), axis=1) + self.init_
        for m in range(F.shape[1]):
            yield self._raw_to_output(F[:, m], True)

    def predict(self, X):
        """Class labels or regression values: (n,)."""
        return self._raw_to_output(self._stage_values(X).sum(axis=1) + self.init_, False)

    def staged_predict(self, X):
        """Yield predictions after each round (for choosing ``n_estimators``)."""
        F = np.cumsum(self._stage_values(X), axis=1) + self.init_
        for m in range(F.shape[1]):
            yield self._raw_to_output(F[:, m], False)

    def score(self, X, y, sample_weight=None):
        """Accuracy (classification) or R^2 (regression)."""
        return C.score(self, X, y, sample_weight)
