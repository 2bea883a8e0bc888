"""wgan_gp: generated samples cover every mode of a 2-D mixture of 4 Gaussians (reference:
the planted mode centres; a mode is covered when >= 3 % of 2000 samples fall within 5 sigma
of it), the generator gradient flows through the critic (numpy-ml defect 31), conformance."""

import numpy as np
from mlcore_nn.models import _common as C

import mlcore
from mlcore.testing import check_component


def _mixture(K=4, n=2000, seed=0):
    rng = np.random.default_rng(seed)
    ang = 2 * np.pi * np.arange(K) / K
    centres = 2 * np.c_[np.cos(ang), np.sin(ang)]
    return centres, centres[rng.integers(0, K, n)] + 0.1 * rng.normal(size=(n, 2))


def _one_blas_thread():
    """Tiny GEMMs: one BLAS thread is faster (and the test machine is shared)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:   # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1)


def test_wgan_gp_covers_every_mode_of_a_gaussian_mixture():
    centres, X = _mixture()
    with _one_blas_thread():
            gan = mlcore.build("wgan_gp(n_steps=500, hidden=32, n_layers=2, learning_rate=0.002, batch_size=128, "
                           "random_state=0)").fit(X)
    S = gan.sample(2000, random_state=1)
    d = np.linalg.norm(S[:, None] - centres[None], axis=2)
    near = d.min(axis=1) < 0.5
    counts = np.bincount(d.argmin(axis=1)[near], minlength=len(centres))
    assert np.all(counts >= 0.03 * len(S)), counts
    assert len(gan.history_["generator_loss"]) == 500


def test_generator_gradient_goes_through_the_critic():
    """Scaling the critic's output layer by 10 scales the generator's gradients by 10."""
    _, X = _mixture(n=64)
    gan = mlcore.build("wgan_gp(n_steps=2, hidden=8, n_layers=2, batch_size=16, random_state=0)").fit(X)
    z = np.random.default_rng(0).standard_normal((16, gan.latent_dim))

    def gen_grads():
        fake = C.forward(gan.generator_, z)
        s = C.forward(gan.critic_, fake)
        C.backward(gan.generator_, C.backward(gan.critic_, np.full(s.shape, -1.0 / len(s))))
        return [{k: v.copy() for k, v in layer.grads.items()} for layer in gan.generator_]

    g1 = gen_grads()
    gan.critic_[-1].params["W"] *= 10
    g2 = gen_grads()
    for a, b in zip(g1, g2):
        for k in a:
            np.testing.assert_allclose(b[k], 10 * a[k], rtol=1e-10, atol=1e-14)
    last = g1[-1]["W"]
    assert not np.allclose(last, last[:, :1])        # columns differ (numpy-ml's were identical)


def test_wgan_gp_conformance(tmp_path):
    check_component("wgan_gp(n_steps=3, hidden=8, n_layers=2, batch_size=16, random_state=0)", tmp_path=tmp_path)
