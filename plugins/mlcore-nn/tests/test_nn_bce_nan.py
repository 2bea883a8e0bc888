"""binary_cross_entropy rejects NaN probabilities, as torch.nn.BCELoss (issue 22, section 2).

The range check ``p.min() < 0 or p.max() > 1`` is False for NaN, so NaN probabilities
used to flow through to a NaN loss and gradient.
"""

import numpy as np
import pytest

import mlcore

Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
P = np.array([[0.9, 0.2], [0.3, 0.6], [0.5, 0.99]])


@pytest.mark.parametrize("method", ["loss", "grad"])
@pytest.mark.parametrize("bad", [np.nan, -0.1, 1.5, np.inf])
def test_invalid_probabilities_raise(method, bad):
    loss = mlcore.build("binary_cross_entropy", kind="loss")
    p = P.copy()
    p[1, 0] = bad
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*y_pred"):
        getattr(loss, method)(Y, p)


def test_nan_target_raises_and_valid_input_is_unchanged():
    loss = mlcore.build("binary_cross_entropy", kind="loss")
    y = Y.copy()
    y[0, 1] = np.nan
    with pytest.raises(ValueError, match="finite targets"):
        loss.loss(y, P)
    ref = -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P))
    assert loss.loss(Y, P) == pytest.approx(ref, rel=1e-12)
