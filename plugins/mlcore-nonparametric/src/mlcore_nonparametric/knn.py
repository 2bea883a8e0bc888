"""k-nearest-neighbour classification and regression."""

from __future__ import annotations

import numbers

import numpy as np
from mlcore_utils.ball_tree import BallTree
from mlcore_utils.metrics import Metric, get_metric
from mlcore_utils.neighbors import knn_brute

from mlcore.errors import ComponentArgumentError
from mlcore.interfaces import ClassifierMixin, Estimator, Interval, Options, RegressorMixin
from mlcore.validation import check_is_fitted, validate_data

__all__ = ["KNN", "KNNRegressor"]

_rng = np.random.default_rng(0)
_EXAMPLE_X = _rng.normal(size=(40, 3))
_EXAMPLE_Y = (_EXAMPLE_X[:, 0] + 0.3 * _rng.normal(size=40) > 0).astype(int)


def _neighbour_weights(dist, weights):
    """Vote weights (nq, k): ones, or 1/distance with exact matches taking all the weight.

    A query at distance 0 from some training points gives those points weight 1 and
    every other neighbour weight 0 (scikit-learn's convention), instead of dividing by 0.
    """
    if weights == "uniform":
        return np.ones_like(dist)
    zero = dist == 0
    with np.errstate(divide="ignore"):
        w = 1.0 / dist
    rows = zero.any(axis=1)
    w[rows] = zero[rows]
    return w


def _is_euclidean(metric) -> bool:
    import mlcore

    try:
        return mlcore.to_spec(metric) == "euclidean"
    except Exception:  # an unregistered metric object
        return False


def _sparse_kneighbors(P, Q, k: int, block: int = 2048):
    """Euclidean k nearest rows of the sparse ``P`` for each row of the sparse ``Q`` from
    ``||q||^2 + ||p||^2 - 2 q.p`` (sparse products; neither matrix is densified), ties by index."""
    sq_p = np.asarray(P.multiply(P).sum(axis=1)).ravel()
    sq_q = np.asarray(Q.multiply(Q).sum(axis=1)).ravel()
    n_q = Q.shape[0]
    dist, ind = np.empty((n_q, k)), np.empty((n_q, k), dtype=np.intp)
    for s in range(0, n_q, block):
        D = sq_q[s:s + block, None] + sq_p[None, :] - 2 * np.asarray((Q[s:s + block] @ P.T).todense())
        np.maximum(D, 0, out=D)
        cand = np.sort(np.argpartition(D, k - 1, axis=1)[:, :k], axis=1)     # ascending index
        d = np.take_along_axis(D, cand, axis=1)
        order = np.argsort(d, axis=1, kind="stable")                          # ties keep index order
        dist[s:s + block] = np.sqrt(np.take_along_axis(d, order, axis=1))
        ind[s:s + block] = np.take_along_axis(cand, order, axis=1)
    return dist, ind


