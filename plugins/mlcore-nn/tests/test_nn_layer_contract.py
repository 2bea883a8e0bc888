"""Registry-wide layer contract inside a real ``sequential`` (issue 22, sections 4 and 6).

* Reproducibility: for every registered layer with an array example, two networks of the
  same spec and seed have identical parameters after one training epoch (a layer inside a
  network draws only from the network's generator).
* Errors: a network whose first layer needs examples of another rank raises a ValueError
  naming the layer and the shapes (not an IndexError from ``output_shape``).
"""

import numpy as np
import pytest

import mlcore
from mlcore.testing import assert_state_equal, conformance_cases

LAYERS = [c for c in conformance_cases() if c.kind == "layer" and isinstance(c.example.get("input"), np.ndarray)]


def _unseeded(spec):
    layer = mlcore.build(spec, kind="layer")
    if "random_state" in layer.get_params(deep=False):
        layer.set_params(random_state=None)
    return mlcore.to_spec(layer, full=True)


def _net(spec, seed):
    return mlcore.build(f"sequential(layers=[{spec}, flatten(), dense(n_out=1)], loss=squared_error, "
                        f"optimizer=sgd(lr=0.01), random_state={seed})")


@pytest.mark.parametrize("case", LAYERS, ids=str)
def test_same_network_spec_and_seed_give_identical_parameters(case):
    X = case.example["input"]
    y = np.random.default_rng(1).normal(size=len(X))
    spec = _unseeded(case.spec)
    a, b = (_net(spec, 0).fit(X, y, epochs=1, batch_size=len(X)) for _ in range(2))
    for i, (la, lb) in enumerate(zip(a.layers_, b.layers_)):
        assert_state_equal(la.params, lb.params, f"layer {i} params")
    assert a.layers_[0].params or not b.layers_[0].params


@pytest.mark.parametrize("layer, words", [
    ("conv2d(out_ch=2, kernel_shape=3)", ["conv2d", "4 dimensions", "(8,)"]),
    ("pool2d(kernel_shape=2)", ["pool2d", "4 dimensions", "(8,)"]),
    ("conv1d(out_ch=2, kernel_width=3)", ["conv1d", "3 dimensions", "(8,)"]),
    ("deconv2d(out_ch=2, kernel_shape=3)", ["deconv2d", "4 dimensions", "(8,)"]),
    ("lstm(n_out=2)", ["lstm", "3 dimensions", "(8,)"]),
])
def test_wrong_input_rank_for_the_first_layer_names_layer_and_shapes(layer, words):
    net = mlcore.build(f"sequential(layers=[{layer}, flatten(), dense(n_out=2)], loss=softmax_cross_entropy)")
    with pytest.raises(ValueError) as info:
        net.fit(np.zeros((4, 8)), np.arange(4) % 2, epochs=1)
    for w in words:
        assert w in str(info.value)


def test_a_loss_driven_schedule_trains_inside_sequential():
    """Issue 22 §5: king needs the loss of each step; the network passes it to every optimizer."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    net = mlcore.build("sequential(layers=[dense(n_out=1)], loss=squared_error, "
                       "optimizer=sgd(lr=0.1, scheduler=king(patience=10, decay=0.5)), random_state=0)")
    net.fit(X, y, epochs=30, batch_size=16)
    assert net.history_["loss"][-1] < 1e-2 * net.history_["loss"][0]
    king = net.optimizers_[0].scheduler
    assert king.last_step_ == net.n_steps_ - 1 and king.history_.size > 0   # one recorded loss per step
