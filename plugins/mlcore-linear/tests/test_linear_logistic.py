"""logistic_regression against scikit-learn LogisticRegression (rtol 1e-4, tight tolerances).

l2 / none: sklearn lbfgs; l1: sklearn saga (liblinear penalises the intercept), same C.
"""

import warnings

import numpy as np
import pytest

import mlcore

sk = pytest.importorskip("sklearn.linear_model")

RTOL = 1e-4


def data(n_classes=2, n=240, m=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m)) * [1.0, 2.0, 0.5, 1.0, 1.5][:m]
    W = rng.normal(size=(m, n_classes))
    y = np.argmax(X @ W + 1.5 * rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y, rng.uniform(0.2, 2.0, n)


def sklearn_ref(penalty, C, fit_intercept=True):
    if penalty == "l2":
        return sk.LogisticRegression(C=C, fit_intercept=fit_intercept, tol=1e-12, max_iter=10_000)
    if penalty == "none":
        return sk.LogisticRegression(C=np.inf, fit_intercept=fit_intercept, tol=1e-12, max_iter=10_000)
    return sk.LogisticRegression(C=C, l1_ratio=1.0, solver="saga", fit_intercept=fit_intercept,
                                 tol=1e-12, max_iter=200_000)


def fit_both(X, y, penalty, C, fit_intercept=True, sample_weight=None):
    ours = mlcore.build("logistic_regression", penalty=penalty, C=C, fit_intercept=fit_intercept,
                        tol=1e-10, max_iter=1000).fit(X, y, sample_weight=sample_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sklearn_ref(penalty, C, fit_intercept).fit(X, y, sample_weight=sample_weight)
    return ours, ref


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("penalty,C", [("l2", 1.0), ("l2", 0.05), ("l1", 0.5), ("l1", 0.05), ("none", 1.0)])
def test_matches_sklearn(n_classes, penalty, C):
    X, y, _ = data(n_classes)
    ours, ref = fit_both(X, y, penalty, C)
    assert ours.coef_.shape == ref.coef_.shape
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=RTOL * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=RTOL, atol=RTOL * scale)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=RTOL, atol=1e-7)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=RTOL, atol=1e-6)
    if penalty == "l1":   # sparsity pattern is the same
        np.testing.assert_array_equal(ours.coef_ == 0, np.abs(ref.coef_) < 1e-8)


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_sample_weight_and_no_intercept(penalty):
    X, y, w = data(3)
    ours, ref = fit_both(X, y, penalty, 0.3, fit_intercept=False, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=1e-6)
    assert np.all(ours.intercept_ == 0)


def test_string_labels_and_log_proba():
    X, y, _ = data(3)
    labels = np.array(["cat", "dog", "emu"])[y]
    ours, ref = fit_both(X, labels, "l2", 1.0)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.predict_log_proba(X), np.log(ours.predict_proba(X)), rtol=1e-10)
    assert ours.score(X, labels) == pytest.approx(ref.score(X, labels))


def test_intercept_not_penalised_and_gradient_sign():
    """With a strong penalty the weights shrink to 0 but the intercept still fits the base
    rate (numpy-ml defects 8: wrong penalty-gradient sign, penalised intercept)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 3))
    y = (rng.uniform(size=400) < 0.8).astype(int)
    m = mlcore.build("logistic_regression(C=1e-8, tol=1e-10)").fit(X, y)
    assert np.abs(m.coef_).max() < 1e-5
    assert m.intercept_[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-4)


def test_default_tolerance_reaches_sklearn_log_loss():
    from sklearn.metrics import log_loss

    X, y, _ = data(2, n=2000, m=5, seed=7)
    ours = mlcore.build("logistic_regression").fit(X, y)
    ref = sk.LogisticRegression().fit(X, y)
    assert log_loss(y, ours.predict_proba(X)) == pytest.approx(log_loss(y, ref.predict_proba(X)), rel=1e-6)


def test_convergence_warning():
    from mlcore_linear._logloss import ConvergenceWarning

    X, y, _ = data(3)
    with pytest.warns(ConvergenceWarning):
        mlcore.build("logistic_regression(max_iter=2, tol=1e-12)").fit(X, y)
    with pytest.warns(ConvergenceWarning):
        mlcore.build("logistic_regression(penalty='l1', max_iter=1, tol=1e-12)").fit(X, y)
