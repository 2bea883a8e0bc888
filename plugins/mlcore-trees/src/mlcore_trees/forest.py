"""Random forest (bagged CART trees with per-node feature sampling), parallel through joblib."""

from __future__ import annotations

import numbers
import sys

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_is_fitted, check_random_state, check_scalar

from . import _common as C
from ._engine import Sampled, grow, prepare, training_targets
from ._grow_sampled import grow_forest_sampled

__all__ = ["RandomForest"]


def _tree_seeds(random_state, n):
    """One independent SeedSequence per tree, derived from ``random_state`` only."""
    rng = check_random_state(random_state)
    return np.random.SeedSequence(int(rng.integers(0, 2**63 - 1))).spawn(n)


def _bootstrap_counts(rng, n, positive=None):
    """Bootstrap counts (n,); redrawn while no sample of positive weight (``positive``, a
    boolean mask, None when all are) is drawn: a tree of total weight 0 has no prediction."""
    counts = np.bincount(rng.integers(0, n, n), minlength=n)
    while positive is not None and not counts[positive].any():
        counts = np.bincount(rng.integers(0, n, n), minlength=n)
    return counts


def _positive(S):
    """Samples of positive weight (their statistics rows are non-zero), None if all are."""
    pos = np.any(S != 0, axis=1)
    return None if pos.all() else pos


