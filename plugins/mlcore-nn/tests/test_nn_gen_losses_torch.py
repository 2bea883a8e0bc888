"""WGAN-GP gradient penalty (value, dD/dx and its parameter gradient by double backprop)
against torch autograd with create_graph=True, and vae_loss against torch's BCE + KL;
float64, tolerance 1e-10."""

import numpy as np
import pytest
from mlcore_nn.losses_generative import critic_gradient_penalty

import mlcore

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
F = torch.nn.functional
TORCH_ACT = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": F.softplus,
             "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "elu": F.elu, None: lambda z: z}


@pytest.mark.parametrize("acts", [("relu", "relu", "relu", None), ("tanh", "softplus", None),
                                  ("leaky_relu", "elu", "sigmoid")])
def test_gradient_penalty_gradient_matches_torch_autograd(acts):
    rng = np.random.default_rng(0)
    sizes = [2] + [8] * (len(acts) - 1) + [1]
    layers = []
    for i, a in enumerate(acts):
        layer = mlcore.build(f"dense(n_out={sizes[i + 1]}" + (f", act_fn={a}" if a else "") + f", random_state={i})")
        layer.initialize((sizes[i],))
        layer.params["b"] += 0.2 * rng.normal(size=sizes[i + 1])
        layers.append(layer)
    real, fake = rng.normal(size=(16, 2)), rng.normal(size=(16, 2))
    eps = rng.random((16, 1))
    X = eps * real + (1 - eps) * fake
    pen, grads, G = critic_gradient_penalty(layers, X, lambda_=10.0)
    tp = [(torch.from_numpy(layer.params["W"].copy()).requires_grad_(True),
           torch.from_numpy(layer.params["b"].copy()).requires_grad_(True)) for layer in layers]
    Xt = torch.from_numpy(X).requires_grad_(True)
    a = Xt
    for (W, b), name in zip(tp, acts):
        a = TORCH_ACT[name](a @ W + b)
    (Gt,) = torch.autograd.grad(a.sum(), Xt, create_graph=True)
    pt = 10.0 * ((Gt.norm(dim=1) - 1) ** 2).mean()
    pt.backward()
    np.testing.assert_allclose(G, Gt.detach().numpy(), rtol=1e-10, atol=1e-10)
    assert pen == pytest.approx(pt.item(), rel=1e-10, abs=1e-10)
    for g, (W, b) in zip(grads, tp):
        for ours, t in ((g["W"], W), (g["b"], b)):   # grad None: the penalty does not depend on it
            ref = np.zeros_like(ours) if t.grad is None else t.grad.numpy()
            np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


def test_vae_loss_and_gradient_match_torch():
    rng = np.random.default_rng(1)
    n, D, L = 5, 7, 3
    X = rng.random((n, D))
    z, mu, lv = rng.normal(size=(n, D)), rng.normal(size=(n, L)), rng.normal(scale=0.5, size=(n, L))
    pred = np.hstack([z, mu, lv])
    loss = mlcore.build("vae_loss(from_logits=True)")
    tz, tmu, tlv = (torch.from_numpy(a.copy()).requires_grad_(True) for a in (z, mu, lv))
    tl = (F.binary_cross_entropy_with_logits(tz, torch.from_numpy(X), reduction="sum")
          - 0.5 * torch.sum(1 + tlv - tmu ** 2 - tlv.exp())) / n
    tl.backward()
    assert loss.loss(X, pred) == pytest.approx(tl.item(), rel=1e-12)
    g = loss.grad(X, pred)
    np.testing.assert_allclose(g, np.hstack([tz.grad.numpy(), tmu.grad.numpy(), tlv.grad.numpy()]),
                               rtol=1e-10, atol=1e-12)
