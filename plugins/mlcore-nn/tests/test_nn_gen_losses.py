"""vae_loss, wgan_gp_loss (incl. the gradient penalty's parameter gradient by double
backpropagation) and nce_loss against central finite differences (mlcore.testing,
rtol 1e-5 / atol 1e-7) and closed forms."""

import numpy as np
import pytest
from mlcore_nn.losses_generative import critic_gradient_penalty

import mlcore
from mlcore.testing import check_component, check_loss_gradients, numerical_gradient


@pytest.mark.parametrize("spec", ["vae_loss", "vae_loss(from_logits=True)", "wgan_gp_loss(lambda_gp=5.0)",
                                  "nce_loss", "nce_loss(reduction='sum')"])
def test_generative_losses_conform_and_match_finite_differences(spec, tmp_path):
    check_component(spec, tmp_path=tmp_path)
    loss = mlcore.build(spec)
    ex = type(loss).conformance_example()
    check_loss_gradients(loss, ex["y_true"], ex["y_pred"])


def test_vae_loss_closed_form():
    """Reference: BCE and the Gaussian KL written out for one example."""
    x = np.array([[1.0, 0.0, 0.5]])
    p = np.array([[0.8, 0.3, 0.5]])
    mu, lv = np.array([[0.5, -1.0]]), np.array([[0.2, -0.3]])
    bce = -(np.log(0.8) + np.log(0.7) + 0.5 * np.log(0.5) + 0.5 * np.log(0.5))
    kl = 0.5 * sum(np.exp(v) + m * m - 1 - v for m, v in zip(mu[0], lv[0]))
    loss = mlcore.build("vae_loss")
    assert loss.loss(x, np.hstack([p, mu, lv])) == pytest.approx(bce + kl, rel=1e-12)
    logits = np.log(p / (1 - p))
    assert mlcore.build("vae_loss(from_logits=True)").loss(x, np.hstack([logits, mu, lv])) == \
        pytest.approx(bce + kl, rel=1e-12)


def test_nce_loss_with_log_noise_gradient():
    rng = np.random.default_rng(1)
    s = rng.normal(size=(3, 4))
    y = np.zeros((3, 4))
    y[:, 0] = 1
    logq = np.log(rng.uniform(0.01, 0.5, size=(3, 4)) * 3)
    loss = mlcore.build("nce_loss")
    num = numerical_gradient(lambda: loss.loss(y, s, log_noise=logq), s)
    np.testing.assert_allclose(loss.grad(y, s, log_noise=logq), num, rtol=1e-6, atol=1e-9)
    # negative sampling closed form: -log sigmoid(s_true) - sum log sigmoid(-s_noise)
    ref = np.mean(-np.log(1 / (1 + np.exp(-s[:, 0]))) - np.log(1 / (1 + np.exp(s[:, 1:]))).sum(axis=1))
    assert loss.loss(y, s) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("acts", [("tanh", "softplus", None), ("sigmoid", "elu", "tanh"), ("gelu", None, None)])
def test_gradient_penalty_parameter_gradient_matches_finite_differences(acts):
    rng = np.random.default_rng(2)
    sizes = [3, 5, 4, 1]
    layers = []
    for i, a in enumerate(acts):
        spec = f"dense(n_out={sizes[i + 1]}" + (f", act_fn={a}" if a else "") + f", random_state={i})"
        layer = mlcore.build(spec)
        layer.initialize((sizes[i],))
        layer.params["b"] += rng.normal(size=layer.params["b"].shape) * 0.3
        layers.append(layer)
    X = rng.normal(size=(6, 3))
    _pen, grads, G = critic_gradient_penalty(layers, X, lambda_=3.0)
    # G against finite differences of the critic output
    def critic(x):
        a = x
        for layer in layers:
            a = layer.act.fn(a @ layer.params["W"] + layer.params["b"])
        return a
    Xc = X.copy()
    for i in range(len(X)):
        num = numerical_gradient(lambda i=i: float(critic(Xc[i:i + 1]).sum()), Xc[i])
        np.testing.assert_allclose(G[i], num, rtol=1e-6, atol=1e-9)
    for layer, g in zip(layers, grads):
        for k in ("W", "b"):
            num = numerical_gradient(lambda: critic_gradient_penalty(layers, X, 3.0)[0], layer.params[k])
            np.testing.assert_allclose(g[k], num, rtol=1e-5, atol=1e-8, err_msg=k)


def test_wgan_loss_signs():
    loss = mlcore.build("wgan_gp_loss")
    s = np.array([3.0, 1.0, -1.0])
    y = np.array([1, 0, 0])
    assert loss.loss(y, s) == pytest.approx(0.0 - 3.0)
    np.testing.assert_allclose(loss.grad(y, s), [-1.0, 0.5, 0.5])
    with pytest.raises(ValueError):
        loss.loss(np.array([1, 1, 1]), s)
