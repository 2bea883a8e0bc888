"""bernoulli_vae on the bundled 8x8 digits: the ELBO improves during training and on held-out
digits, and reconstructions beat the mean training image (reference: mean image, MSE);
the reparameterisation uses the standard deviation (closed-form check); conformance."""

import numpy as np
from mlcore_nn.datasets import load_digits

import mlcore
from mlcore.testing import check_component


def _one_blas_thread():
    """Small convolutions run faster on one BLAS thread (and the test machine is shared)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:   # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1)


def test_vae_elbo_improves_and_reconstructions_beat_the_mean_image():
    Xtr, Xte, _, _ = load_digits()
    with _one_blas_thread():
        vae = mlcore.build("bernoulli_vae(latent_dim=8, epochs=1, learning_rate=0.003, batch_size=32, "
                           "random_state=0)").fit(Xtr)
        elbo_early = vae.score_samples(Xte).mean()
        vae.partial_fit(Xtr, epochs=5)
        loss = vae.history_["loss"]
        assert loss[-1] < loss[0] - 5 and loss[-1] < loss[-2] + 0.5
        assert vae.score_samples(Xte).mean() > elbo_early + 1.5     # held-out ELBO, nats per image
        mse = ((vae.reconstruct(Xte) - Xte) ** 2).mean()
        mse_mean = ((Xtr.mean(axis=0) - Xte) ** 2).mean()
        assert mse < 0.8 * mse_mean
        assert vae.sample(5, random_state=0).shape == (5, 8, 8, 1)
        assert vae.transform(Xte[:4]).shape == (4, 8)


def test_reparameterisation_uses_standard_deviation():
    """With a decoder ignoring z, the ELBO's KL term equals the closed form, and z's spread
    around mu is exp(logvar / 2) (not exp(logvar))."""
    X = (np.random.default_rng(0).random((24, 8, 8, 1)) < 0.3).astype(float)
    vae = mlcore.build("bernoulli_vae(latent_dim=2, encoder='mlp', hidden=8, epochs=1, random_state=0)").fit(X)
    enc_last = vae.encoder_[-1]
    enc_last.params["W"][:] = 0
    enc_last.params["b"][:] = [0.5, -0.5, np.log(4.0), np.log(4.0)]   # mu = (0.5, -0.5), sigma = 2
    dec_first = vae.decoder_[0]
    seen = []
    orig = dec_first.forward
    dec_first.forward = lambda Z: (seen.append(np.array(Z)), orig(Z))[1]
    vae.score_samples(np.repeat(X[:1], 4000, axis=0), random_state=0)
    z = seen[-1]
    np.testing.assert_allclose(z.mean(axis=0), [0.5, -0.5], atol=0.1)
    np.testing.assert_allclose(z.std(axis=0), [2.0, 2.0], rtol=0.05)


def test_vae_conformance(tmp_path):
    check_component("bernoulli_vae(latent_dim=2, channels=(2, 3), hidden=8, epochs=1, batch_size=8, random_state=0)",
                    tmp_path=tmp_path)
