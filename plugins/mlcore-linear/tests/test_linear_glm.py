"""glm against statsmodels GLM (Gaussian, Binomial, Poisson), coefficients/predictions to 1e-6."""

import numpy as np
import pytest

import mlcore

sm = pytest.importorskip("statsmodels.api")

RTOL = 1e-6


def data(link, n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    eta = X @ [0.5, -0.3, 0.2, 0.1] + 0.3
    if link == "identity":
        y = eta + rng.normal(size=n)
    elif link == "logit":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
    return X, y, rng.integers(1, 4, n).astype(float)


FAMILY = {"identity": "Gaussian", "logit": "Binomial", "log": "Poisson"}


def statsmodels_fit(X, y, link, fit_intercept=True, freq_weights=None, var_weights=None):
    A = sm.add_constant(X, prepend=False) if fit_intercept else X
    family = getattr(sm.families, FAMILY[link])()
    return sm.GLM(y, A, family=family, freq_weights=freq_weights, var_weights=var_weights).fit(
        tol=1e-12, maxiter=200)


@pytest.mark.parametrize("link", ["identity", "logit", "log"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_statsmodels(link, fit_intercept):
    X, y, _ = data(link)
    ours = mlcore.build("glm", link=link, fit_intercept=fit_intercept, tol=1e-12).fit(X, y)
    ref = statsmodels_fit(X, y, link, fit_intercept)
    params = np.r_[ours.coef_, ours.intercept_] if fit_intercept else ours.coef_
    np.testing.assert_allclose(params, ref.params, rtol=RTOL, atol=1e-9)
    A = sm.add_constant(X, prepend=False) if fit_intercept else X
    np.testing.assert_allclose(ours.predict(X), ref.predict(A), rtol=RTOL)
    np.testing.assert_allclose(ours.bse_, ref.bse, rtol=RTOL)
    assert ours.deviance_ == pytest.approx(ref.deviance, rel=RTOL)


@pytest.mark.parametrize("link", ["identity", "logit", "log"])
def test_default_tolerance_and_frequency_weights(link):
    X, y, w = data(link, seed=3)
    ours = mlcore.build("glm", link=link).fit(X, y, sample_weight=w)
    ref = statsmodels_fit(X, y, link, freq_weights=w)
    np.testing.assert_allclose(np.r_[ours.coef_, ours.intercept_], ref.params, rtol=RTOL, atol=1e-8)
    assert ours.null_deviance_ == pytest.approx(ref.null_deviance, rel=RTOL)
    np.testing.assert_allclose(ours.bse_, ref.bse, rtol=1e-5)


@pytest.mark.parametrize("kind", ["freq_weights", "var_weights", "both"])
@pytest.mark.parametrize("link", ["identity", "logit", "log"])
def test_frequency_and_variance_weights_match_statsmodels(link, kind):
    """Issue 22: both meanings of weights, as statsmodels: coefficients, deviance, scale, bse."""
    X, y, w = data(link, seed=5)
    w2 = np.random.default_rng(6).uniform(0.5, 3.0, len(y))
    kw = {"freq_weights": w, "var_weights": w2} if kind == "both" else {kind: w if kind == "freq_weights" else w2}
    ours = mlcore.build("glm", link=link, tol=1e-12).fit(X, y, **kw)
    ref = statsmodels_fit(X, y, link, **kw)
    np.testing.assert_allclose(np.r_[ours.coef_, ours.intercept_], ref.params, rtol=RTOL, atol=1e-9)
    assert ours.deviance_ == pytest.approx(ref.deviance, rel=RTOL)
    assert ours.null_deviance_ == pytest.approx(ref.null_deviance, rel=RTOL)
    assert ours.scale_ == pytest.approx(ref.scale, rel=RTOL)
    np.testing.assert_allclose(ours.bse_, ref.bse, rtol=RTOL)


@pytest.mark.parametrize("link", ["identity", "logit", "log"])
def test_frequency_weighted_fit_equals_fit_on_replicated_rows(link):
    """Integer frequency weights (sample_weight) = each row repeated w times, bse_ included."""
    X, y, w = data(link, n=120, seed=7)
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    rep = mlcore.build("glm", link=link, tol=1e-12).fit(X[rows], y[rows])
    for kw in ({"sample_weight": w}, {"freq_weights": w}):
        ours = mlcore.build("glm", link=link, tol=1e-12).fit(X, y, **kw)
        np.testing.assert_allclose(np.r_[ours.coef_, ours.intercept_], np.r_[rep.coef_, rep.intercept_],
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.bse_, rep.bse_, rtol=1e-8)
        assert ours.deviance_ == pytest.approx(rep.deviance_, rel=1e-9)
        assert ours.scale_ == pytest.approx(rep.scale_, rel=1e-9)


def test_gaussian_variance_weights_keep_n_minus_p_degrees_of_freedom():
    """The reported case's factor: freq vs var weights differ by sqrt((sum w - p) / (n - p))."""
    X, y, w = data("identity", seed=8)
    fw = mlcore.build("glm").fit(X, y, freq_weights=w)
    vw = mlcore.build("glm").fit(X, y, var_weights=w)
    n, p = X.shape[0], X.shape[1] + 1
    np.testing.assert_allclose(vw.bse_ / fw.bse_, np.sqrt((w.sum() - p) / (n - p)), rtol=1e-10)


def test_weight_argument_errors_name_the_argument():
    X, y, w = data("identity")
    with pytest.raises(ValueError, match="sample_weight and freq_weights"):
        mlcore.build("glm").fit(X, y, sample_weight=w, freq_weights=w)
    with pytest.raises(ValueError, match="var_weights must be non-negative"):
        mlcore.build("glm").fit(X, y, var_weights=-w)
    with pytest.raises(ValueError, match="freq_weights has 3 entries"):
        mlcore.build("glm").fit(X, y, freq_weights=w[:3])


def test_score_is_deviance_explained():
    X, y, _ = data("log")
    ours = mlcore.build("glm(link='log')").fit(X, y)
    ref = statsmodels_fit(X, y, "log")
    assert ours.score(X, y) == pytest.approx(1 - ref.deviance / ref.null_deviance, rel=1e-6)
    Xg, yg, _ = data("identity")
    skm = pytest.importorskip("sklearn.metrics")
    g = mlcore.build("glm").fit(Xg, yg)
    assert g.score(Xg, yg) == pytest.approx(skm.r2_score(yg, g.predict(Xg)), rel=1e-10)


def test_target_domain_errors():
    X, _, _ = data("log")
    with pytest.raises(ValueError, match="non-negative"):
        mlcore.build("glm(link='log')").fit(X, -np.ones(len(X)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mlcore.build("glm(link='logit')").fit(X, np.full(len(X), 2.0))
