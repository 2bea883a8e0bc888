"""ResNet blocks ``skip_connection_identity`` and ``skip_connection_conv`` (channels last)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from mlcore.validation import check_scalar

from ..layers._base import as_component, check_int, check_shape_arg, float_input
from ._composite import Composite

__all__ = ["SkipConnectionConv", "SkipConnectionIdentity"]


def _ks(k):
    return tuple(k) if isinstance(k, (list, tuple)) else k


class _Block(Composite):

    input_ndim = 4
    input_layout = "(n, rows, cols, channels)"
    def _act(self, Z):
        return self.act_fn.fn(Z) if self.act_fn is not None else Z

    def _dact(self, dY, Z):
        return dY * self.act_fn.grad(Z) if self.act_fn is not None else dY

    def _main(self, X):
        s = self._subs
        Z1 = s["bn1"].forward(s["conv1"].forward(X))
        A1 = self._act(Z1)
        return Z1, s["bn2"].forward(s["conv2"].forward(A1))

    def _main_backward(self, dZ2, Z1):
        s = self._subs
        dA1 = s["conv2"].backward(s["bn2"].backward(dZ2))
        return s["conv1"].backward(s["bn1"].backward(self._dact(dA1, Z1)))

    def _skip(self, X):
        return X

    def _skip_backward(self, dS):
        return dS

    def forward(self, X):
        X = float_input(X, ndim=4)
        self._ensure(X)
        Z1, M = self._main(X)
        Z = M + self._skip(X)
        self._cache = (Z1, Z)
        return self._act(Z)

    def backward(self, dY):
        Z1, Z = self.__dict__.get("_cache") or self._no_forward()
        dZ = self._dact(np.asarray(dY), Z)
        dX = self._main_backward(dZ, Z1) + self._skip_backward(dZ)
        self._collect_grads()
        return dX


class SkipConnectionIdentity(_Block):
    """ResNet identity block: Y = f(BN(conv2(f(BN(conv1(X))))) + X).

    Parameters
    ----------
    out_ch : int
        Channels of the first convolution (the second maps back to the input's channels).
    kernel_shape1, kernel_shape2 : int or (int, int), default 3
        Kernels of the two "same"-padded stride-1 convolutions.
    act_fn : activation, default relu
    momentum, epsilon : float
        Of both ``batchnorm2d`` layers (PyTorch convention, momentum 0.1).
    init, optimizer, random_state
        As for ``conv2d``; ``init`` applies to both convolutions.

    Shapes
    ------
    X (n, rows, cols, ch) -> same shape. Parameters ``conv1.W``, ``conv1.b``, ``bn1.gamma``,
    ``bn1.beta``, ``conv2.*``, ``bn2.*`` (see the sub-layers); running statistics are
    saved with the block.

    Notes
    -----
    Backward: dZ = dY f'(Z); the identity path passes dZ to dX unchanged, the main path
    backpropagates through bn2, conv2, f, bn1 and conv1. The activation after conv1 follows
    He et al.; numpy-ml applied it inside the first convolution, before batch norm.

    References
    ----------
    He, Zhang, Ren, Sun (2016). Deep residual learning for image recognition. CVPR.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> block = mlcore.build("skip_connection_identity(out_ch=4, random_state=0)")
    >>> block.forward(np.ones((2, 5, 5, 3))).shape
    (2, 5, 5, 3)
    """

    def __init__(self, out_ch: int, kernel_shape1=3, kernel_shape2=3, act_fn="relu", momentum: float = 0.1,
                 epsilon: float = 1e-5, init=None, optimizer=None, random_state=None):
        self.out_ch = check_int(out_ch, "out_ch")
        self.kernel_shape1 = check_shape_arg(kernel_shape1, "kernel_shape1")
        self.kernel_shape2 = check_shape_arg(kernel_shape2, "kernel_shape2")
        self.act_fn = as_component(act_fn, "activation")
        self.momentum = check_scalar(momentum, "momentum", low=0, high=1)
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, low_inclusive=False)
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    spec_kinds: ClassVar[dict] = {"init": "initializer", "optimizer": "optimizer", "act_fn": "activation"}

    @classmethod
    def conformance_example(cls):
        return {"spec": "skip_connection_identity(out_ch=2, act_fn=tanh, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(3, 4, 4, 2)), "grad_rtol": 1e-4}

    def _sub_specs(self, input_shape):
        bn = f"batchnorm2d(momentum={self.momentum!r}, epsilon={self.epsilon!r})"
        return {"conv1": f"conv2d(out_ch={self.out_ch}, kernel_shape={_ks(self.kernel_shape1)!r}, pad='same')",
                "bn1": bn,
                "conv2": f"conv2d(out_ch={input_shape[-1]}, kernel_shape={_ks(self.kernel_shape2)!r}, pad='same')",
                "bn2": bn}

    def output_shape(self, input_shape):
        return tuple(input_shape)


class SkipConnectionConv(_Block):
    """ResNet projection block: Y = f(BN(conv2(f(BN(conv1(X))))) + BN(conv_skip(X))).

    Parameters
    ----------
    out_ch1, out_ch2 : int
        Channels of the two main-path convolutions (the block outputs out_ch2).
    kernel_shape1, kernel_shape2, kernel_shape_skip : int or (int, int)
        Kernels (defaults 3, 3, 1); every convolution is "same"-padded.
    stride1, stride2 : int, default 1
    stride_skip : int, optional
        Default stride1 * stride2, which makes both paths' shapes agree
        (ceil(ceil(n / s1) / s2) = ceil(n / (s1 s2))).
    act_fn, momentum, epsilon, init, optimizer, random_state
        As for ``skip_connection_identity``.

    Shapes
    ------
    X (n, rows, cols, ch) -> (n, ceil(rows / s), ceil(cols / s), out_ch2), s = stride1 * stride2.
    Parameters ``conv1.*``, ``bn1.*``, ``conv2.*``, ``bn2.*``, ``conv_skip.*``, ``bn_skip.*``.

    References
    ----------
    He, Zhang, Ren, Sun (2016). Deep residual learning for image recognition. CVPR.

    Example
    -------
    >>> import numpy as np, mlcore
    >>> block = mlcore.build("skip_connection_conv(out_ch1=4, out_ch2=6, stride1=2, random_state=0)")
    >>> block.forward(np.ones((2, 5, 5, 3))).shape
    (2, 3, 3, 6)
    """

    spec_kinds: ClassVar[dict] = {"init": "initializer", "optimizer": "optimizer", "act_fn": "activation"}

    def __init__(self, out_ch1: int, out_ch2: int, kernel_shape1=3, kernel_shape2=3, kernel_shape_skip=1,
                 stride1: int = 1, stride2: int = 1, stride_skip=None, act_fn="relu", momentum: float = 0.1,
                 epsilon: float = 1e-5, init=None, optimizer=None, random_state=None):
        self.out_ch1 = check_int(out_ch1, "out_ch1")
        self.out_ch2 = check_int(out_ch2, "out_ch2")
        self.kernel_shape1 = check_shape_arg(kernel_shape1, "kernel_shape1")
        self.kernel_shape2 = check_shape_arg(kernel_shape2, "kernel_shape2")
        self.kernel_shape_skip = check_shape_arg(kernel_shape_skip, "kernel_shape_skip")
        self.stride1 = check_int(stride1, "stride1")
        self.stride2 = check_int(stride2, "stride2")
        self.stride_skip = check_int(stride_skip, "stride_skip", allow_none=True)
        self.act_fn = as_component(act_fn, "activation")
        self.momentum = check_scalar(momentum, "momentum", low=0, high=1)
        self.epsilon = check_scalar(epsilon, "epsilon", low=0, low_inclusive=False)
        self.init = as_component(init, "initializer")
        self.optimizer = as_component(optimizer, "optimizer")
        self.random_state = random_state

    @classmethod
    def conformance_example(cls):
        return {"spec": "skip_connection_conv(out_ch1=2, out_ch2=3, stride1=2, act_fn=tanh, random_state=0)",
                "input": np.random.default_rng(0).normal(size=(3, 5, 4, 2)), "grad_rtol": 1e-4}

    def _sub_specs(self, input_shape):
        bn = f"batchnorm2d(momentum={self.momentum!r}, epsilon={self.epsilon!r})"
        ss = self.stride_skip or self.stride1 * self.stride2
        return {"conv1": f"conv2d(out_ch={self.out_ch1}, kernel_shape={_ks(self.kernel_shape1)!r}, "
                         f"stride={self.stride1}, pad='same')", "bn1": bn,
                "conv2": f"conv2d(out_ch={self.out_ch2}, kernel_shape={_ks(self.kernel_shape2)!r}, "
                         f"stride={self.stride2}, pad='same')", "bn2": bn,
                "conv_skip": f"conv2d(out_ch={self.out_ch2}, kernel_shape={_ks(self.kernel_shape_skip)!r}, "
                             f"stride={ss}, pad='same')", "bn_skip": bn}

    def _build_shapes(self, shape, dtype):
        s = self._subs
        main = shape
        for n in ("conv1", "bn1", "conv2", "bn2"):
            s[n].initialize(main, dtype)
            main = s[n].output_shape(main)
        skip = shape
        for n in ("conv_skip", "bn_skip"):
            s[n].initialize(skip, dtype)
            skip = s[n].output_shape(skip)
        if main != skip:
            raise ValueError(f"main path gives {main} but the skip path {skip}; adjust stride_skip")

    def output_shape(self, input_shape):
        shape = tuple(input_shape)
        if "_subs" not in self.__dict__:
            self.initialize(shape)
        for n in ("conv1", "bn1", "conv2", "bn2"):
            shape = self._subs[n].output_shape(shape)
        return shape

    def _skip(self, X):
        return self._subs["bn_skip"].forward(self._subs["conv_skip"].forward(X))

    def _skip_backward(self, dS):
        return self._subs["conv_skip"].backward(self._subs["bn_skip"].backward(dS))
