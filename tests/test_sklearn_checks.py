"""scikit-learn's own estimator checks over every registered estimator (issue 18).

``parametrize_with_checks`` runs scikit-learn's conformance suite on each estimator in
the registry, built from the small spec in :data:`CHECK_SPECS` (fast fits) or, when it
is not listed, from its default spec: a newly registered estimator is covered
automatically. Checks that truly do not apply are in :data:`EXPECTED_FAILED` with the
reason, and every one of them is listed in README.md's "scikit-learn compatibility"
table (checked below). Estimators whose tags say they take no 2-D numeric array (text,
token and sequence models) get only the checks scikit-learn can run on them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlcore

#: Small specs: few iterations/epochs so that the whole suite stays fast. An estimator
#: not listed here is built from its default spec (``build(name)``).
CHECK_SPECS = {
    "gbdt": "gbdt(n_estimators=5, max_depth=3, random_state=0)",
    "random_forest": "random_forest(n_estimators=5, max_depth=4, random_state=0)",
    "rbm": "rbm(n_hidden=3, epochs=2, random_state=0)",
    "sequential": ("sequential(layers=[dense(n_out=8, act_fn=relu), dense(n_out=4)], "
                   "loss=softmax_cross_entropy, optimizer=adam(lr=0.01), random_state=0)"),
    "wgan_gp": "wgan_gp(n_steps=3, hidden=8, n_layers=2, batch_size=16, random_state=0)",
    "bernoulli_vae": "bernoulli_vae(latent_dim=2, channels=(2, 3), hidden=8, epochs=1, batch_size=8, random_state=0)",
    "word2vec": "word2vec(embedding_dim=8, epochs=1, window=2, random_state=0)",
}

#: ``{estimator name: {check name: reason}}``: checks that do not apply, each for a real
#: limitation of the algorithm. Mirrored in README.md ("scikit-learn compatibility").
EXPECTED_FAILED: dict[str, dict[str, str]] = {
    "random_forest": {"check_sample_weight_equivalence_on_dense_data":
                      "bootstrap samples rows, so a weight of 2 is not the same draw as a repeated row "
                      "(scikit-learn's own random forests expect this failure too)"},
    "lda": {"check_transformer_data_not_an_array":
            "a Python list is read as documents of token ids (LDA's list input), not as rows of a count matrix"},
}


def _spec(name: str) -> str:
    return CHECK_SPECS.get(name, name)


def _estimators():
    reg = mlcore.registry()
    out = []
    for name in reg.names("estimator"):
        out.append(mlcore.build(_spec(name)))
    return out


def _name_of(estimator) -> str:
    return mlcore.registry().entry_for(estimator).primary


ESTIMATORS = _estimators()

with warnings.catch_warnings():  # "does not inherit from BaseEstimator", "Can't test ..." at collection
    warnings.simplefilter("ignore")
    _PARAMETRIZE = parametrize_with_checks(
        ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED.get(_name_of(est), {}))


@_PARAMETRIZE
def test_sklearn_estimator_check(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the checks provoke convergence and conversion warnings on purpose
        check(estimator)


def test_every_registered_estimator_is_checked():
    names = {_name_of(e) for e in ESTIMATORS}
    assert names == set(mlcore.registry().names("estimator"))
    assert set(EXPECTED_FAILED) <= names, "EXPECTED_FAILED names an unregistered estimator"


def test_readme_lists_every_exemption():
    """Each expected failure appears, with its estimator, check and reason, in the README
    table; and the table lists nothing else."""
    text = Path(__file__).resolve().parents[1].joinpath("README.md").read_text(encoding="utf-8")
    section = text.split("## scikit-learn compatibility", 1)[1].split("\n## ", 1)[0]
    rows = set()
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("check_"):
            rows.add((cells[0], cells[1], cells[2]))
    wanted = {(est, check, reason) for est, checks in EXPECTED_FAILED.items() for check, reason in checks.items()}
    assert rows == wanted


def test_text_and_sequence_estimators_declare_their_input():
    """Estimators that take no 2-D numeric array say so in their tags (the checks then
    do not feed them matrices)."""
    for est in ESTIMATORS:
        tags = est.mlcore_tags()
        if not tags["two_d_array"]:
            assert tags["string"] or tags["one_d_array"] or tags["three_d_array"] or tags["categorical"], \
                f"{_name_of(est)} declares no input kind"


def test_hyperparameter_names_do_not_end_in_underscore():
    """``name_`` is learned state for scikit-learn (check_is_fitted): no component of any
    kind may take a hyperparameter spelled that way."""
    from mlcore.interfaces import constructor_params

    reg = mlcore.registry()
    bad = []
    for kind in reg.kinds():
        for name in reg.names(kind):
            target = reg.get(name, kind)
            bad += [f"{kind}/{name}: {p.name}" for p in constructor_params(target)
                    if p.name.endswith("_") and not p.name.startswith("_")]
    assert not bad


def test_sklearn_is_fitted_and_not_fitted_error():
    import numpy as np
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    for est in ESTIMATORS:
        assert est.__sklearn_is_fitted__() is False, _name_of(est)
        with pytest.raises(NotFittedError):
            check_is_fitted(est)
        if est.mlcore_tags()["two_d_array"] and hasattr(est, "predict"):
            with pytest.raises(NotFittedError):
                est.predict(np.ones((3, 4)))


#: (hyperparameter, invalid value): the first one an estimator has is set through set_params
_BAD_VALUES = [("alpha", -5), ("C", -1.0), ("n_components", -1), ("n_topics", 0), ("max_depth", -1), ("k", 0),
               ("n_hidden", 0), ("var_smoothing", -1.0), ("fit_intercept", "yes"), ("dtype", "float16"),
               ("latent_dim", 0), ("n_estimators", 0), ("with_mean", 3), ("max_iter", 0)]


def _bad_value(est):
    params = est.get_params(deep=False)
    return next(((p, v) for p, v in _BAD_VALUES if p in params), None)


@pytest.mark.parametrize("estimator", [e for e in ESTIMATORS if _bad_value(e) and e.mlcore_tags()["two_d_array"]],
                         ids=_name_of)
def test_set_params_invalid_fails_at_fit_like_build(estimator):
    """``set_params`` stores anything; the next ``fit`` refuses it with build's message."""
    import numpy as np

    from mlcore.errors import ComponentArgumentError

    param, value = _bad_value(estimator)
    name = _name_of(estimator)
    with pytest.raises(ComponentArgumentError) as at_build:
        mlcore.build(_spec(name), **{param: value})
    est = mlcore.build(_spec(name)).set_params(**{param: value})   # stored verbatim, no error
    assert est.get_params()[param] == value
    X = np.abs(np.random.default_rng(0).normal(size=(20, 3)))
    with pytest.raises(ComponentArgumentError) as at_fit:
        est.fit(X, np.arange(20) % 2)
    assert str(at_fit.value) == str(at_build.value)   # (the override is not in the spec text: no column)
    assert param in str(at_fit.value) and f"Signature: {name}(" in str(at_fit.value)


