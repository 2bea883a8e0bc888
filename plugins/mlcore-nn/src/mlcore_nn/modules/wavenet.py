"""``wavenet_residual``: WaveNet's gated, dilated, causal residual block."""

from __future__ import annotations

import numpy as np

from ..functional import sigmoid as _sigmoid
from ..layers._base import as_component, check_int, float_input
from ._composite import Composite

__all__ = ["WavenetResidual"]


class WavenetResidual(Composite):
    """Gated activation unit with residual and skip outputs (van den Oord et al. 2016).

    Parameters
    ----------
    ch_dilation : int
        Channels of the gated activation (the filter and the gate each have this many).
    dilation : int, default 1
        Dilation of the causal convolution (PyTorch convention: 1 = ordinary).
    kernel_width : int, default 2
        Width of the causal convolution (any width; numpy-ml ignored it and used 2).
    init, optimizer, random_state
        As for ``conv1d``.

    Shapes
    ------
    ``forward(X, X_skip=None)``: X (n, T, ch_residual) -> Y_main (n, T, ch_residual); the skip
    output Y_skip = X_skip + out (X_skip = 0 when None) is ``skip_output``.
    ``backward(dY_main, dY_skip=None)`` -> dX; the gradient for X_skip (= dY_skip) is
    ``skip_input_grad``. Parameters ``conv_dilation.W (k, ch_residual, 2 ch_dilation)``,
    ``conv_dilation.b``, ``conv_1x1.W (1, ch_dilation, ch_residual)``, ``conv_1x1.b``.

    Notes
    -----
    [F, G] = causal_conv_d(X) (one convolution with 2 ch_dilation outputs, split in two);
    Z = tanh(F) * sigmoid(G); out = conv_1x1(Z); Y_main = X + out; Y_skip = X_skip + out.
    Backward: d_out = dY_main + dY_skip; dZ = conv_1x1 backward; dF = dZ sigmoid(G)
    (1 - tanh(F)^2); dG = dZ tanh(F) sigmoid(G) (1 - sigmoid(G)); dX = dY_main + conv backward.

    References
    ----------
    van den Oord et al. (2016). WaveNet: a generative model for raw audio. arXiv:1609.03499.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> block = mlcore.build("wavenet_residual(ch_dilation=4, dilation=2, kernel_width=3, random_state=0)")
    >>> block.forward(np.ones((2, 10, 3))).shape
    (2, 10, 3)
    """

    input_ndim = 3
    input_layout = "(n, time, channels)"

    def __init__(self, ch_dilation: int, dilation: int = 1, kernel_width: int = 2, init=None, optimizer=None,
                 random_state=None):
        self.ch_dilation = check_int(ch_dilation, "ch_dilation")
        self.dilation = check_int(dilation, "dilation")
        self.kernel_width = check_int(kernel_width, "kernel_width")
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "wavenet_residual(ch_dilation=2, dilation=2, kernel_width=3, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(2, 6, 3))}

    def _sub_specs(self, input_shape):
        return {"conv_dilation": f"conv1d(out_ch={2 * self.ch_dilation}, kernel_width={self.kernel_width}, "
                                 f"dilation={self.dilation}, pad='causal')",
                "conv_1x1": f"conv1d(out_ch={input_shape[-1]}, kernel_width=1)"}

    def _build_shapes(self, shape, dtype):
        self._subs["conv_dilation"].initialize(shape, dtype)
        self._subs["conv_1x1"].initialize(shape[:-1] + (self.ch_dilation,), dtype)

    def output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, X, X_skip=None):
        X = float_input(X, ndim=3)
        self._ensure(X)
        FG = self._subs["conv_dilation"].forward(X)
        C = self.ch_dilation
        tF, sG = np.tanh(FG[..., :C]), _sigmoid(FG[..., C:])
        out = self._subs["conv_1x1"].forward(tF * sG)
        self._cache = (tF, sG)
        self._skip_out = out if X_skip is None else out + np.asarray(X_skip)
        return X + out

    @property
    def skip_output(self):
        """Y_skip of the last forward."""
        return self.__dict__.get("_skip_out")

    @property
    def skip_input_grad(self):
        """dL/dX_skip of the last backward."""
        return self.__dict__.get("_skip_grad")

    def backward(self, dY, dY_skip=None):
        tF, sG = self.__dict__.get("_cache") or self._no_forward()
        dY = np.asarray(dY)
        dout = dY if dY_skip is None else dY + np.asarray(dY_skip)
        dZ = self._subs["conv_1x1"].backward(dout)
        dFG = np.concatenate([dZ * sG * (1 - tF * tF), dZ * tF * sG * (1 - sG)], axis=-1)
        dX = dY + self._subs["conv_dilation"].backward(dFG)
        self._skip_grad = None if dY_skip is None else np.asarray(dY_skip).copy()
        self._collect_grads()
        return dX
