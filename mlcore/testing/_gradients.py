"""Finite-difference gradient checks for layers and losses."""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "check_layer_gradients", "check_loss_gradients"]


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` is perturbed in place one element at a time and restored, so ``f`` may read
    the array by reference (a layer parameter, for example). Costs ``2 * x.size``
    calls of ``f``.
    """
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"numerical_gradient needs a float array, got {x.dtype}")
    grad = np.empty(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient needs a contiguous array it can perturb in place")
    out = grad.reshape(-1)
    for i in range(flat.size):  # one perturbation per element: inherent to finite differences
        orig = flat[i]
        flat[i] = orig + eps
        fp = f()
        flat[i] = orig - eps
        fm = f()
        flat[i] = orig
        out[i] = (fp - fm) / (2 * eps)
    return grad


def check_layer_gradients(layer, X, *, rtol: float = 1e-5, atol: float = 1e-7, eps: float = 1e-6,
                          random_state=0, check_input: bool = True) -> None:
    """Assert that ``layer.backward`` matches central differences of ``forward``.

    The scalar checked is ``sum(forward(X) * R)`` for a fixed random ``R``, so every
    output element contributes. Works in float64; ``X`` is copied, never modified.

    Parameters
    ----------
    layer : Layer
        Must be deterministic between calls (use ``eval()`` or ``p=0`` for dropout).
    X : ndarray or tuple of ndarrays
        Input (a tuple for layers taking several inputs, such as ``add``).
    """
    rng = np.random.default_rng(random_state)
    multi = isinstance(X, (tuple, list))
    Xs = [np.array(x, dtype=np.float64, copy=True) for x in (X if multi else [X])]
    arg = (lambda: list(Xs)) if multi else (lambda: Xs[0])
    Y = layer.forward(arg())
    R = rng.standard_normal(np.shape(Y))

    def f():
        return float(np.sum(np.asarray(layer.forward(arg())) * R))

    layer.forward(arg())
    dX = layer.backward(R)
    analytic_params = {k: np.array(v, copy=True) for k, v in layer.grads.items()}
    if set(analytic_params) != set(layer.params):
        raise AssertionError(f"grads keys {sorted(analytic_params)} != params keys {sorted(layer.params)}")
    for name, p in layer.params.items():
        num = numerical_gradient(f, p, eps)
        np.testing.assert_allclose(analytic_params[name], num, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of parameter {name!r}")
    if check_input:
        dXs = dX if multi else [dX]
        for i, x in enumerate(Xs):
            num = numerical_gradient(f, x, eps)
            np.testing.assert_allclose(dXs[i], num, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")


def check_loss_gradients(loss, y_true, y_pred, *, rtol: float = 1e-5, atol: float = 1e-7,
                         eps: float = 1e-6) -> None:
    """Assert that ``loss.grad(y_true, y_pred)`` matches central differences of ``loss.loss``."""
    y_pred = np.array(y_pred, dtype=np.float64, copy=True)
    analytic = np.asarray(loss.grad(y_true, y_pred), dtype=np.float64)
    if analytic.shape != y_pred.shape:
        raise AssertionError(f"grad shape {analytic.shape} != y_pred shape {y_pred.shape}")
    num = numerical_gradient(lambda: float(loss.loss(y_true, y_pred)), y_pred, eps)
    np.testing.assert_allclose(analytic, num, rtol=rtol, atol=atol, err_msg="loss gradient")
