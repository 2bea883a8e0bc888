"""Recurrent layers and cells: finite-difference gradients (reference: central differences,
rtol 1e-5 / atol 1e-7, mlcore.testing.check_layer_gradients), conformance, reuse."""

import numpy as np
import pytest

import mlcore
from mlcore.testing import check_component, check_layer_gradients, numerical_gradient

SPECS = ["rnn(n_out=3, random_state=0)", "rnn(n_out=3, nonlinearity='relu', return_sequences=False, random_state=1)",
         "lstm(n_out=3, random_state=0)", "lstm(n_out=2, return_sequences=False, init=glorot_uniform, random_state=2)",
         "rnn_cell(n_out=3, random_state=0)", "lstm_cell(n_out=3, random_state=0)"] + [
    f"bidirectional_lstm(n_out=2, merge_mode='{m}', random_state=0)" for m in ("concat", "sum", "average", "multiply")
] + ["bidirectional_lstm(n_out=2, merge_mode='concat', return_sequences=False, random_state=0)"]


def _input(spec, rng):
    return rng.normal(size=(3, 4)) if "cell" in spec else rng.normal(size=(2, 5, 3))


@pytest.mark.parametrize("spec", SPECS)
def test_recurrent_gradients_match_finite_differences(spec):
    rng = np.random.default_rng(0)
    layer = mlcore.build(spec)
    X = _input(spec, rng)
    layer.forward(X)
    for v in layer.params.values():      # non-zero biases so every term is exercised
        v += 0.1 * rng.normal(size=v.shape)
    check_layer_gradients(layer, X)


@pytest.mark.parametrize("spec", ["lstm(n_out=3, random_state=0)", "rnn(n_out=3, random_state=0)",
                                  "bidirectional_lstm(n_out=2, random_state=0)"])
def test_initial_state_gradients_match_finite_differences(spec):
    rng = np.random.default_rng(1)
    layer = mlcore.build(spec)
    X = rng.normal(size=(2, 4, 3))
    bi = "bidirectional" in spec
    shape = (2, 2, layer.n_out) if bi else (2, layer.n_out)
    states = [rng.normal(size=shape) for _ in range(1 if spec.startswith("rnn") else 2)]
    Y = layer.forward(X, *states)
    R = rng.normal(size=Y.shape)
    layer.backward(R)
    f = lambda: float((layer.forward(X, *states) * R).sum())
    for s, g in zip(states, layer.state_grads):
        np.testing.assert_allclose(g, numerical_gradient(f, s), rtol=1e-6, atol=1e-8)


def test_lstm_cell_unrolled_equals_lstm_layer():
    """Reference: the full-sequence layer (itself checked against finite differences and torch)."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 6, 4))
    seq = mlcore.build("lstm(n_out=5, random_state=0)")
    cell = mlcore.build("lstm_cell(n_out=5, random_state=0)")
    Y = seq.forward(X)
    cell.initialize((4,))
    cell.params = {k: v.copy() for k, v in seq.params.items()}
    for _ in range(3):       # same instance, several sequences: the tape restarts each time
        h = c = None
        hs = []
        for t in range(6):
            h = cell.forward(X[:, t], h, c)
            c = cell.last_state[1]
            hs.append(h)
        np.testing.assert_allclose(np.stack(hs, 1), Y, atol=1e-13)
        R = rng.normal(size=Y.shape)
        dX_seq = seq.backward(R)
        dX = np.empty_like(X)
        dh = dc = 0
        for t in reversed(range(6)):
            dX[:, t] = cell.backward(R[:, t] + dh, dc)
            dh, dc = cell.state_grads
        np.testing.assert_allclose(dX, dX_seq, atol=1e-12)
        for k in seq.grads:
            np.testing.assert_allclose(cell.grads[k], seq.grads[k], atol=1e-12)


def test_eval_mode_forward_needs_no_backward_state_and_matches_training():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 4, 3))
    layer = mlcore.build("lstm(n_out=3, random_state=0)")
    Y = layer.forward(X)
    np.testing.assert_array_equal(layer.eval().forward(X), Y)
    with pytest.raises(RuntimeError):
        layer.backward(np.ones_like(Y))


def test_bad_inputs_raise():
    layer = mlcore.build("lstm(n_out=3, random_state=0)")
    with pytest.raises(ValueError):
        layer.forward(np.zeros((2, 3)))
    layer.forward(np.zeros((2, 4, 3)))
    with pytest.raises(ValueError):
        layer.forward(np.zeros((2, 4, 5)))
    with pytest.raises(ValueError):
        layer.forward(np.zeros((2, 4, 3)), h0=np.zeros((3, 3)))
    with pytest.raises(mlcore.errors.ComponentArgumentError):
        mlcore.build("bidirectional_lstm(n_out=3, merge_mode='max')")


@pytest.mark.parametrize("spec", SPECS[:2] + SPECS[2:4] + SPECS[4:6] + SPECS[6:8])
def test_recurrent_conformance(spec, tmp_path):
    check_component(spec, tmp_path=tmp_path)