def _batch_size(n):
    """Trees grown together: ~16k rows per batch (amortises per-level overhead on small
    data, keeps arrays cache-sized on large data). Depends on n only, never on n_jobs, so the
    model does not depend on how the batches are spread over workers."""
    return int(np.clip(16384 // max(n, 1), 1, 16))


def _fit_batch(data, S, criterion, seeds, bootstrap, kw):
    """Fit a batch of trees (runs in a joblib worker). Returns one node dict per tree.

    Every tree draws its bootstrap sample and its features from its own generator, seeded
    by its own SeedSequence, so a tree does not depend on the other trees of the batch.
    """
    n = S.shape[0]
    rngs = [np.random.default_rng(s) for s in seeds]
    boot = []
    positive = _positive(S)
    for rng in rngs:  # loop over the trees of the batch: one bootstrap draw each
        if bootstrap:
            counts = _bootstrap_counts(rng, n, positive)
            rows = np.flatnonzero(counts)
            boot.append((rows, S[rows] * counts[rows, None]))
        else:
            boot.append((np.arange(n), S))
    if isinstance(data, Sampled):
        vrow = np.concatenate([b[0] for b in boot])
        vtree = np.repeat(np.arange(len(boot)), [len(b[0]) for b in boot])
        SV = np.concatenate([b[1] for b in boot])
        del boot                                 # the per-tree copies (peak memory)
        flat, _ = grow_forest_sampled(vrow, vtree, SV, data.X, data.ranks, criterion, rngs, **kw)
        return _split_trees(flat)
    trees = []
    for (rows, Sb), rng in zip(boot, rngs):  # loop over trees; each grown level-wise
        Sfull = np.zeros_like(S)
        Sfull[rows] = Sb
        trees.append(grow(data, rows if len(rows) < n else None, Sfull, criterion, rng=rng, **kw)[0])
    return trees


def _fit_group(data, S, criterion, batches, bootstrap, kw):
    """Fit several batches in one worker task: a list of :func:`_fit_batch` results.

    Arrays that arrive unaligned or read-only (out-of-band pickle buffers of a cluster's
    transport) are copied once into ordinary worker memory, which the hot loop reads at
    full speed.
    """
    def local(a):
        if isinstance(a, np.ndarray) and not (a.flags.aligned and a.flags.writeable and a.flags.c_contiguous):
            return np.array(a, order="C")
        return a

    data = type(data)(*(local(a) for a in data))   # the same record (Exact, Sampled or Hist)
    return [_fit_batch(data, local(S), criterion, b, bootstrap, kw) for b in batches]


def _split_trees(flat):
    out = []
    off = flat["tree_offsets"]
    for t in range(len(off) - 1):  # loop over trees: slicing only
        lo, hi = off[t], off[t + 1]
        tree = {k: flat[k][lo:hi] for k in ("feature", "threshold", "value", "impurity", "n_node_samples",
                                            "weighted_n_node_samples")}
        for k in ("left", "right"):
            v = flat[k][lo:hi]
            tree[k] = np.where(v >= 0, v - lo, -1).astype(np.int32)
        tree["depth"] = int(flat["tree_depths"][t])
        out.append(tree)
    return out


class RandomForest(Estimator):
    """Random forest of CART trees (Breiman, 2001), soft voting for classification.

    Parameters
    ----------
    task : {"classification", "regression"}
    n_estimators : int
        Number of trees.
    criterion : {"gini", "entropy", "squared_error"} or None
        None: "gini" for classification, "squared_error" for regression.
    max_depth, min_samples_split, min_samples_leaf : see :class:`~mlcore_trees.tree.DecisionTree`
    max_features : int, float, "sqrt", "log2" or None
        Features drawn at every node. None: "sqrt" for classification, all for regression
        (scikit-learn's defaults).
    bootstrap : bool
        Fit every tree on a bootstrap sample (n draws with replacement, as sample weights).
    oob_score : bool
        Compute ``oob_score_`` (accuracy or R^2) from out-of-bag predictions.
    splitter : {"exact", "hist"}
    max_bins : int
    n_jobs : int or None
        Trees are fitted through ``joblib.Parallel(n_jobs)`` when ``n_jobs`` is not 1,
        so ``joblib.parallel_config(backend="dask")`` (or "ray") sends them to a cluster.
        None: the ``n_jobs`` of an enclosing ``joblib.parallel_config`` (1 outside one).
        Results do not depend on ``n_jobs`` or the backend: every tree has its own seed,
        spawned from ``random_state``. Each worker gets one task (a group of tree batches)
        and the prepared arrays once. On Dask, start the workers with glibc's malloc
        thresholds restored (dask sets ``MALLOC_TRIM_THRESHOLD_=65536``, under which every
        NumPy temporary page-faults and trees grow about 2x slower), e.g.
        ``dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 2**28,
        "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 2**26})``.
    random_state : int, numpy.random.Generator or None
    progress : bool or None
        Progress bar over trees (tqdm) when True, or when None and stderr is a terminal.

    Attributes
    ----------
    children_left_, children_right_, feature_, threshold_, value_, impurity_,
    n_node_samples_, weighted_n_node_samples_ : ndarray (total_nodes, ...)
        All trees concatenated; child ids are global rows.
    tree_offsets_ : ndarray (n_estimators + 1,)
        Tree ``t`` occupies rows ``tree_offsets_[t]:tree_offsets_[t + 1]``.
    tree_depths_ : ndarray (n_estimators,)
    classes_, n_features_in_, feature_importances_
    oob_score_, oob_prediction_ : only with ``oob_score=True``
        ``oob_prediction_`` is (n, n_classes) probabilities or (n,) values (NaN where a
        sample was in every bootstrap).

    Notes
    -----
    Soft voting: ``predict_proba`` is the mean of the trees' leaf class frequencies.
    All trees are traversed together, one vectorised step per level.

    References
    ----------
    Breiman, L. (2001). Random forests. Machine Learning 45, 5-32.

    Example
    -------
    >>> import mlcore, numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 4)); y = (X[:, 0] > 0).astype(int)
    >>> rf = mlcore.build("random_forest(n_estimators=20, max_depth=4, random_state=0)").fit(X, y)
    >>> float(rf.score(X, y)) > 0.95
    True
    """

    def __init__(self, task="classification", n_estimators=100, criterion=None, max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, max_features=None, bootstrap=True,
                 oob_score=False, splitter="exact", max_bins=255, n_jobs=None, random_state=None,
                 progress=None):
        self.task = task
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.splitter = splitter
        self.max_bins = max_bins
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.progress = progress

    def _check_params(self):
        C.check_tree_params(self)
        check_scalar(self.n_estimators, "n_estimators", numbers.Integral, low=1)
        check_scalar(self.bootstrap, "bootstrap", bool)
        check_scalar(self.oob_score, "oob_score", bool)
        check_scalar(self.n_jobs, "n_jobs", numbers.Integral, allow_none=True)
        if self.oob_score and not self.bootstrap:
            from mlcore.errors import ComponentArgumentError
            raise ComponentArgumentError("oob_score=True needs bootstrap=True")

    @property
    def _estimator_type(self):
        return "classifier" if self.task == "classification" else "regressor"

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.normal(size=(80, 4))
        y = (X[:, 0] - X[:, 2] > 0).astype(int)
        return {"spec": "random_forest(n_estimators=5, max_depth=4, random_state=0)", "fit": (X, y)}

    def fit(self, X, y, sample_weight=None):
        """Fit ``n_estimators`` trees on bootstrap samples of (X, y); returns self."""
        X, yenc, classes, w, S, shift = training_targets(self, X, y, sample_weight)
        n, d = X.shape
        criterion = self.criterion or ("gini" if self.task == "classification" else "squared_error")
        mf = self.max_features
        if mf is None and self.task == "classification":
            mf = "sqrt"
        kw = {"max_depth": n if self.max_depth is None else self.max_depth,
              "min_samples_split": self.min_samples_split, "min_samples_leaf": self.min_samples_leaf,
              "max_features": C.resolve_max_features(mf, d)}
        data = prepare(X, self.splitter, self.max_bins, kw["max_features"])
        seeds = _tree_seeds(self.random_state, self.n_estimators)
        bs = _batch_size(n)
        batches = [seeds[i:i + bs] for i in range(0, len(seeds), bs)]
        if self.n_jobs == 1 or (self.n_jobs is None and "joblib" not in sys.modules):
            # Sequential path: joblib is not imported. Loop over batches of trees. (n_jobs=None
            # with joblib loaded takes the enclosing joblib.parallel_config's n_jobs and backend,
            # as scikit-learn does: `mlcore fit --n-jobs 2 --backend dask`; 1 job outside one.)
            res = [_fit_batch(data, S, criterion, b, self.bootstrap, kw)
                   for b in C.progress_iter(batches, self.progress, len(batches), "tree batches")]
        else:
            from joblib import Parallel, delayed, effective_n_jobs

            # One task per worker, each a contiguous group of batches: the prepared arrays
            # travel once per worker, pickled into the worker's own memory (max_nbytes=None:
            # no joblib memmap, which the hot loop reads 1.5x slower). Same batches, same
            # seeds, same order: the same model as n_jobs=1.
            n_eff = max(1, min(effective_n_jobs(self.n_jobs), len(batches)))
            cuts = np.linspace(0, len(batches), n_eff + 1).round().astype(int)
            groups = [batches[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
            res = Parallel(n_jobs=n_eff, max_nbytes=None)(
                delayed(_fit_group)(data, S, criterion, g, self.bootstrap, kw)
                for g in C.progress_iter(groups, self.progress, len(groups), "worker groups"))
            res = [r for group in res for r in group]
        trees = [t for r in res for t in r]
        flat = C.concat_trees(trees)
        for k, v in flat.items():
            setattr(self, k + "_", v)
        self.value_ += shift                     # values were grown on the centred target
        self.n_features_in_ = d
        if classes is not None:
            self.classes_ = classes
        self.feature_importances_ = C.feature_importances(
            d, self.feature_, self.children_left_, self.children_right_, self.impurity_,
            self.weighted_n_node_samples_, self.tree_offsets_)
        if self.oob_score:
            self._compute_oob(X, yenc, seeds, _positive(S))
        return self

    def _compute_oob(self, X, yenc, seeds, positive):
        n = len(X)
        inbag = np.stack([_bootstrap_counts(np.random.default_rng(s), n, positive) > 0 for s in seeds], axis=1)
        vals = self.value_[self._apply(X)]                  # (n, T, n_out)
        oob = ~inbag
        cnt = oob.sum(axis=1)
        summed = np.einsum("nt,ntk->nk", oob.astype(float), vals)
        with np.errstate(invalid="ignore", divide="ignore"):
            pred = summed / cnt[:, None]
        has = cnt > 0
        if self.task == "classification":
            self.oob_prediction_ = pred
            self.oob_score_ = float(np.mean(np.argmax(pred[has], axis=1) == yenc[has]))
        else:
            pred = pred[:, 0]
            self.oob_prediction_ = pred
            yt = yenc[has]
            self.oob_score_ = float(1 - np.sum((yt - pred[has]) ** 2) / np.sum((yt - yt.mean()) ** 2))

    def _apply(self, X):
        return C.traverse(X, self.feature_, self.threshold_, self.children_left_, self.children_right_,
                          self.tree_offsets_[:-1], int(self.tree_depths_.max()))

    def apply(self, X):
        """Leaf row (global, into the flat arrays) of every sample in every tree: (n, n_estimators)."""
        check_is_fitted(self, "children_left_")
        return self._apply(C.check_predict_input(self, X))

    @C.classifier_only
    def predict_proba(self, X):
        """Mean of the trees' leaf class frequencies (soft voting): (n, n_classes)."""
        leaves = self.apply(X)
        return self.value_[leaves].mean(axis=1)

    def predict(self, X):
        """Class with the highest mean probability, or the mean of the trees' predictions."""
        check_is_fitted(self, "children_left_")
        if self.task == "classification":
            return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        leaves = self.apply(X)
        return self.value_[leaves, 0].mean(axis=1)

    def score(self, X, y, sample_weight=None):
        """Accuracy (classification) or R^2 (regression)."""
        return C.score(self, X, y, sample_weight)
