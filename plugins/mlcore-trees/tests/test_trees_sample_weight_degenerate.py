"""Degenerate sample weights (issue 22, section 2).

All-zero weights used to raise an IndexError deep in ``_grow.py`` or give NaN
probabilities; a forest whose bootstrap missed the few weighted samples grew trees of
total weight 0 and predicted NaN. As scikit-learn, all-zero weights raise a ValueError
(negative weights too: scikit-learn accepts those, here they are rejected).
"""

import warnings

import numpy as np
import pytest

import mlcore

SPECS = ["decision_tree", "decision_tree(splitter='hist')", "random_forest(n_estimators=4, random_state=0)",
         "random_forest(n_estimators=4, splitter='hist', random_state=0)"]


def _data(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] > 0).astype(int), X[:, 0] + 0.1 * rng.normal(size=n)


def _build(spec, task):
    sep = ", " if spec.endswith(")") else "("
    return mlcore.build(f"{spec[:-1] if spec.endswith(')') else spec}{sep}task='{task}')")


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("spec", SPECS)
def test_all_zero_and_negative_weights_raise(spec, task):
    X, yc, yr = _data()
    y = yc if task == "classification" else yr
    with pytest.raises(ValueError, match="sample_weight sums to zero"):
        _build(spec, task).fit(X, y, sample_weight=np.zeros(len(X)))
    w = np.ones(len(X))
    w[3] = -0.5
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        _build(spec, task).fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="sample_weight has 3 entries but X has 40 samples"):
        _build(spec, task).fit(X, y, sample_weight=np.ones(3))


def test_scikit_learn_also_rejects_all_zero_weights():
    tree = pytest.importorskip("sklearn.tree")
    X, yc, _ = _data()
    with pytest.raises(ValueError):
        tree.DecisionTreeClassifier().fit(X, yc, sample_weight=np.zeros(len(X)))


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("spec", SPECS)
def test_few_positive_weights_give_finite_predictions(spec, task):
    """One sample of positive weight: every tree (every bootstrap) must contain it, and the
    prediction is that sample's target everywhere."""
    X, yc, yr = _data()
    y = yc if task == "classification" else yr
    w = np.zeros(len(X))
    w[7] = 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = _build(spec, task).fit(X, y, sample_weight=w)
        pred = model.predict(X)
        if task == "classification":
            proba = model.predict_proba(X)
            assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(pred, np.full(len(X), y[7]))
