"""Core validation as scikit-learn users expect (issue 18), against scikit-learn's own
functions where it has them."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from mlcore import errors
from mlcore.validation import (
    check_array,
    check_classification_targets,
    check_sample_weight,
    column_or_1d,
    type_of_target,
)

TARGETS = [np.array([0, 1, 1]), np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 2.0]), np.array(["a", "b", "a"]),
           np.array(["a", "b", "c"], dtype=object), np.array([[1, 2], [3, 4]]), np.array([[0.5, 1.0], [2.0, 3.0]]),
           np.array([1, 2, 3], dtype=object), np.array([[1], [0], [1]])]


@pytest.mark.parametrize("y", TARGETS, ids=range(len(TARGETS)))
def test_type_of_target_matches_sklearn(y):
    from sklearn.utils.multiclass import type_of_target as sk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn casts inf to int
        expected = sk(y)
    if y.dtype == object and not isinstance(y[0], str):  # deliberate: integer labels in an object array
        expected = "multiclass"                          # are labels here (scikit-learn: "unknown")
    if expected == "multilabel-indicator":   # a 0/1 matrix: scikit-learn's own kind, classifiers here refuse it
        expected = "multiclass-multioutput"
    assert type_of_target(y) == expected


def test_not_fitted_error_is_sklearns_and_pickles():
    from sklearn.exceptions import NotFittedError

    exc = errors.NotFittedError("not fitted")
    assert isinstance(exc, NotFittedError) and isinstance(exc, errors.NotFittedError)
    assert isinstance(exc, ValueError) and isinstance(exc, AttributeError)
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc) and str(back) == "not fitted"


def test_column_vector_warns_with_sklearns_class():
    from sklearn.exceptions import DataConversionWarning

    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        y = column_or_1d(np.array([[1], [2]]))
    assert y.shape == (2,)
    assert issubclass(w[0].category, DataConversionWarning)
    assert issubclass(w[0].category, errors.DataConversionWarning)


def test_check_array_messages():
    assert check_array(np.array([[1, 2]], dtype=object)).dtype == np.float64
    with pytest.raises(ValueError, match="Complex data not supported"):
        check_array(np.array([[1 + 1j]]))
    with pytest.raises(TypeError, match="argument must be a string or a.* number"):
        check_array(np.array([[{"a": 1}]], dtype=object))
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(3, 0\)\) while a minimum of 1 is required"):
        check_array(np.zeros((3, 0)), ndim=2)
    with pytest.raises(ValueError, match=r"0 sample\(s\) \(shape=\(0, 2\)\)"):
        check_array(np.zeros((0, 2)), ndim=2)
    with pytest.raises(ValueError, match="Reshape your data"):
        check_array(np.zeros(3), ndim=2)
    with pytest.raises(TypeError, match="does not accept sparse input"):
        check_array(sp.csr_matrix(np.eye(2)))
    S = check_array(sp.coo_matrix(np.eye(2, dtype=int)), accept_sparse=True)
    assert S.format == "csr" and S.dtype == np.float64


def test_classification_targets_and_weights():
    assert check_classification_targets(np.array(["a", "b"], dtype=object)).dtype.kind == "U"
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        check_classification_targets(np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match="NaN or infinity"):
        check_classification_targets(np.array([0.0, np.inf]))
    np.testing.assert_array_equal(check_sample_weight(2.0, 3), [2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="weight.*zero"):
        check_sample_weight(np.zeros(3), 3)
    with pytest.raises(ValueError, match="non-negative"):
        check_sample_weight([1.0, -1.0], 2)
