"""``bernoulli_vae``: variational autoencoder with a convolutional encoder and Bernoulli decoder."""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.progress import progress_bar
from mlcore.validation import check_array, check_choice, check_is_fitted, check_random_state, check_scalar

from ..functional import batch_indices
from ..layers._base import check_int
from ..losses_generative import VAELoss, sigmoid
from . import _common as C

__all__ = ["BernoulliVAE"]


class BernoulliVAE(Estimator):
    """Variational autoencoder for binary / [0, 1] images (Kingma and Welling 2014).

    Parameters
    ----------
    latent_dim : int, default 8
    encoder : {"conv", "mlp"}
        "conv" (as numpy-ml): conv(c1, 3x3, same, ReLU) -> max-pool 2 -> conv(c2, 3x3, same,
        ReLU) -> max-pool 2 -> flatten -> dense(hidden, ReLU) -> dense(2 latent_dim);
        "mlp": flatten -> dense(hidden, ReLU) -> dense(2 latent_dim).
    channels : (int, int), default (16, 32)
        c1, c2 of the convolutional encoder.
    hidden : int, default 128
        Width of the encoder's and decoder's hidden dense layer.
    learning_rate : float, default 1e-3
        Adam step.
    batch_size : int, default 64
    epochs : int, default 20
    random_state : int, Generator or None

    Attributes
    ----------
    encoder_, decoder_ : list of layer
    history_ : dict
        ``loss`` (negative ELBO per example, mean over each epoch), ``reconstruction``, ``kl``.

    Notes
    -----
    Encoder output [mu, log sigma^2]; z = mu + exp(log sigma^2 / 2) * eps with
    eps ~ N(0, I) (the reparameterisation uses the standard deviation; numpy-ml used the
    variance); decoder logits l, p(x|z) = Bernoulli(sigmoid(l)). Loss ``vae_loss``:
    BCE + KL(N(mu, sigma^2) || N(0, I)). Backward: dz from the decoder, then
    dmu = dKL/dmu + dz, dlogvar = dKL/dlogvar + dz * eps * sigma / 2.

    References
    ----------
    Kingma and Welling (2014). Auto-encoding variational Bayes. ICLR.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = (np.random.default_rng(0).random((32, 8, 8, 1)) < 0.3).astype(float)
    >>> vae = mlcore.build("bernoulli_vae(latent_dim=2, epochs=1, random_state=0)").fit(X)
    >>> vae.reconstruct(X[:3]).shape
    (3, 8, 8, 1)
    """

    _estimator_type = "transformer"
    #: input: binary images (n, rows, cols, channels), not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "three_d_array": True, "positive_only": True}

    _state_attrs = ("_rng",)  # the training generator continues exactly after load

    def __init__(self, latent_dim: int = 8, encoder: str = "conv", channels=(16, 32), hidden: int = 128,
                 learning_rate: float = 1e-3, batch_size: int = 64, epochs: int = 20, random_state=None):
        self.latent_dim = latent_dim
        self.encoder = encoder
        self.channels = channels
        self.hidden = hidden
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.random_state = random_state

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        from mlcore.errors import ComponentArgumentError
        check_int(self.latent_dim, "latent_dim")
        check_choice(self.encoder, "encoder", ("conv", "mlp"))
        if not (isinstance(self.channels, (tuple, list)) and len(self.channels) == 2):
            raise ComponentArgumentError(f"channels must be a pair of ints, got {self.channels!r}")
        for c in self.channels:
            check_int(c, "channels")
        check_int(self.hidden, "hidden")
        check_scalar(self.learning_rate, "learning_rate", low=0, low_inclusive=False)
        check_int(self.batch_size, "batch_size")
        check_int(self.epochs, "epochs")

    @classmethod
    def conformance_example(cls):
        X = (np.random.default_rng(0).random((24, 8, 8, 1)) < 0.3).astype(float)
        return {"spec": "bernoulli_vae(latent_dim=2, channels=(2, 3), hidden=8, epochs=1, batch_size=8, "
                        "random_state=0)", "fit": (X,)}

    def _specs(self):
        L, h = self.latent_dim, self.hidden
        if self.encoder == "conv":
            c1, c2 = self.channels
            enc = [f"conv2d(out_ch={c1}, kernel_shape=3, pad='same', act_fn=relu)", "pool2d(kernel_shape=2)",
                   f"conv2d(out_ch={c2}, kernel_shape=3, pad='same', act_fn=relu)", "pool2d(kernel_shape=2)"]
        else:
            enc = []
        enc += ["flatten", f"dense(n_out={h}, act_fn=relu)", f"dense(n_out={2 * L})"]
        dec = [f"dense(n_out={h}, act_fn=relu)", "dense(n_out={D})"]
        return enc, dec

    def _check_X(self, X, fitted=True):
        X = check_array(X, name="X", ndim=None)
        if X.ndim != 4:
            raise ValueError(f"X must be images (n, rows, cols, channels), got shape {X.shape}")
        if np.any((X < 0) | (X > 1)):
            raise ValueError("X must hold values in [0, 1]")
        if fitted and X.shape[1:] != tuple(self.input_shape_):
            raise ValueError(f"X has example shape {X.shape[1:]}, the model was fitted on {tuple(self.input_shape_)}")
        return X

    def fit(self, X, y=None, progress=None):
        """Train from scratch on images X (n, rows, cols, channels) in [0, 1]; returns self."""
        X = self._check_X(X, fitted=False)
        rng = check_random_state(self.random_state)
        self._rng = rng
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        D = int(np.prod(self.input_shape_))
        enc, dec = self._specs()
        self.encoder_ = C.build_layers(enc, self.input_shape_, rng)
        self.decoder_ = C.build_layers([s.replace("{D}", str(D)) for s in dec], (self.latent_dim,), rng)
        opt = f"adam(lr={self.learning_rate!r})"
        self.enc_optimizers_ = C.build_optimizers(self.encoder_, opt)
        self.dec_optimizers_ = C.build_optimizers(self.decoder_, opt)
        self.history_ = {"loss": [], "reconstruction": [], "kl": []}
        return self.partial_fit(X, epochs=self.epochs, progress=progress)

    def partial_fit(self, X, epochs: int = 1, progress=None):
        """Train ``epochs`` more epochs; returns self."""
        check_is_fitted(self, "encoder_")
        X = self._check_X(X)
        loss = VAELoss(from_logits=True)
        L, n = self.latent_dim, len(X)
        Xf = X.reshape(n, -1)
        bar = progress_bar(progress, epochs, unit="epoch")
        for _ in range(epochs):  # epochs and minibatch steps are sequential
            tot = np.zeros(3)
            for idx in batch_indices(n, self.batch_size, True, self._rng):
                out = C.forward(self.encoder_, X[idx])
                mu, lv = out[:, :L], out[:, L:]
                eps = self._rng.standard_normal(mu.shape)
                std = np.exp(0.5 * lv)
                z = mu + std * eps
                logits = C.forward(self.decoder_, z)
                pred = np.concatenate([logits, mu, lv], axis=1)
                rec, kl = loss.terms(Xf[idx], pred)
                g = loss.grad(Xf[idx], pred)
                D = logits.shape[1]
                dz = C.backward(self.decoder_, g[:, :D])
                dmu = g[:, D:D + L] + dz
                dlv = g[:, D + L:] + dz * eps * std * 0.5
                C.backward(self.encoder_, np.concatenate([dmu, dlv], axis=1))
                C.step(self.encoder_, self.enc_optimizers_)
                C.step(self.decoder_, self.dec_optimizers_)
                tot += np.array([rec + kl, rec, kl]) * len(idx)
            for k, v in zip(("loss", "reconstruction", "kl"), tot / n):
                self.history_[k].append(float(v))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return self

    def _encode(self, X):
        C.set_mode(self.encoder_, False)
        out = C.forward(self.encoder_, X)
        return out[:, :self.latent_dim], out[:, self.latent_dim:]

    def transform(self, X):
        """Posterior means mu(x), (n, latent_dim)."""
        check_is_fitted(self, "encoder_")
        return self._encode(self._check_X(X))[0]

    def decode(self, Z):
        """Bernoulli means sigmoid(decoder(z)) as images (n, rows, cols, channels)."""
        check_is_fitted(self, "decoder_")
        Z = check_array(Z, name="Z")
        return sigmoid(C.forward(self.decoder_, Z)).reshape((len(Z),) + tuple(self.input_shape_))

    def reconstruct(self, X):
        """decode(mu(x)): the reconstruction of each image."""
        return self.decode(self.transform(X))

    def sample(self, n_samples: int = 1, random_state=None):
        """Images decoded from z ~ N(0, I) (Bernoulli means)."""
        check_is_fitted(self, "decoder_")
        rng = check_random_state(random_state)
        return self.decode(rng.standard_normal((n_samples, self.latent_dim)))

    def score_samples(self, X, n_draws: int = 1, random_state=0):
        """ELBO per example (a lower bound on log p(x)), averaged over ``n_draws`` of eps."""
        check_is_fitted(self, "encoder_")
        X = self._check_X(X)
        rng = check_random_state(random_state)
        mu, lv = self._encode(X)
        Xf = X.reshape(len(X), -1)
        kl = 0.5 * (np.exp(lv) + mu * mu - 1 - lv).sum(axis=1)
        rec = np.zeros(len(X))
        for _ in range(n_draws):  # Monte Carlo draws of the reparameterised z
            z = mu + np.exp(0.5 * lv) * rng.standard_normal(mu.shape)
            lg = C.forward(self.decoder_, z)
            rec += (np.maximum(lg, 0) + np.log1p(np.exp(-np.abs(lg))) - Xf * lg).sum(axis=1)
        return -(rec / n_draws) - kl
