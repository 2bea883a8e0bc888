"""Activations: values against closed forms (SciPy / NumPy), derivatives against central
differences, stability for large inputs, dtype, spec round trips."""

import math

import numpy as np
import pytest
from scipy import special

import mlcore

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805

# spec -> independent closed form (SciPy special functions or plain NumPy)
REFERENCE = {
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu(alpha=0.2)": lambda z: np.where(z > 0, z, 0.2 * z),
    "elu(alpha=0.7)": lambda z: np.where(z > 0, z, 0.7 * (np.exp(z) - 1)),
    "selu": lambda z: SELU_S * np.where(z > 0, z, SELU_A * (np.exp(z) - 1)),
    "gelu": lambda z: 0.5 * z * (1 + special.erf(z / math.sqrt(2))),
    "gelu(approximate=True)": lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3))),
    "sigmoid": special.expit,
    "tanh": np.tanh,
    "softplus": lambda z: np.logaddexp(0, z),
    "affine(slope=2.5, intercept=-1.0)": lambda z: 2.5 * z - 1.0,
    "identity": lambda z: z,
    "exponential": np.exp,
    "hard_sigmoid": lambda z: np.minimum(np.maximum(z + 3, 0), 6) / 6,
    "hard_sigmoid(slope=0.2)": lambda z: np.clip(0.2 * z + 0.5, 0, 1),
    "silu": lambda z: z * special.expit(z),
}
SPECS = list(REFERENCE)


def _z(spec):
    """Test points away from the kinks (0 for ReLU-like, +-3 / +-2.5 for hard sigmoid)."""
    z = np.random.default_rng(1).uniform(-4, 4, size=200)
    z = z[(np.abs(z) > 1e-2) & (np.abs(np.abs(z) - 3) > 1e-2) & (np.abs(np.abs(z) - 2.5) > 1e-2)]
    return z[:180].reshape(-1, 5)


@pytest.mark.parametrize("spec", SPECS)
def test_fn_matches_closed_form(spec):
    """Reference: SciPy/NumPy closed forms; tolerance 1e-12 relative."""
    act = mlcore.build(spec, kind="activation")
    z = _z(spec)
    np.testing.assert_allclose(act.fn(z), REFERENCE[spec](z), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(act(z), act.fn(z), rtol=0, atol=0)


@pytest.mark.parametrize("spec", SPECS)
def test_grad_and_grad2_match_central_differences(spec):
    """Reference: central differences (h = 1e-6) of fn and of grad; tolerance 1e-6."""
    act = mlcore.build(spec, kind="activation")
    z = _z(spec)
    h = 1e-6
    np.testing.assert_allclose(act.grad(z), (act.fn(z + h) - act.fn(z - h)) / (2 * h), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(act.grad2(z), (act.grad(z + h) - act.grad(z - h)) / (2 * h), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spec", SPECS)
def test_large_inputs_are_stable(spec):
    """No overflow warning (warnings are errors in this suite) and finite, correct limits."""
    act = mlcore.build(spec, kind="activation")
    z = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])
    for f in (act.fn, act.grad, act.grad2):
        out = f(z)
        if spec != "exponential":
            assert np.all(np.isfinite(out)), (spec, f.__name__, out)
    if spec in ("sigmoid", "softplus", "silu"):
        assert act.grad(np.array([-1e4]))[0] == 0.0


@pytest.mark.parametrize("spec", SPECS)
def test_float32_in_float32_out_and_ints_promoted(spec):
    act = mlcore.build(spec, kind="activation")
    z = _z(spec).astype(np.float32)
    for f in (act.fn, act.grad, act.grad2):
        assert f(z).dtype == np.float32
    assert act.fn(np.array([1, 2])).dtype == np.float64


def test_input_not_modified():
    z = np.linspace(-3, 3, 7)
    before = z.copy()
    for spec in SPECS:
        act = mlcore.build(spec, kind="activation")
        act.fn(z), act.grad(z), act.grad2(z)
    np.testing.assert_array_equal(z, before)


@pytest.mark.parametrize("text", ["gelu(approximate=True)", "elu(alpha=0.5)", "hard_sigmoid",
                                  "leaky_relu(alpha=0.3)", "affine(slope=2.0, intercept=1.0)", "silu"])
def test_spec_round_trip(text):
    """numpy-ml could not parse its own GELU, ELU and HardSigmoid strings."""
    act = mlcore.build(text, kind="activation")
    assert mlcore.to_spec(act) == text
    assert mlcore.to_spec(mlcore.build(mlcore.to_spec(act, full=True), kind="activation"), full=True) == \
        mlcore.to_spec(act, full=True)


def test_gelu_flag_is_honoured():
    """numpy-ml forced approximate=True; here the two differ (by up to ~5e-4)."""
    z = np.linspace(-3, 3, 13)
    exact = mlcore.build("gelu", kind="activation").fn(z)
    approx = mlcore.build("gelu(approximate=True)", kind="activation").fn(z)
    assert 1e-5 < np.max(np.abs(exact - approx)) < 1e-3


def test_relu_derivative_at_zero_is_zero_like_pytorch():
    assert mlcore.build("relu", kind="activation").grad(np.array([0.0]))[0] == 0.0


def test_gains_follow_calculate_gain_table():
    """torch.nn.init.calculate_gain: relu sqrt(2), tanh 5/3, selu 3/4, leaky sqrt(2/(1+a^2)), else 1."""
    b = lambda s: mlcore.build(s, kind="activation").gain
    assert b("relu") == pytest.approx(math.sqrt(2))
    assert b("tanh") == pytest.approx(5 / 3)
    assert b("selu") == pytest.approx(0.75)
    assert b("leaky_relu(alpha=0.2)") == pytest.approx(math.sqrt(2 / (1 + 0.04)))
    assert b("sigmoid") == b("identity") == 1.0


def test_bad_hyperparameters_raise():
    from mlcore.errors import ComponentArgumentError

    for text in ("leaky_relu(alpha=-1)", "gelu(approximate='yes')", "hard_sigmoid(slope=0)"):
        with pytest.raises(ComponentArgumentError):
            mlcore.build(text, kind="activation")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_backprop_matches_where_bitwise(dtype):
    """Reference: ``np.where(z > 0, dY, 0)`` (torch's threshold_backward rule), compared bit
    for bit, including NaN/inf in dY, z = 0, z = -0.0, NaN z and non-contiguous inputs."""
    from mlcore_nn.activations.elementwise import ReLU

    rng = np.random.default_rng(0)
    z = rng.standard_normal((9, 6)).astype(dtype)
    z[0, :3] = [0.0, np.nan, -0.0]
    dY = rng.standard_normal((9, 6)).astype(dtype)
    dY[1], dY[2], dY[3] = np.nan, np.inf, -0.0
    bits = f"i{np.dtype(dtype).itemsize}"
    for a, b in ((dY, z), (dY.T, z.T), (dY[::2], z[::2])):
        got = ReLU().backprop(a, b)
        want = np.where(b > 0, a, 0).astype(dtype)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got.view(bits), want.view(bits))
    before = dY.copy()
    ReLU().backprop(dY, z)
    assert np.array_equal(dY.view(bits), before.view(bits))      # the caller's dY is not modified
