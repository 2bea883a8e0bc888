"""sequential as a scikit-learn estimator (issue 18): partial_fit(classes=), more output
units than classes, 1-D X, non-finite targets, n_features_in_."""

import numpy as np
import pytest

import mlcore

NET = ("sequential(layers=[dense(n_out=8, act_fn=relu), dense(n_out={n_out})], loss=softmax_cross_entropy, "
       "optimizer=adam(lr=0.01), random_state=0)")


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)    # labels 0, 1, 2


def test_partial_fit_classes_declares_labels_missing_from_the_first_batch():
    X, y = _data()
    net = mlcore.build(NET.format(n_out=3))
    first = y != 2
    net.partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert net.classes_.tolist() == [0, 1, 2] and net.n_features_in_ == 4
    net.partial_fit(X, y)                              # label 2 is known: no error
    with pytest.raises(ValueError, match="labels not seen"):
        net.partial_fit(X[:2], np.array([0, 7]))


def test_more_output_units_than_classes_predicts_only_classes():
    X, y = _data()
    net = mlcore.build(NET.format(n_out=5)).fit(X, y, epochs=5)
    assert set(net.predict(X)) <= {0, 1, 2}
    P = net.predict_proba(X)
    assert P.shape == (len(X), 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)


def test_fewer_output_units_than_classes_is_refused():
    X, y = _data()
    with pytest.raises(ValueError, match="2 outputs but y has 3 classes"):
        mlcore.build(NET.format(n_out=2)).fit(X, y, epochs=1)


def test_bad_inputs_are_clear():
    X, y = _data()
    net = mlcore.build(NET.format(n_out=3))
    with pytest.raises(ValueError, match="Reshape your data"):
        net.fit(X[:, 0], y, epochs=1)
    with pytest.raises(ValueError, match="requires y to be passed"):
        net.fit(X, None, epochs=1)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        net.fit(X, X[:, 0], epochs=1)
    reg = mlcore.build("sequential(layers=[dense(n_out=1)], loss=squared_error, random_state=0)")
    with pytest.raises(ValueError, match="NaN or infinity"):
        reg.fit(X, np.full(len(X), np.inf), epochs=1)
    net.fit(X, y, epochs=1)
    with pytest.raises(ValueError, match="X has 3 features, but Sequential is expecting 4"):
        net.predict(X[:, :3])
