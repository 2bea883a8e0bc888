"""Plumbing shared by the generative models (not registered): layer stacks, optimizers, RNG state."""

from __future__ import annotations


def build_layers(specs, input_shape, rng, dtype="float64"):
    """Fresh layers from spec strings, initialised for ``input_shape`` with the shared ``rng``."""
    import mlcore

    layers, shape = [], tuple(input_shape)
    for spec in specs:
        layer = mlcore.build(spec, kind="layer")
        layer.attach_rng(rng)
        layer.initialize(shape, dtype)
        shape = layer.output_shape(shape)
        layers.append(layer)
    return layers


def build_optimizers(layers, spec):
    import mlcore

    return [mlcore.build(spec, kind="optimizer") if layer.params else None for layer in layers]


def forward(layers, X):
    for layer in layers:
        X = layer.forward(X)
    return X


def backward(layers, g):
    for layer in reversed(layers):
        g = layer.backward(g)
    return g


def step(layers, optimizers, extra=None):
    """One optimizer step per layer; ``extra[i]`` are gradients added to layer i's."""
    for i, (layer, opt) in enumerate(zip(layers, optimizers)):
        if opt is None:
            continue
        grads = layer.grads
        if extra is not None and extra[i] is not None:
            grads = {k: grads[k] + extra[i][k] for k in grads}
        opt.step(layer.params, grads)


def set_mode(layers, training):
    for layer in layers:
        layer.train(training)
