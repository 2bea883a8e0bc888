"""Losses of the generative and embedding models: ``vae_loss``, ``wgan_gp_loss``, ``nce_loss``.

Example
-------
>>> import numpy as np, mlcore
>>> loss = mlcore.build("nce_loss")
>>> scores = np.array([[2.0, -1.0, -3.0]])          # true class first, then 2 noise samples
>>> round(loss.loss(np.array([[1, 0, 0]]), scores), 4)
0.4888
"""

from __future__ import annotations

import numpy as np

from mlcore.interfaces import Loss
from mlcore.validation import check_scalar

from .functional import sigmoid

__all__ = ["NCELoss", "VAELoss", "WGANGPLoss", "critic_gradient_penalty", "sigmoid", "softplus"]


def softplus(z):
    """log(1 + e^z) without overflow."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _float2d(a, name):
    a = np.asarray(a, dtype=np.float64) if not np.issubdtype(np.asarray(a).dtype, np.floating) else np.asarray(a)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty (n, m) array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or inf")
    return a


class VAELoss(Loss):
    """Negative ELBO of a Bernoulli VAE: BCE(x, x_hat) + KL(N(mu, e^logvar) || N(0, I)), per example.

    Parameters
    ----------
    from_logits : bool, default False
        The reconstruction block of ``y_pred`` holds decoder logits (stable: BCE =
        softplus(z) - x z) instead of probabilities (clipped to [eps, 1 - eps]).

    Shapes
    ------
    ``loss(X, y_pred)``: X (n, D) targets in [0, 1] (images flattened);
    ``y_pred = concat([x_hat (n, D), mu (n, L), log_var (n, L)], axis=1)`` so one array
    carries what the loss needs (L is inferred). ``grad`` has the shape of ``y_pred``.
    :meth:`terms` returns the two parts separately.

    Notes
    -----
    L = (1/n) sum_i [ -sum_d (x log p + (1 - x) log(1 - p)) + 1/2 sum_l (e^lv + mu^2 - 1 - lv) ].
    dL/dp = (p - x) / (p (1 - p) n) (logits: (sigmoid(z) - x) / n), dL/dmu = mu / n,
    dL/dlv = (e^lv - 1) / (2n). (Kingma and Welling 2014, appendix B.)

    References
    ----------
    Kingma and Welling (2014). Auto-encoding variational Bayes. ICLR.
    """

    def __init__(self, from_logits: bool = False):
        if not isinstance(from_logits, bool):
            from mlcore.errors import ComponentArgumentError

            raise ComponentArgumentError(f"from_logits must be True or False, got {from_logits!r}")
        self.from_logits = from_logits

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        X = rng.random((4, 6))
        pred = np.concatenate([rng.uniform(0.1, 0.9, (4, 6)), rng.normal(size=(4, 2)),
                               rng.normal(scale=0.5, size=(4, 2))], axis=1)
        return {"y_true": X, "y_pred": pred}

    def _split(self, y_true, y_pred):
        X = _float2d(y_true, "y_true")
        P = _float2d(y_pred, "y_pred")
        n, D = X.shape
        rest = P.shape[1] - D
        if P.shape[0] != n or rest <= 0 or rest % 2:
            raise ValueError(f"y_pred must be (n, D + 2L) = [x_hat, mu, log_var] for y_true {X.shape}, got {P.shape}")
        L = rest // 2
        return X, P[:, :D], P[:, D:D + L], P[:, D + L:]

    def terms(self, y_true, y_pred):
        """(mean reconstruction BCE, mean KL) per example."""
        X, R, mu, lv = self._split(y_true, y_pred)
        n = len(X)
        if self.from_logits:
            bce = (softplus(R) - X * R).sum() / n
        else:
            eps = np.finfo(R.dtype).eps
            p = np.clip(R, eps, 1 - eps)
            bce = -(X * np.log(p) + (1 - X) * np.log1p(-p)).sum() / n
        kl = 0.5 * (np.exp(lv) + mu * mu - 1 - lv).sum() / n
        return float(bce), float(kl)

    def loss(self, y_true, y_pred):
        bce, kl = self.terms(y_true, y_pred)
        return bce + kl

    def grad(self, y_true, y_pred):
        X, R, mu, lv = self._split(y_true, y_pred)
        n, _D = X.shape
        if self.from_logits:
            dR = (sigmoid(R) - X) / n
        else:
            eps = np.finfo(R.dtype).eps
            p = np.clip(R, eps, 1 - eps)
            dR = (p - X) / (p * (1 - p) * n)
            dR[(R < eps) | (R > 1 - eps)] = 0.0
        return np.concatenate([dR, mu / n, 0.5 * (np.exp(lv) - 1) / n], axis=1)


class WGANGPLoss(Loss):
    """Wasserstein GAN losses with gradient penalty (Gulrajani et al. 2017).

    Parameters
    ----------
    lambda_gp : float, default 10
        Weight of the gradient penalty (``lambda_`` before: a name ending in ``_`` is
        learned state for scikit-learn).

    Shapes
    ------
    ``loss(y_true, y_pred)``: the critic's Wasserstein term mean(D(fake)) - mean(D(real))
    for critic scores ``y_pred`` (n,) or (n, 1) with ``y_true`` 1 for real and 0 for fake
    examples; ``grad`` is its gradient (1 / n_fake on fakes, -1 / n_real on reals; correct
    signs, unlike numpy-ml's). ``generator_loss(scores_fake)`` = -mean(D(fake)).
    ``penalty(G)`` = lambda mean_i (||G_i|| - 1)^2 for critic input gradients G (n, d) at
    the interpolates; ``penalty_grad(G)``. :func:`critic_gradient_penalty` differentiates
    the penalty with respect to the critic's parameters (double backpropagation).

    References
    ----------
    Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville (2017). Improved training of Wasserstein
    GANs. NeurIPS. Arjovsky, Chintala, Bottou (2017). Wasserstein GAN. ICML.
    """

    _renamed_params = {"lambda_": "lambda_gp"}

    def __init__(self, lambda_gp: float = 10.0):
        self.lambda_gp = check_scalar(lambda_gp, "lambda_gp", low=0)

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        return {"y_true": np.array([1, 1, 0, 0, 0]), "y_pred": rng.normal(size=(5, 1))}

    @staticmethod
    def _labels(y_true, y_pred):
        s = np.asarray(y_pred, dtype=np.float64)
        y = np.asarray(y_true).reshape(-1)
        if s.reshape(-1).shape != y.shape or not np.isin(y, (0, 1)).all():
            raise ValueError("y_true must hold one 1 (real) or 0 (fake) per critic score")
        real = y == 1
        if real.all() or not real.any():
            raise ValueError("need both real (1) and fake (0) examples")
        return s, real

    def loss(self, y_true, y_pred):
        s, real = self._labels(y_true, y_pred)
        f = s.reshape(-1)
        return float(f[~real].mean() - f[real].mean())

    def grad(self, y_true, y_pred):
        s, real = self._labels(y_true, y_pred)
        g = np.where(real, -1.0 / real.sum(), 1.0 / (~real).sum())
        return g.reshape(s.shape)

    def generator_loss(self, scores_fake):
        return float(-np.mean(scores_fake))

    def generator_grad(self, scores_fake):
        s = np.asarray(scores_fake)
        return np.full(s.shape, -1.0 / s.size)

    def penalty(self, G):
        G = np.asarray(G)
        norms = np.sqrt((G.reshape(len(G), -1) ** 2).sum(axis=1))
        return float(self.lambda_gp * np.mean((norms - 1) ** 2))

    def penalty_grad(self, G):
        """dP/dG = 2 lambda (||G_i|| - 1) G_i / (||G_i|| n)."""
        G = np.asarray(G)
        flat = G.reshape(len(G), -1)
        norms = np.sqrt((flat ** 2).sum(axis=1, keepdims=True))
        with np.errstate(invalid="ignore", divide="ignore"):
            g = np.where(norms > 0, 2 * self.lambda_gp * (norms - 1) / (norms * len(G)), 0.0) * flat
        return g.reshape(G.shape)


def _act_parts(layer):
    act = layer.act
    return act.fn, act.grad, act.grad2


def critic_gradient_penalty(layers, X, lambda_=10.0):
    """Gradient penalty of an MLP critic and its gradient w.r.t. every parameter.

    Parameters
    ----------
    layers : list of ``dense`` layers
        The critic a_l = f_l(a_{l-1} W_l + b_l), ending in one output unit.
    X : ndarray (n, d)
        Points where the penalty is taken (the interpolates x_hat).
    lambda_ : float

    Returns
    -------
    penalty : float
        lambda mean_i (||dD/dx (x_i)|| - 1)^2.
    grads : list of dict
        dPenalty/dW, dPenalty/db per layer (add them to the Wasserstein term's gradients).
    G : ndarray (n, d)
        dD/dx at X.

    Notes
    -----
    Double backpropagation. Forward: z_l = a_{l-1} W_l + b_l. Input gradient:
    u_L = f_L'(z_L), v_{l-1} = u_l W_l^T, u_l = v_l * f_l'(z_l), G = v_0. Reverse pass of
    that computation from G_bar = dP/dG: u_bar_l = v_bar_{l-1} W_l,
    W_bar_l += v_bar_{l-1}^T u_l, v_bar_l = u_bar_l * f_l'(z_l) and
    z_bar_l += u_bar_l * v_l * f_l''(z_l) (the activations' ``grad2``); then z_bar is
    backpropagated through the forward graph as usual (W_bar_l += a_{l-1}^T z_bar_l, ...).
    """
    n = len(X)
    A, Z = [np.asarray(X, dtype=np.float64)], []
    for layer in layers:          # forward, keeping pre-activations (loop over layers)
        z = A[-1] @ layer.params["W"] + layer.params["b"]
        Z.append(z)
        A.append(_act_parts(layer)[0](z))
    L = len(layers)
    # input gradient G = dD/dx
    U, Vs = [None] * L, [None] * L
    U[L - 1] = _act_parts(layers[-1])[1](Z[-1])                 # dD/dz_L (v_L = 1)
    for l in range(L - 1, -1, -1):
        v = U[l] @ layers[l].params["W"].T                      # dD/da_{l-1}
        if l > 0:
            Vs[l - 1] = v
            U[l - 1] = v * _act_parts(layers[l - 1])[1](Z[l - 1])
        else:
            G = v
    norms = np.sqrt((G ** 2).sum(axis=1, keepdims=True))
    pen = float(lambda_ * np.mean((norms - 1) ** 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        vbar = np.where(norms > 0, 2 * lambda_ * (norms - 1) / (norms * n), 0.0) * G
    grads = [{"W": np.zeros_like(layer.params["W"]), "b": np.zeros_like(layer.params["b"])} for layer in layers]
    Zbar = [np.zeros_like(z) for z in Z]
    for l in range(L):            # reverse of the input-gradient computation, bottom up
        W = layers[l].params["W"]
        grads[l]["W"] += vbar.T @ U[l]
        ubar = vbar @ W
        _, d1, d2 = _act_parts(layers[l])
        vl = Vs[l] if l < L - 1 else 1.0
        Zbar[l] += ubar * vl * d2(Z[l])
        if l < L - 1:
            vbar = ubar * d1(Z[l])
    zbar = Zbar[L - 1]
    for l in range(L - 1, -1, -1):  # ordinary backpropagation of z_bar through the forward graph
        grads[l]["W"] += A[l].T @ zbar
        grads[l]["b"] += zbar.sum(axis=0)
        if l > 0:
            zbar = Zbar[l - 1] + (zbar @ layers[l].params["W"].T) * _act_parts(layers[l - 1])[1](Z[l - 1])
    return pen, grads, G


class NCELoss(Loss):
    """Binary logistic loss of noise-contrastive estimation / negative sampling.

    Parameters
    ----------
    reduction : {"mean", "sum"}
        Over examples (rows); columns are always summed.

    Shapes
    ------
    ``loss(y_true, y_pred, log_noise=None)``: ``y_pred`` (n, 1 + k) scores s = u_w . v_c
    of the true word (usually column 0) and k noise words; ``y_true`` (n, 1 + k) with 1
    for true and 0 for noise columns (accidental hits of the true word among the noise
    may be labelled 1). Without ``log_noise`` this is negative sampling (Mikolov et al.
    2013): L = -sum log sigmoid(s_true) - sum log sigmoid(-s_noise). With ``log_noise`` =
    log(k q(w)) (same shape) the scores become s - log(k q(w)): noise-contrastive
    estimation (Gutmann and Hyvarinen 2010; Mnih and Teh 2012).

    Notes
    -----
    L = sum_j softplus(s'_j) - y_j s'_j, dL/ds_j = sigmoid(s'_j) - y_j (divided by n for "mean").

    References
    ----------
    Gutmann and Hyvarinen (2010). Noise-contrastive estimation. AISTATS.
    Mikolov et al. (2013). Distributed representations of words and phrases. NeurIPS.
    """

    def __init__(self, reduction: str = "mean"):
        from mlcore.validation import check_choice

        self.reduction = check_choice(reduction, "reduction", ("mean", "sum"))

    @classmethod
    def conformance_example(cls):
        rng = np.random.default_rng(0)
        y = np.zeros((4, 6))
        y[:, 0] = 1
        return {"y_true": y, "y_pred": rng.normal(scale=2.0, size=(4, 6))}

    def _prep(self, y_true, y_pred, log_noise):
        s = _float2d(y_pred, "y_pred")
        y = np.asarray(y_true, dtype=s.dtype).reshape(s.shape) if np.size(y_true) == s.size else None
        if y is None or not np.isin(y, (0, 1)).all():
            raise ValueError(f"y_true must be 0/1 labels of shape {s.shape}")
        if log_noise is not None:
            s = s - np.asarray(log_noise, dtype=s.dtype).reshape(s.shape)
        return y, s, (len(s) if self.reduction == "mean" else 1)

    def loss(self, y_true, y_pred, log_noise=None):
        y, s, d = self._prep(y_true, y_pred, log_noise)
        return float((softplus(s) - y * s).sum() / d)

    def grad(self, y_true, y_pred, log_noise=None):
        y, s, d = self._prep(y_true, y_pred, log_noise)
        return ((sigmoid(s) - y) / d).reshape(np.shape(y_pred))
