"""Readable reference implementations of Adam, AdamW and RMSprop, one parameter at a time.

The registered optimizers (:mod:`mlcore_optim.adam`, :mod:`mlcore_optim.rmsprop`) update
every parameter in place, block by block so that each array stays in cache, and Adam keeps
discounted sums instead of the moment averages to save two passes per step. None of that
reads like the papers. The functions here do: one step of one parameter, written as the
algorithm box of the paper, new arrays for everything, no blocking. They are not used by
the optimizers; ``tests/test_optim_reference.py`` checks that the fast optimizers give the
same parameters as these functions, step after step (float64, rtol 1e-10).

This is the role of PyTorch's ``_single_tensor_adam`` beside ``_multi_tensor_adam``: the
reference documents, the fast path runs, a test proves them equal.

Shared preprocessing of the gradient (as the registered optimizers, and torch):

1. per-tensor clipping: ``g <- g * clip_norm / ||g||_2`` when ``||g||_2 > clip_norm``;
2. coupled (L2) weight decay, all but AdamW: ``g <- g + weight_decay * p``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["adam_step", "effective_gradient", "rmsprop_step"]


def effective_gradient(p, g, weight_decay=0.0, clip_norm=None, decoupled=False):
    """The gradient an update uses: clipped per tensor, plus L2 decay unless ``decoupled``.

    Parameters
    ----------
    p, g : ndarray
        Parameter and raw gradient (same shape).
    weight_decay : float
        L2 coefficient lambda (ignored when ``decoupled``: AdamW decays the weights instead).
    clip_norm : float or None
        Largest Euclidean norm allowed for ``g``.

    Returns
    -------
    ndarray
        ``g * min(1, clip_norm / ||g||) + lambda p`` (a new array).
    """
    g = np.array(g, dtype=p.dtype)
    if clip_norm is not None:
        norm = np.sqrt(np.sum(g * g))
        if norm > clip_norm:
            g = g * (clip_norm / norm)
    if weight_decay and not decoupled:
        g = g + weight_decay * p
    return g


def adam_step(p, g, state, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, clip_norm=None,
              decoupled=False):
    """One Adam (or AdamW) step of one parameter, as Algorithm 1 of Kingma and Ba (2015).

    Parameters
    ----------
    p, g : ndarray
        Parameter theta_(t-1) and gradient of this step.
    state : dict
        ``{"m": first moment, "v": second moment, "t": steps so far}``; an empty dict
        starts from m_0 = v_0 = 0, t = 0. Updated (new arrays) by this call.
    lr : float
        Step size alpha of this step (the optimizer's lr times the schedule's factor).
    beta1, beta2, eps : float
        The paper's beta_1, beta_2 and epsilon.
    weight_decay : float
        L2 penalty added to the gradient (Adam) or decoupled decay rate (AdamW).
    clip_norm : float or None
        Per-tensor gradient clipping (see the module docstring).
    decoupled : bool
        AdamW (Loshchilov and Hutter 2019, Algorithm 2, with the schedule multiplier eta_t
        folded into lr as in torch): theta <- theta - lr lambda theta before the Adam step.

    Returns
    -------
    ndarray
        The new parameter theta_t.

    Notes
    -----
    .. math::

        t &\\leftarrow t + 1 \\\\
        m_t &= \\beta_1 m_{t-1} + (1 - \\beta_1) g_t \\\\
        v_t &= \\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2 \\\\
        \\hat m_t &= m_t / (1 - \\beta_1^t), \\qquad \\hat v_t = v_t / (1 - \\beta_2^t) \\\\
        \\theta_t &= \\theta_{t-1} - \\alpha\\, \\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)

    References
    ----------
    Kingma and Ba (2015). Adam: a method for stochastic optimization. ICLR.
    Loshchilov and Hutter (2019). Decoupled weight decay regularization. ICLR.
    """
    g = effective_gradient(p, g, weight_decay, clip_norm, decoupled)
    if decoupled and weight_decay:
        p = p - lr * weight_decay * p
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    v = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    state.update(t=t, m=m, v=v)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def rmsprop_step(p, g, state, lr, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0,
                 clip_norm=None):
    """One RMSprop step of one parameter (Tieleman and Hinton 2012; torch's conventions).

    Parameters
    ----------
    p, g : ndarray
        Parameter and gradient of this step.
    state : dict
        ``{"E": mean square, "gbar": mean gradient, "b": momentum buffer}``, all starting
        at 0 (an empty dict). Updated by this call.
    lr : float
        Learning rate of this step.
    alpha, eps : float
        Smoothing constant of the running averages and the term added to the root.
    momentum : float
        mu of the momentum buffer (0: none).
    centered : bool
        Divide by the running standard deviation instead of the root mean square (Graves 2013).
    weight_decay, clip_norm
        See the module docstring.

    Returns
    -------
    ndarray
        The new parameter.

    Notes
    -----
    .. math::

        E_t &= \\alpha E_{t-1} + (1 - \\alpha) g_t^2 \\\\
        \\bar g_t &= \\alpha \\bar g_{t-1} + (1 - \\alpha) g_t \\quad \\text{(centered)} \\\\
        d_t &= \\sqrt{E_t - \\bar g_t^2} + \\epsilon \\text{ (centered)}, \\quad
        \\sqrt{E_t} + \\epsilon \\text{ (otherwise)} \\\\
        b_t &= \\mu b_{t-1} + g_t / d_t, \\quad p_t = p_{t-1} - \\mathrm{lr}\\, b_t
        \\quad \\text{(momentum; else } p_t = p_{t-1} - \\mathrm{lr}\\, g_t / d_t)

    References
    ----------
    Tieleman and Hinton (2012). Lecture 6.5, rmsprop: divide the gradient by a running
    average of its recent magnitude. COURSERA: Neural Networks for Machine Learning.
    Graves (2013). Generating sequences with recurrent neural networks. arXiv:1308.0850.
    """
    g = effective_gradient(p, g, weight_decay, clip_norm)
    E = alpha * state.get("E", 0.0) + (1 - alpha) * g * g
    state["E"] = E
    if centered:
        gbar = alpha * state.get("gbar", 0.0) + (1 - alpha) * g
        state["gbar"] = gbar
        d = np.sqrt(E - gbar * gbar) + eps
    else:
        d = np.sqrt(E) + eps
    if momentum:
        b = momentum * state.get("b", 0.0) + g / d
        state["b"] = b
        return p - lr * b
    return p - lr * g / d
