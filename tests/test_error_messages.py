"""Errors a user can act on (issue 22, section 6): each names the argument and the expected
and received shape or value. The layer-wide cases (empty batch, wrong rank) are in the
conformance kit (``mlcore.testing.check_layer_input_errors``) and run for every layer."""

import numpy as np
import pytest

import mlcore
from mlcore import _catalog


def test_unknown_name_never_doubles_punctuation(monkeypatch):
    reg = mlcore.registry()
    monkeypatch.setattr(_catalog, "providers", lambda name, kind: [("mlcore-absent", "estimator")])
    msg = str(reg._unknown("glmx", None))
    assert "did you mean glm" in msg and "pip install mlcore-absent" in msg
    assert "?." not in msg and ".." not in msg


def test_suggestions_never_repeat_the_name_typed():
    pytest.importorskip("mlcore_linear")
    pytest.importorskip("mlcore_optim")
    with pytest.raises(mlcore.errors.UnknownComponentError) as info:
        mlcore.build("optim/glm")          # glm exists, but not in the plugin named
    assert "glm" not in info.value.suggestions
    assert "did you mean glm" not in str(info.value)


def test_multinomial_hmm_negative_symbol():
    pytest.importorskip("mlcore_hmm")
    with pytest.raises(ValueError) as info:
        mlcore.build("multinomial_hmm(n_states=2, random_state=0)").fit(np.array([0, 1, -1, 2]))
    msg = str(info.value)
    assert "0..-1" not in msg and ">= 0" in msg and "-1..2" in msg


def test_gmm_covariances_init_not_positive_definite():
    pytest.importorskip("mlcore_gmm")
    X = np.random.default_rng(0).normal(size=(50, 2))
    cov = [[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]]   # eigenvalues 3 and -1
    with pytest.raises(ValueError) as info:
        mlcore.build("gmm(n_components=2, random_state=0)", covariances_init=cov).fit(X)
    msg = str(info.value)
    assert "covariances_init" in msg and "positive definite" in msg and "[1]" in msg and "-1.0" in msg
    assert "collapsed" not in msg


def test_mel_filterbank_warns_about_all_zero_filters():
    mel = pytest.importorskip("mlcore_preprocessing.mel")
    with pytest.warns(UserWarning, match=r"n_filters=40.*N=64"):
        fb = mel.mel_filterbank(64, 40, fs=16000)
    assert (~fb.any(axis=1)).sum() > 0            # the warning is about real all-zero rows
    fb = mel.mel_filterbank(512, 40, fs=16000)    # enough bins: no warning (filterwarnings=error)
    assert fb.any(axis=1).all()


@pytest.mark.parametrize("mask_shape", [(3,), (5, 4), (2, 3, 4, 4)])
def test_dot_product_attention_mask_shape(mask_shape):
    pytest.importorskip("mlcore_nn")
    att = mlcore.build("dot_product_attention")
    Q = np.zeros((2, 4, 6))
    with pytest.raises(ValueError) as info:
        att.forward(Q, mask=np.ones(mask_shape, dtype=bool))
    assert "mask" in str(info.value) and str(mask_shape) in str(info.value) and "(2, 4, 4)" in str(info.value)


@pytest.mark.parametrize("n_heads", [1, 2])
def test_fully_masked_query_row_gives_zeros_like_torch_sdpa(n_heads):
    """torch >= 2.5 ``scaled_dot_product_attention``: a query with every key masked outputs 0."""
    pytest.importorskip("mlcore_nn")
    rng = np.random.default_rng(0)
    Q = rng.normal(size=(2, 3, 4))
    mask = np.ones((3, 3), dtype=bool)
    mask[1] = False                                   # query 1 may attend to nothing
    att = mlcore.build(f"dot_product_attention(n_heads={n_heads})")
    Y = att.forward(Q, Q, Q, mask=mask)
    assert np.isfinite(Y).all()
    np.testing.assert_array_equal(Y[:, 1], 0.0)
    ref = mlcore.build(f"dot_product_attention(n_heads={n_heads})").forward(Q[:, [0, 2]], Q, Q,
                                                                            mask=mask[[0, 2]])
    np.testing.assert_allclose(Y[:, [0, 2]], ref, rtol=1e-14)   # other rows unaffected
    dQ, dK, dV = att.backward(np.ones_like(Y))
    assert np.isfinite(dQ).all() and np.isfinite(dK).all() and np.isfinite(dV).all()
    np.testing.assert_array_equal(dQ[:, 1], 0.0)
