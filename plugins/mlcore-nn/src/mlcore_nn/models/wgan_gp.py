"""``wgan_gp``: Wasserstein GAN with gradient penalty, MLP generator and critic."""

from __future__ import annotations

import numbers

import numpy as np

from mlcore.interfaces import Estimator, EstimatorHelpers, Interval, Options
from mlcore.progress import progress_bar
from mlcore.validation import check_is_fitted, check_random_state

from ..losses_generative import WGANGPLoss, critic_gradient_penalty
from . import _common as C

__all__ = ["WGANGP"]


class WGANGP(EstimatorHelpers, Estimator):
    """WGAN-GP (Gulrajani et al. 2017) with multilayer-perceptron generator and critic.

    Parameters
    ----------
    latent_dim : int, default 8
        Dimension of the generator's standard normal input z.
    hidden : int, default 64
        Width of the hidden layers of both networks.
    n_layers : int, default 3
        Hidden layers per network (each ``dense(act_fn=...)``), then a linear output layer.
    act_fn : str, default "relu"
        Hidden activation (any activation with ``grad2``).
    n_critic : int, default 5
        Critic updates per generator update.
    lambda_gp : float, default 10
        Gradient-penalty weight (called ``lambda_`` before; renamed because a
        name ending in ``_`` is learned state for scikit-learn).
    learning_rate : float, default 1e-4
    beta1, beta2 : float, default 0.5, 0.9
        Adam moments (the paper's values).
    batch_size : int, default 64
    n_steps : int, default 1000
        Generator updates.
    random_state : int, Generator or None

    Attributes
    ----------
    generator_, critic_ : list of layer
    history_ : dict
        ``critic_loss`` (Wasserstein term + penalty), ``wasserstein`` (mean D(real) -
        mean D(fake)), ``generator_loss`` per generator step.

    Notes
    -----
    Critic step: x_hat = e x_real + (1 - e) x_fake with e ~ U(0, 1);
    L_C = mean D(fake) - mean D(real) + lambda mean (||grad_x D(x_hat)|| - 1)^2; the
    penalty's parameter gradient comes from
    :func:`mlcore_nn.losses_generative.critic_gradient_penalty` (double backpropagation
    with the activations' ``grad2``). Generator step: L_G = -mean D(G(z)), backpropagated
    through the critic into the generator (numpy-ml never went through the critic).

    References
    ----------
    Gulrajani et al. (2017). Improved training of Wasserstein GANs. NeurIPS.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> X = np.random.default_rng(0).normal(size=(256, 2))
    >>> gan = mlcore.build("wgan_gp(n_steps=5, hidden=16, random_state=0)").fit(X)
    >>> gan.sample(10).shape
    (10, 2)
    """

    _estimator_type = "density_estimator"

    _state_attrs = ("_rng",)  # the training generator continues exactly after load

    _renamed_params = {"lambda_": "lambda_gp"}
    _parameter_constraints = {
        "latent_dim": Interval(numbers.Integral, low=1), "hidden": Interval(numbers.Integral, low=1),
        "n_layers": Interval(numbers.Integral, low=1),
        "act_fn": Options("relu", "leaky_relu", "tanh", "elu", "softplus", "gelu", "sigmoid", "silu", "selu"),
        "n_critic": Interval(numbers.Integral, low=1), "lambda_gp": Interval(low=0),
        "learning_rate": Interval(low=0, low_inclusive=False),
        "beta1": Interval(low=0, high=1, high_inclusive=False), "beta2": Interval(low=0, high=1, high_inclusive=False),
        "batch_size": Interval(numbers.Integral, low=1), "n_steps": Interval(numbers.Integral, low=1),
    }

    def __init__(self, latent_dim: int = 8, hidden: int = 64, n_layers: int = 3, act_fn: str = "relu",
                 n_critic: int = 5, lambda_gp: float = 10.0, learning_rate: float = 1e-4, beta1: float = 0.5,
                 beta2: float = 0.9, batch_size: int = 64, n_steps: int = 1000, random_state=None):
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.n_layers = n_layers
        self.act_fn = act_fn
        self.n_critic = n_critic
        self.lambda_gp = lambda_gp
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.batch_size = batch_size
        self.n_steps = n_steps
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        X = np.random.default_rng(0).normal(size=(64, 2))
        return {"spec": "wgan_gp(n_steps=3, hidden=8, n_layers=2, batch_size=16, random_state=0)", "fit": (X,)}

    def _specs(self, n_out):
        hid = [f"dense(n_out={self.hidden}, act_fn={self.act_fn}, init=he_uniform)"] * self.n_layers
        return hid + [f"dense(n_out={n_out})"]

    def _opt(self):
        return f"adam(lr={self.learning_rate!r}, beta1={self.beta1!r}, beta2={self.beta2!r})"

    def fit(self, X, y=None, progress=None):
        """Train on real samples X (n, n_features); returns self (losses in ``history_``)."""
        X = self._validate_data(X, min_samples=2)
        self._initialise(X)
        return self.partial_fit(X, n_steps=self.n_steps, progress=progress)

    def _initialise(self, X):
        rng = check_random_state(self.random_state)
        self._rng = rng
        d = X.shape[1]
        self.generator_ = C.build_layers(self._specs(d), (self.latent_dim,), rng)
        self.critic_ = C.build_layers(self._specs(1), (d,), rng)
        self.g_optimizers_ = C.build_optimizers(self.generator_, self._opt())
        self.c_optimizers_ = C.build_optimizers(self.critic_, self._opt())
        self.history_ = {"critic_loss": [], "wasserstein": [], "generator_loss": []}

    def partial_fit(self, X, y=None, n_steps: int = 1, progress=None):
        """``n_steps`` more generator steps (each after ``n_critic`` critic steps); returns self.

        The first call on an unfitted model builds the networks (as ``fit`` does)."""
        first = not hasattr(self, "generator_")
        X = self._validate_data(X, reset=first, min_samples=2)
        if first:
            self._initialise(X)
        loss = WGANGPLoss(self.lambda_gp)
        rng, B = self._rng, min(self.batch_size, len(X))
        y = np.concatenate([np.ones(B), np.zeros(B)])
        bar = progress_bar(progress, n_steps, unit="step")
        for _ in range(n_steps):  # adversarial training alternates sequentially
            for _ in range(self.n_critic):
                real = X[rng.choice(len(X), B, replace=False)]
                fake = C.forward(self.generator_, rng.standard_normal((B, self.latent_dim)))
                scores = C.forward(self.critic_, np.concatenate([real, fake]))
                C.backward(self.critic_, loss.grad(y, scores))
                e = rng.random((B, 1))
                pen, pgrads, _ = critic_gradient_penalty(self.critic_, e * real + (1 - e) * fake, self.lambda_gp)
                C.step(self.critic_, self.c_optimizers_, pgrads)
            w = -loss.loss(y, scores)
            self.history_["critic_loss"].append(-w + pen)
            self.history_["wasserstein"].append(w)
            z = rng.standard_normal((B, self.latent_dim))
            fake = C.forward(self.generator_, z)
            s_fake = C.forward(self.critic_, fake)
            dfake = C.backward(self.critic_, loss.generator_grad(s_fake))   # through the critic
            C.backward(self.generator_, dfake)
            C.step(self.generator_, self.g_optimizers_)
            self.history_["generator_loss"].append(loss.generator_loss(s_fake))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return self

    def sample(self, n_samples: int = 1, random_state=None):
        """``n_samples`` generated points (n_samples, n_features)."""
        check_is_fitted(self, "generator_")
        rng = check_random_state(random_state)
        return C.forward(self.generator_, rng.standard_normal((n_samples, self.latent_dim)))

    def score_samples(self, X):
        """Critic scores D(x) (higher = judged more real), shape (n,)."""
        X = self._check_X(X)
        return C.forward(self.critic_, X)[:, 0]