def test_build_points_at_the_bad_argument():
    from mlcore.errors import ComponentArgumentError

    with pytest.raises(ComponentArgumentError) as err:
        mlcore.build("ridge(fit_intercept=True, alpha=-5)")
    assert str(err.value).splitlines() == [
        "ridge(): alpha must be >= 0, got -5. Signature: ridge(alpha=1.0, fit_intercept: 'bool' = True) (column 27)",
        "  ridge(fit_intercept=True, alpha=-5)",
        "                            ^"]


def test_new_plugin_estimator_template_passes_the_checks(tmp_path):
    """The estimator ``mlcore new-plugin --kind estimator`` writes (built on the mixins)
    passes every scikit-learn check."""
    import importlib.util
    import sys

    from sklearn.utils.estimator_checks import check_estimator

    from mlcore._template import render

    files = render("centroid", "estimator")
    path = tmp_path / "component.py"
    path.write_text(files["src/mlcore_centroid/component.py"], encoding="utf-8")
    spec = importlib.util.spec_from_file_location("mlcore_template_centroid", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # importable by name, as an installed plugin is (pickling)
    spec.loader.exec_module(module)
    est = module.CentroidClassifier()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(est, on_fail=None)
    failed = [(r["check_name"], repr(r["exception"])[:300]) for r in results if r["status"] == "failed"]
    del sys.modules[spec.name]
    assert not failed
    assert len(results) > 40


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_name_of)
def test_constructor_and_set_params_store_anything(estimator):
    """Every estimator, also those scikit-learn's matrix checks skip (text, sequences):
    the constructor and ``set_params`` store values verbatim and raise nothing; the
    declared constraints catch a bad value at ``fit`` (or ``mlcore.build``)."""
    fresh = mlcore.build(_spec(_name_of(estimator)))   # ESTIMATORS are shared with the other tests
    odd = {k: -1 for k in fresh.get_params(deep=False)}
    est = type(fresh)(**odd)
    assert est.get_params(deep=False) == odd
    assert fresh.set_params(**odd) is fresh


def test_pipeline_tools_with_mlcore_estimators():
    """ColumnTransformer with an all-string object column (one_hot_encoder) beside a numeric
    one; clone, cross_val_score and GridSearchCV (two jobs) over a pipeline."""
    import numpy as np
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline

    X = np.array([["red", 1.0], ["blue", 2.0], ["red", 3.0], ["green", 4.0]], dtype=object)
    ct = ColumnTransformer([("oh", mlcore.build("one_hot_encoder"), [0]), ("sc", mlcore.build("standardizer"), [1])])
    Z = ct.fit_transform(X)
    np.testing.assert_allclose(Z[:, :3], [[0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]])   # blue, green, red
    np.testing.assert_allclose(Z[:, 3], (np.arange(1.0, 5.0) - 2.5) / np.std(np.arange(1.0, 5.0)))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    pipe = make_pipeline(mlcore.build("standardizer"), mlcore.build("logistic_regression"))
    assert clone(pipe).get_params()["logisticregression__C"] == 1.0
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.85
    search = GridSearchCV(pipe, {"logisticregression__C": [0.01, 10.0]}, cv=3, n_jobs=2).fit(X, y)
    assert search.best_params_ == {"logisticregression__C": 10.0}
