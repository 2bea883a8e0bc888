"""Losses against scikit-learn metrics and closed forms; gradients by central differences."""

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_squared_error

import mlcore
from mlcore.testing import check_loss_gradients

rng = np.random.default_rng(0)
LOGITS = rng.normal(size=(8, 4)) * 3
LABELS = rng.integers(0, 4, size=8)


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_softmax_cross_entropy_matches_sklearn_log_loss():
    """Reference: sklearn.metrics.log_loss on softmax probabilities; tolerance 1e-12."""
    p = _softmax(LOGITS)
    mean = mlcore.build("softmax_cross_entropy", kind="loss").loss(LABELS, LOGITS)
    total = mlcore.build("softmax_cross_entropy(reduction='sum')", kind="loss").loss(LABELS, LOGITS)
    assert mean == pytest.approx(log_loss(LABELS, p, labels=range(4)), rel=1e-12)
    assert total == pytest.approx(8 * mean, rel=1e-12)


def test_softmax_cross_entropy_one_hot_equals_labels_and_soft_targets():
    loss = mlcore.build("softmax_cross_entropy", kind="loss")
    onehot = np.eye(4)[LABELS]
    assert loss.loss(onehot, LOGITS) == pytest.approx(loss.loss(LABELS, LOGITS), rel=1e-14)
    np.testing.assert_allclose(loss.grad(onehot, LOGITS), loss.grad(LABELS, LOGITS), atol=1e-15)
    soft = rng.uniform(size=(8, 4))          # unnormalised targets: still a valid gradient
    check_loss_gradients(loss, soft, LOGITS)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    loss = mlcore.build("softmax_cross_entropy", kind="loss")
    z = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]])
    assert loss.loss(np.array([0, 0]), z) == pytest.approx(1e4 / 2, rel=1e-12)
    assert np.all(np.isfinite(loss.grad(np.array([0, 0]), z)))


def test_loss_and_grad_equal_separate_calls():
    loss = mlcore.build("softmax_cross_entropy", kind="loss")
    val, g = loss.loss_and_grad(LABELS, LOGITS)
    assert val == loss.loss(LABELS, LOGITS)
    np.testing.assert_allclose(g, loss.grad(LABELS, LOGITS), rtol=1e-14, atol=1e-16)


def test_cross_entropy_of_probabilities_matches_sklearn():
    p = _softmax(LOGITS)
    for red, scale in (("mean", 1), ("sum", 8)):
        val = mlcore.build(f"cross_entropy(reduction={red!r})", kind="loss").loss(LABELS, p)
        assert val == pytest.approx(scale * log_loss(LABELS, p, labels=range(4)), rel=1e-12)
    zero = np.array([[1.0, 0.0]])
    assert np.isfinite(mlcore.build("cross_entropy", kind="loss").loss(np.array([1]), zero))


def test_squared_error_matches_sklearn_mse():
    y, yp = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    assert mlcore.build("squared_error", kind="loss").loss(y, yp) == pytest.approx(mean_squared_error(y, yp), rel=1e-12)
    assert mlcore.build("squared_error(reduction='sum')", kind="loss").loss(y, yp) == \
        pytest.approx(18 * mean_squared_error(y, yp), rel=1e-12)


def test_binary_cross_entropy_matches_sklearn_and_clamps():
    y = rng.integers(0, 2, size=10).astype(float)
    p = rng.uniform(0.05, 0.95, size=10)
    bce = mlcore.build("binary_cross_entropy", kind="loss")
    assert bce.loss(y, p) == pytest.approx(log_loss(y, p), rel=1e-12)
    # PyTorch clamps the logs at -100: p = 0 with y = 1 costs 100, not inf
    assert bce.loss(np.array([1.0]), np.array([0.0])) == pytest.approx(100.0)
    with pytest.raises(ValueError):
        bce.loss(y, p + 1)


@pytest.mark.parametrize("text, y, yp", [
    ("squared_error", rng.normal(size=(5, 3)), rng.normal(size=(5, 3))),
    ("squared_error(reduction='sum')", rng.normal(size=(5, 3)), rng.normal(size=(5, 3))),
    ("softmax_cross_entropy", LABELS, LOGITS),
    ("softmax_cross_entropy(reduction='sum')", LABELS, LOGITS),
    ("cross_entropy", LABELS, _softmax(LOGITS)),
    ("cross_entropy(reduction='sum')", np.eye(4)[LABELS], _softmax(LOGITS)),
    ("binary_cross_entropy", rng.integers(0, 2, (5, 2)).astype(float), rng.uniform(0.1, 0.9, (5, 2))),
    ("binary_cross_entropy(reduction='sum')", rng.uniform(size=(5, 2)), rng.uniform(0.1, 0.9, (5, 2))),
])
def test_gradients_match_central_differences(text, y, yp):
    """Reference: mlcore.testing.check_loss_gradients (central differences, rtol 1e-5)."""
    check_loss_gradients(mlcore.build(text, kind="loss"), y, yp)


def test_bad_targets_raise():
    loss = mlcore.build("softmax_cross_entropy", kind="loss")
    with pytest.raises(ValueError, match="labels must lie"):
        loss.loss(np.array([0, 5]), np.zeros((2, 3)))
    with pytest.raises(ValueError):
        loss.loss(np.array([0, 1, 2]), np.zeros((2, 3)))
    with pytest.raises(ValueError):
        loss.loss(np.zeros((2, 4)), np.zeros((2, 3)))
    from mlcore.errors import ComponentArgumentError

    with pytest.raises(ComponentArgumentError):
        mlcore.build("squared_error(reduction='avg')", kind="loss")
