"""Plugin discovery, conformance kit, save/load, and scikit-learn interoperability
(clone, Pipeline(StandardScaler(), est), GridSearchCV, cross_val_score) for every estimator."""

import numpy as np
import pytest

import mlcore
from mlcore.errors import NotFittedError

NAMES = ["linear_regression", "ridge", "logistic_regression", "bayesian_linear_regression", "glm",
         "gaussian_nb"]


def reg_data(seed=0, n=80):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X @ [1.0, -0.5, 0.25, 0.0] + 0.3 * rng.normal(size=n)


def clf_data(seed=0, n=90):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.argmax(X[:, :3] * 1.5 + rng.gumbel(size=(n, 3)), axis=1)
    return X, y


def example(name):
    if name in ("logistic_regression", "gaussian_nb"):
        return clf_data()
    X, y = reg_data()
    if name == "glm":
        return X, np.random.default_rng(0).poisson(np.exp(1.0 + 0.8 * (X @ [1.0, -0.5, 0.25, 0.0]))).astype(float)
    return X, y


SPECS = {"glm": "glm(link='log')"}


def test_plugin_registers_every_estimator():
    names = mlcore.registry().names("estimator")
    assert set(NAMES) <= set(names)
    assert mlcore.registry().info("ridge", "estimator")["distribution"] == "mlcore-linear"


@pytest.mark.parametrize("name", NAMES)
def test_conformance_kit(name, tmp_path):
    testing = pytest.importorskip("mlcore.testing")
    testing.check_component(name, tmp_path=tmp_path)


@pytest.mark.parametrize("name", NAMES)
def test_spec_save_load_round_trip(name, tmp_path):
    X, y = example(name)
    est = mlcore.build(SPECS.get(name, name)).fit(X, y)
    assert mlcore.to_spec(mlcore.build(mlcore.to_spec(est))) == mlcore.to_spec(est)
    loaded = mlcore.load(mlcore.save(est, tmp_path / f"{name}.npz"))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    if hasattr(est, "predict_proba"):
        np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_loaded_models_continue_identically(tmp_path):
    X, y = reg_data()
    lr = mlcore.build("linear_regression").fit(X[:40], y[:40])
    lr2 = mlcore.load(mlcore.save(lr, tmp_path / "lr.npz"))
    np.testing.assert_array_equal(lr.update(X[40:], y[40:]).coef_, lr2.update(X[40:], y[40:]).coef_)
    Xc, yc = clf_data()
    nb = mlcore.build("gaussian_nb").partial_fit(Xc[:40], yc[:40], classes=[0, 1, 2])
    nb2 = mlcore.load(mlcore.save(nb, tmp_path / "nb.npz"))
    np.testing.assert_array_equal(nb.partial_fit(Xc[40:], yc[40:]).var_, nb2.partial_fit(Xc[40:], yc[40:]).var_)
    b = mlcore.build("bayesian_linear_regression(noise_variance=None)").fit(X, y)
    b2 = mlcore.load(mlcore.save(b, tmp_path / "b.npz"))
    assert np.array_equal(b.sample(3, random_state=1)[0], b2.sample(3, random_state=1)[0])


@pytest.mark.parametrize("name", NAMES)
def test_not_fitted_error(name):
    X, _ = example(name)
    with pytest.raises(NotFittedError):
        mlcore.build(name).predict(X)


@pytest.mark.parametrize("name", NAMES)
def test_sklearn_clone_pipeline_gridsearch_cv(name):
    base = pytest.importorskip("sklearn.base")
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = example(name)
    est = mlcore.build(SPECS.get(name, name))
    twin = base.clone(est)
    assert type(twin) is type(est) and twin.get_params() == est.get_params()
    classifier = name in ("logistic_regression", "gaussian_nb")
    assert base.is_classifier(est) == classifier and base.is_regressor(est) == (not classifier)

    pipe = make_pipeline(StandardScaler(), base.clone(est)).fit(X, y)
    Xs = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(pipe.predict(X), base.clone(est).fit(Xs, y).predict(Xs), rtol=1e-10)
    grid = {"linear_regression": {"fit_intercept": [True, False]}, "ridge": {"alpha": [0.1, 10.0]},
            "logistic_regression": {"C": [0.01, 1.0]}, "bayesian_linear_regression": {"V": [0.1, 10.0]},
            "glm": {"fit_intercept": [True, False]}, "gaussian_nb": {"var_smoothing": [1e-9, 1e-3]}}[name]
    search = GridSearchCV(est, grid, cv=3).fit(X, y)
    assert search.best_params_.keys() == grid.keys()
    scores = cross_val_score(make_pipeline(StandardScaler(), est), X, y, cv=3)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    assert scores.mean() > (0.4 if classifier else 0.2)
