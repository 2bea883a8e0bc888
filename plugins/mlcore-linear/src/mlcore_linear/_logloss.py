"""Penalised logistic / multinomial log-loss, its derivatives, and the two solvers.

The objective (scikit-learn's, divided by ``C * S`` with ``S = sum_i s_i``) is::

    F(theta) = (1/S) sum_i s_i l_i(theta) + lam2/2 ||W||_F^2 + lam1 ||W||_1

with ``lam = 1/(C S)`` for the chosen penalty, the intercepts never penalised, and
``l_i`` the binary log-loss ``log(1 + e^{z_i}) - y_i z_i`` (one weight vector, ``z = X w + b``)
or the multinomial one ``logsumexp(Z_i) - Z_{i, y_i}`` (``K`` weight vectors, ``Z = X W^T + b``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import expit

__all__ = ["ConvergenceWarning", "LogLoss", "fit_lbfgs", "fit_prox_newton"]


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at ``max_iter`` before reaching ``tol``."""


def _log_softmax(Z):
    """Row-wise ``log softmax`` and ``logsumexp`` (stable, plain NumPy)."""
    mx = Z.max(axis=1, keepdims=True)
    E = Z - mx
    lse = np.log(np.exp(E).sum(axis=1, keepdims=True))
    return E - lse, (lse + mx)[:, 0]


class LogLoss:
    """Smooth part of the objective for parameters ``theta`` of shape ``(K, m + fit_intercept)``.

    ``K = 1`` for binary problems (targets ``y`` in {0, 1}), else ``K`` classes
    (targets one-hot ``Y (n, K)``).
    """

    def __init__(self, X, y_idx, n_classes, sample_weight, fit_intercept, lam2):
        self.X = X
        self.n, self.m = X.shape
        self.K = 1 if n_classes == 2 else n_classes
        self.fi = bool(fit_intercept)
        self.sw = sample_weight
        self.S = float(self.n if sample_weight is None else sample_weight.sum())
        self.lam2 = float(lam2)
        if self.K == 1:
            self.y = y_idx.astype(np.float64)
        else:
            self.Y = np.zeros((self.n, self.K))
            self.Y[np.arange(self.n), y_idx] = 1.0
        self.shape = (self.K, self.m + self.fi)

    def split(self, theta):
        T = theta.reshape(self.shape)
        return T[:, :self.m], (T[:, self.m] if self.fi else np.zeros(self.K))

    def decision(self, theta):
        W, b = self.split(theta)
        return self.X @ W.T + b                           # (n, K)

    def loss_grad(self, theta):
        """Objective value and gradient (flat), smooth part plus L2 term."""
        W, b = self.split(theta)
        sw, S = self.sw, self.S
        if self.K == 1:
            z = self.X @ W[0] + b[0]
            loss = np.logaddexp(0.0, z) - self.y * z
            r = expit(z) - self.y                          # dl/dz
            if sw is not None:
                loss, r = loss * sw, r * sw
            R = r[:, None]
        else:
            Z = self.X @ W.T + b
            logP, lse = _log_softmax(Z)
            loss = lse - np.einsum("ij,ij->i", Z, self.Y)
            R = np.exp(logP) - self.Y                      # dl/dZ (n, K)
            if sw is not None:
                loss, R = loss * sw, R * sw[:, None]
        f = loss.sum() / S + 0.5 * self.lam2 * np.vdot(W, W)
        G = np.empty(self.shape)
        G[:, :self.m] = np.asarray(self.X.T @ R).T / S + self.lam2 * W   # X may be scipy.sparse
        if self.fi:
            G[:, self.m] = R.sum(axis=0) / S
        return float(f), G.ravel()

    def hessian(self, theta):
        """Hessian of the smooth part (flat layout), ``(K p, K p)`` with ``p = m + fit_intercept``.

        Cost ``O(n K^2 p^2)``; the loop runs over the ``K (K + 1) / 2`` class pairs.
        """
        Z = self.decision(theta)
        sw = np.ones(self.n) if self.sw is None else self.sw
        A = _with_ones(self.X) if self.fi else self.X
        p = A.shape[1]
        if self.K == 1:
            q = expit(Z[:, 0])
            H = _weighted_gram(A, sw * q * (1 - q) / self.S)
        else:
            P = np.exp(_log_softmax(Z)[0])
            H = np.empty((self.K * p, self.K * p))
            for k in range(self.K):
                for l in range(k, self.K):
                    d = P[:, k] * ((k == l) - P[:, l]) * sw / self.S
                    blk = _weighted_gram(A, d)
                    H[k * p:(k + 1) * p, l * p:(l + 1) * p] = blk
                    H[l * p:(l + 1) * p, k * p:(k + 1) * p] = blk.T
        if self.lam2:
            idx = self.penalised_mask()
            H[idx, idx] += self.lam2
        return H

    def penalised_mask(self):
        """Boolean mask (flat) of the penalised coordinates (all but the intercepts)."""
        mask = np.ones(self.shape, dtype=bool)
        if self.fi:
            mask[:, self.m] = False
        return mask.ravel()


