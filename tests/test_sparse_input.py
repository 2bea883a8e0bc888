"""Sparse input (issue 18): every estimator whose tags say ``sparse`` fits and predicts
on CSR and CSC matrices without densifying them, with the results of the dense fit;
every other 2-D estimator refuses sparse input with a message that says so."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import mlcore


def _estimators():
    reg = mlcore.registry()
    out = []
    for name in reg.names("estimator"):
        cls = reg.get(name, "estimator")
        example = cls.conformance_example() if hasattr(cls, "conformance_example") else {}
        out.append((name, example.get("spec", name)))
    return out


def _tags(spec):
    return mlcore.build(spec).mlcore_tags()


SPARSE = [(n, s) for n, s in _estimators() if _tags(s)["sparse"]]
DENSE_ONLY = [(n, s) for n, s in _estimators() if _tags(s)["two_d_array"] and not _tags(s)["sparse"]]


def _data():
    rng = np.random.default_rng(0)
    X = rng.poisson(0.8, size=(60, 6)).astype(float)          # counts: mostly zeros
    X[:, 0] += 1.0                                           # no empty document / row
    return X, X @ [1.0, -2.0, 0.5, 0.0, 1.0, 0.3] + 0.1 * rng.normal(size=60)


def _target(est, X, y):
    return (y > np.median(y)).astype(int) if est._estimator_type == "classifier" else y


def _no_densify(S):
    def refuse(*args, **kwargs):
        raise AssertionError("the estimator densified its sparse input")

    S.toarray = S.todense = refuse
    return S


def _outputs(est, X):
    out = {}
    for method in ("predict", "predict_proba", "transform", "decision_function"):
        if hasattr(est, method):
            res = getattr(est, method)(X)
            out[method] = res.toarray() if sp.issparse(res) else np.asarray(res)
    return out


def test_the_issue_list_is_declared():
    names = {n for n, _ in SPARSE}
    assert {"logistic_regression", "linear_regression", "ridge", "gaussian_nb", "knn"} <= names
    assert mlcore.build("standardizer(with_mean=False)").mlcore_tags()["sparse"]
    assert not mlcore.build("standardizer").mlcore_tags()["sparse"]


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("name,spec", SPARSE + [("standardizer", "standardizer(with_mean=False)")])
def test_sparse_fit_equals_dense_fit_without_densifying(name, spec, fmt):
    X, y = _data()
    dense = mlcore.build(spec)
    y = _target(dense, X, y)
    dense.fit(X, y) if dense.mlcore_tags()["requires_y"] else dense.fit(X)
    est = mlcore.build(spec)
    S = _no_densify(sp.csr_matrix(X).asformat(fmt))
    est.fit(S, y) if est.mlcore_tags()["requires_y"] else est.fit(S)
    want, got = _outputs(dense, X), _outputs(est, _no_densify(sp.csr_matrix(X).asformat(fmt)))
    assert want.keys() == got.keys() and want
    for method in want:
        np.testing.assert_allclose(got[method], want[method], rtol=1e-6, atol=1e-8, err_msg=f"{name}.{method}")


@pytest.mark.parametrize("name,spec", DENSE_ONLY)
def test_other_estimators_refuse_sparse_input_clearly(name, spec):
    X, y = _data()
    est = mlcore.build(spec)
    with pytest.raises(TypeError, match="does not accept sparse input"):
        est.fit(sp.csr_matrix(X), _target(est, X, y)) if est.mlcore_tags()["requires_y"] else est.fit(sp.csr_matrix(X))
