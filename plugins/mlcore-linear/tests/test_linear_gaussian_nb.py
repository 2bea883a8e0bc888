"""gaussian_nb against scikit-learn GaussianNB (rtol 1e-6)."""

import numpy as np
import pytest

import mlcore

skn = pytest.importorskip("sklearn.naive_bayes")

RTOL = 1e-6


def data(n=300, m=4, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, m)) * rng.uniform(0.5, 2.0, (k, m))[y] + rng.normal(scale=2, size=(k, m))[y]
    return X, y, rng.uniform(0.1, 2.0, n)


def assert_same(ours, ref, X):
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.theta_, ref.theta_, rtol=RTOL)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=RTOL)
    np.testing.assert_allclose(ours.class_prior_, ref.class_prior_, rtol=RTOL)
    np.testing.assert_allclose(ours.class_count_, ref.class_count_, rtol=RTOL)
    np.testing.assert_allclose(ours.predict_joint_log_proba(X), ref.predict_joint_log_proba(X), rtol=RTOL)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=RTOL, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("var_smoothing", [1e-9, 1e-2])
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_matches_sklearn(var_smoothing, weighted):
    X, y, w = data()
    sw = w if weighted else None
    ours = mlcore.build("gaussian_nb", var_smoothing=var_smoothing).fit(X, y, sample_weight=sw)
    ref = skn.GaussianNB(var_smoothing=var_smoothing).fit(X, y, sample_weight=sw)
    assert ours.epsilon_ == pytest.approx(ref.epsilon_, rel=RTOL)
    assert_same(ours, ref, X)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y))


def test_partial_fit_equals_fit_and_sklearn():
    X, y, _ = data()
    ours, ref = mlcore.build("gaussian_nb"), skn.GaussianNB()
    for s in range(0, 300, 70):
        ours.partial_fit(X[s:s + 70], y[s:s + 70], classes=[0, 1, 2])
        ref.partial_fit(X[s:s + 70], y[s:s + 70], classes=[0, 1, 2])
    assert_same(ours, ref, X)    # sklearn takes epsilon from the last batch: differs by ~1e-9 only
    full = mlcore.build("gaussian_nb").fit(X, y)
    np.testing.assert_allclose(ours.var_, full.var_, rtol=1e-10)
    np.testing.assert_allclose(ours.theta_, full.theta_, rtol=1e-10)
    assert ours.epsilon_ == pytest.approx(full.epsilon_, rel=1e-10)


def test_priors_and_string_labels():
    X, y, _ = data()
    labels = np.array(["a", "b", "c"])[y]
    ours = mlcore.build("gaussian_nb(priors=[0.2, 0.3, 0.5])").fit(X, labels)
    ref = skn.GaussianNB(priors=[0.2, 0.3, 0.5]).fit(X, labels)
    assert_same(ours, ref, X)


def test_partial_fit_errors():
    X, y, _ = data()
    with pytest.raises(ValueError, match="classes"):
        mlcore.build("gaussian_nb").partial_fit(X, y)
    m = mlcore.build("gaussian_nb").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not among the classes"):
        m.partial_fit(X[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="features"):
        m.partial_fit(X[:3, :2], [0, 1, 2])
    with pytest.raises(ValueError, match="priors"):
        mlcore.build("gaussian_nb(priors=[0.5, 0.5])").fit(X, y)


def test_all_constant_features_give_the_class_priors():
    """Issue 22: constant features used to give NaN probabilities (0/0); every class has the
    same mean then, so the posterior is the prior (explicit or from the class counts)."""
    X = np.full((6, 3), 2.5)
    y = [0, 0, 0, 1, 1, 2]
    for spec, prior in (("gaussian_nb", [3 / 6, 2 / 6, 1 / 6]),
                        ("gaussian_nb(priors=[0.2, 0.3, 0.5])", [0.2, 0.3, 0.5])):
        nb = mlcore.build(spec).fit(X, y)
        np.testing.assert_allclose(nb.predict_proba([[2.5, 2.5, 2.5]]), [prior], rtol=1e-12)
        np.testing.assert_allclose(nb.predict_proba([[3.0, 1.0, -4.0]]), [prior], rtol=1e-5)
        assert nb.predict([[2.5, 2.5, 2.5]]).tolist() == [int(np.argmax(prior))]


def test_zero_variance_without_smoothing_raises():
    nb = mlcore.build("gaussian_nb(var_smoothing=0.0)").fit(np.full((4, 2), 1.0), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="zero variance.*var_smoothing > 0"):
        nb.predict_proba([[1.0, 1.0]])