def fit_lbfgs(obj: LogLoss, max_iter: int, tol: float):
    """L-BFGS-B as in scikit-learn (``gtol = tol``, ``maxls = 50``, ``ftol = 64 eps``)."""
    from scipy.optimize import minimize

    theta0 = np.zeros(int(np.prod(obj.shape)))
    res = minimize(obj.loss_grad, theta0, method="L-BFGS-B", jac=True,
                   options={"maxiter": max_iter, "maxls": 50, "gtol": tol,
                            "ftol": 64 * np.finfo(float).eps})
    if not res.success and res.nit >= max_iter:
        warnings.warn(f"L-BFGS did not converge in max_iter={max_iter} iterations; increase max_iter "
                      "or scale the data", ConvergenceWarning, stacklevel=3)
    return res.x, int(res.nit)


def _with_ones(X):
    """``[X, 1]``; sparse stays sparse (CSR)."""
    if isinstance(X, np.ndarray):
        return np.hstack([X, np.ones((X.shape[0], 1))])
    import scipy.sparse as sp

    return sp.hstack([X, np.ones((X.shape[0], 1))], format="csr")


def _weighted_gram(A, d):
    """``A^T diag(d) A`` as a dense (p, p) array, for a dense or sparse ``A``."""
    if isinstance(A, np.ndarray):
        return A.T @ (A * d[:, None])
    import scipy.sparse as sp

    return np.asarray((A.T @ sp.diags(d) @ A).todense())


def _soft(v, t, mask):
    out = v.copy()
    out[mask] = np.sign(v[mask]) * np.maximum(np.abs(v[mask]) - t, 0.0)
    return out


def _l1_optimality(theta, g, lam1, mask):
    """Inf-norm of the minimum-norm subgradient of ``f + lam1 ||theta[mask]||_1``."""
    v = np.abs(g).copy()
    t, gm = theta[mask], g[mask]
    v[mask] = np.where(t != 0, np.abs(gm + lam1 * np.sign(t)), np.maximum(np.abs(gm) - lam1, 0.0))
    return float(v.max()) if v.size else 0.0


def _quadratic_prox(g, H, theta, lam1, mask, tol, max_inner=2000):
    """FISTA (with adaptive restart) on ``min_v g^T (v - theta) + 1/2 (v - theta)^T H (v - theta) + lam1 ||v[mask]||_1``."""
    L = max(float(np.linalg.eigvalsh(H)[-1]), 1e-12)
    v = theta.copy()
    u, t_k = v.copy(), 1.0
    for _ in range(max_inner):   # iterations on a (K p)-sized problem; no per-sample loop
        grad_u = g + H @ (u - theta)
        v_new = _soft(u - grad_u / L, lam1 / L, mask)
        if np.max(np.abs(v_new - u)) * L <= tol:
            return v_new
        t_next = 0.5 * (1 + np.sqrt(1 + 4 * t_k * t_k))
        if np.vdot(u - v_new, v_new - v) > 0:              # gradient restart (O'Donoghue & Candes)
            t_next, u = 1.0, v_new.copy()
        else:
            u = v_new + ((t_k - 1) / t_next) * (v_new - v)
        v, t_k = v_new, t_next
    return v


def fit_prox_newton(obj: LogLoss, lam1: float, max_iter: int, tol: float):
    """Proximal Newton for the L1-penalised loss: quadratic model solved by FISTA, then a
    backtracking line search on the true objective (Lee, Sun and Saunders 2014)."""
    mask = obj.penalised_mask()
    theta = np.zeros(int(np.prod(obj.shape)))

    def F(th):
        f, g = obj.loss_grad(th)
        return f + lam1 * np.abs(th[mask]).sum(), g

    Fv, g = F(theta)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        opt = _l1_optimality(theta, g, lam1, mask)
        if opt <= tol:
            n_iter -= 1
            break
        H = obj.hessian(theta)
        H[np.diag_indices_from(H)] += 1e-12 * (1 + np.abs(np.diag(H)).max())
        v = _quadratic_prox(g, H, theta, lam1, mask, tol=min(0.1 * opt, max(opt * opt, 0.01 * tol)))
        d = v - theta
        delta = g @ d + lam1 * (np.abs(v[mask]).sum() - np.abs(theta[mask]).sum())
        step = 1.0
        for _ in range(50):      # backtracking line search (Armijo rule of Tseng and Yun)
            cand = theta + step * d
            Fc, gc = F(cand)
            if Fc <= Fv + 1e-4 * step * delta or step < 1e-10:
                break
            step *= 0.5
        theta, Fv, g = cand, Fc, gc
    else:
        if _l1_optimality(theta, g, lam1, mask) > tol:
            warnings.warn(f"proximal Newton did not converge in max_iter={max_iter} iterations",
                          ConvergenceWarning, stacklevel=3)
    return theta, n_iter