class KNN(Estimator):
    """k-nearest-neighbour classifier (``task="classification"``) or regressor.

    Parameters
    ----------
    k : int, default 5
        Number of neighbours.
    task : {"classification", "regression"}, default "classification"
        ``knn_regressor`` is the same estimator with ``task="regression"`` fixed.
    weights : {"uniform", "distance"}, default "uniform"
        ``"distance"`` weighs each neighbour by ``1 / d``; a query that coincides with
        training points (``d = 0``) takes the average (or vote) of those points only.
    metric : metric spec or Metric, default None
        Any component of the ``metric`` kind, e.g. ``manhattan`` or ``minkowski(p=3)``;
        None means ``euclidean``.
    algorithm : {"auto", "ball_tree", "brute"}, default "auto"
        ``"auto"`` uses the ball tree for up to 15 features and ``k < n / 2``, else brute force.
    leaf_size : int, default 40
        Ball-tree leaf size.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
        Sorted class labels (classification).
    X_fit_ : ndarray (n, d)
        Training inputs (a copy).
    y_fit_ : ndarray (n,) or (n, n_outputs)
        Class indices into ``classes_`` (classification) or targets (regression).
    fit_method_ : str
        ``"ball_tree"`` or ``"brute"``.

    Notes
    -----
    Classification: ``p(c | x) = sum_{i in N_k(x)} w_i [y_i = c] / sum_i w_i`` and the
    prediction is the arg-max, ties going to the smallest label. Regression:
    ``y(x) = sum_i w_i y_i / sum_i w_i``. Predictions equal scikit-learn's
    ``KNeighborsClassifier`` / ``KNeighborsRegressor`` (up to ties between equally distant
    neighbours). The ball tree is rebuilt from ``X_fit_`` after loading (deterministic).

    References
    ----------
    Cover, T. and Hart, P. (1967). Nearest neighbor pattern classification. IEEE
    Transactions on Information Theory 13(1).

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> mlcore.build("knn(k=3, weights='distance')").fit(X, y).predict(np.array([[0.4]])).tolist()
    [0]
    """

    spec_kinds = {"metric": "metric"}  # noqa: RUF012 (read-only class data)
    _default_task = "classification"

    _parameter_constraints = {  # noqa: RUF012 (read-only class data)
        "k": Interval(numbers.Integral, low=1), "task": Options("classification", "regression"),
        "weights": Options("uniform", "distance"), "algorithm": Options("auto", "ball_tree", "brute"),
        "leaf_size": Interval(numbers.Integral, low=1),
    }

    def __init__(self, k: int = 5, task: str = "classification", weights: str = "uniform",
                 metric: Metric | str | None = None, algorithm: str = "auto", leaf_size: int = 40):
        self.k = k
        self.task = task
        self.weights = weights
        self.metric = metric
        self.algorithm = algorithm
        self.leaf_size = leaf_size

    def _check_params(self):
        if self.metric is not None and not isinstance(self.metric, (str, Metric)):
            raise ComponentArgumentError(f"metric must be a metric component or its spec, got {self.metric!r}")

    def mlcore_tags(self) -> dict:
        """Regression takes several outputs; sparse CSR/CSC input with the Euclidean metric."""
        tags = super().mlcore_tags()
        tags["multi_output"] = self.task == "regression"
        try:
            tags["sparse"] = _is_euclidean(get_metric(self.metric))
        except Exception:  # an invalid metric is reported by fit
            tags["sparse"] = False
        return tags

    @property
    def _estimator_type(self):
        return "classifier" if self.task == "classification" else "regressor"

    @classmethod
    def conformance_example(cls):
        y = _EXAMPLE_Y if cls._default_task == "classification" else _EXAMPLE_X @ [1.0, -2.0, 0.5]
        return {"fit": (_EXAMPLE_X, y)}

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Store the training set (and build the ball tree); returns self.

        Parameters
        ----------
        X : array-like (n, d)
        y : array-like (n,)
            Labels (any sortable type) for classification; (n,) or (n, n_outputs) floats
            for regression.
        """
        metric = get_metric(self.metric)
        X, y = validate_data(self, X, y, dtype="numeric" if metric._numeric else None)
        sparse = not isinstance(X, np.ndarray)
        if not sparse:
            X = metric._check(X, "X", 2)
        if self.task == "classification":
            self.classes_, y = np.unique(y, return_inverse=True)
        if self.k > X.shape[0]:
            raise ValueError(f"k={self.k} neighbours requested but the training set has n_samples = {X.shape[0]}")
        self.X_fit_ = X.copy() if sparse else np.array(X, copy=True)
        self.y_fit_ = np.array(y, copy=True)
        if sparse:
            self.fit_method_ = "brute"
            self._build_index()
            return self
        numeric = X.dtype.kind in "biuf"
        if self.algorithm == "ball_tree" and not numeric:
            raise ValueError("algorithm='ball_tree' needs numeric X; use algorithm='brute' for label arrays")
        auto_tree = numeric and X.shape[1] <= 15 and self.k < len(X) / 2
        self.fit_method_ = "ball_tree" if self.algorithm == "ball_tree" or (
            self.algorithm == "auto" and auto_tree) else "brute"
        self._build_index()
        return self

    def _build_index(self):
        self._metric = get_metric(self.metric)
        if not isinstance(self.X_fit_, np.ndarray):  # sparse: brute force only
            self._tree = None
            return
        self._tree = BallTree(self.X_fit_, self.leaf_size, self._metric) if self.fit_method_ == "ball_tree" else None

    def set_state(self, state):
        super().set_state(state)
        if "X_fit_" in state:
            self._build_index()

    # ------------------------------------------------------------------ queries
    def kneighbors(self, X, k: int | None = None, return_distance: bool = True):
        """Distances (nq, k) sorted ascending and indices (nq, k) of the nearest training points."""
        check_is_fitted(self, "X_fit_")
        if not hasattr(self, "_metric"):
            self._build_index()
        k = self.k if k is None else k
        X = validate_data(self, X, reset=False, dtype="numeric" if self._metric._numeric else None,
                          accept_sparse=not isinstance(self.X_fit_, np.ndarray) and ("csr",))
        if not isinstance(self.X_fit_, np.ndarray):
            dist, ind = _sparse_kneighbors(self.X_fit_, X.tocsr(), k)
            return (dist, ind) if return_distance else ind
        X = self._metric._check(X, "X", 2)
        if self._tree is not None:
            dist, ind = self._tree.query(X, k)
        else:
            dist, ind = knn_brute(self.X_fit_, X, k, self._metric)
        return (dist, ind) if return_distance else ind

    @property
    def predict_proba(self):
        """Class probabilities (nq, n_classes), columns in the order of ``classes_``.

        Only for ``task="classification"`` (the attribute does not exist otherwise).
        """
        if self.task != "classification":
            raise AttributeError("predict_proba is only available for task='classification'")
        return self._predict_proba

    def _predict_proba(self, X):
        check_is_fitted(self, "X_fit_")
        dist, ind = self.kneighbors(X)
        w = _neighbour_weights(dist, self.weights)
        n_classes = len(self.classes_)
        labels = self.y_fit_[ind] + n_classes * np.arange(len(ind))[:, None]
        votes = np.bincount(labels.ravel(), weights=w.ravel(), minlength=n_classes * len(ind))
        votes = votes.reshape(len(ind), n_classes)
        return votes / votes.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted labels (classification) or values (regression) for the rows of ``X``."""
        check_is_fitted(self, "X_fit_")
        if self.task == "classification":
            return self.classes_[np.argmax(self._predict_proba(X), axis=1)]
        dist, ind = self.kneighbors(X)
        w = _neighbour_weights(dist, self.weights)
        Y = self.y_fit_[ind]                                   # (nq, k) or (nq, k, n_outputs)
        w = w if Y.ndim == 2 else w[:, :, None]
        return (w * Y).sum(axis=1) / w.sum(axis=1)

    def score(self, X, y, sample_weight=None):
        """Accuracy (classification) or coefficient of determination R^2 (regression)."""
        mixin = ClassifierMixin if self.task == "classification" else RegressorMixin
        return mixin.score(self, X, y, sample_weight)


class KNNRegressor(KNN):
    """k-nearest-neighbour regressor: :class:`KNN` with ``task="regression"``.

    Parameters
    ----------
    k, weights, metric, algorithm, leaf_size
        As for :class:`KNN`.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 4.0])
    >>> mlcore.build("knn_regressor(k=2)").fit(X, y).predict(np.array([[1.9]])).tolist()
    [2.5]
    """

    _default_task = "regression"

    def __init__(self, k: int = 5, weights: str = "uniform", metric: Metric | str | None = None,
                 algorithm: str = "auto", leaf_size: int = 40):
        super().__init__(k, "regression", weights, metric, algorithm, leaf_size)
