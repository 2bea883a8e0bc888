"""The ``sequential`` estimator: training from one spec on the bundled digits, save/load
resuming exactly, per-layer optimizer clones, dtype, summary, scikit-learn compatibility."""

import time

import numpy as np
import pytest
from mlcore_nn.datasets import load_digits

import mlcore
from mlcore.errors import NotFittedError

MLP = ("sequential(layers=[dense(n_out=32, act_fn=relu), dropout(p=0.1), dense(n_out=10)], "
       "loss=softmax_cross_entropy, optimizer=adam(lr=0.003), random_state=0)")
CNN = ("sequential(layers=[conv2d(out_ch=16, kernel_shape=3, pad='same', act_fn=relu), pool2d(kernel_shape=2), "
       "conv2d(out_ch=32, kernel_shape=3, pad='same', act_fn=relu), pool2d(kernel_shape=2), flatten, "
       "dense(n_out=64, act_fn=relu), dense(n_out=10)], loss=softmax_cross_entropy, "
       "optimizer=adam(lr=0.003), random_state=0)")


@pytest.fixture(scope="module")
def digits_flat():
    return load_digits(flat=True)


def test_bundled_digits_are_sklearns(digits_flat):
    """Reference: sklearn.datasets.load_digits (the file's provenance)."""
    from sklearn.datasets import load_digits as sk_load

    Xtr, Xte, ytr, yte = digits_flat
    d = sk_load()
    assert len(Xtr) + len(Xte) == len(d.data) == 1797
    X = np.concatenate([Xtr, Xte]) * 16
    y = np.concatenate([ytr, yte])
    order = np.lexsort(X.T[::-1])
    sk_order = np.lexsort(d.data.T[::-1])
    np.testing.assert_array_equal(X[order], d.data[sk_order])
    np.testing.assert_array_equal(y[order], d.target[sk_order])


def test_cnn_reaches_95_percent_on_digits_quickly():
    """Acceptance: a sequential CNN >= 95 % test accuracy on the 8x8 digits in under a minute."""
    Xtr, Xte, ytr, yte = load_digits()
    net = mlcore.build(CNN)
    t0 = time.perf_counter()
    net.fit(Xtr, ytr, epochs=5, batch_size=32)
    assert time.perf_counter() - t0 < 60
    assert net.score(Xte, yte) >= 0.95


def test_mlp_fit_predict_evaluate(digits_flat):
    Xtr, Xte, ytr, yte = digits_flat
    net = mlcore.build(MLP).fit(Xtr, ytr, epochs=10, batch_size=32, validation_data=(Xte, yte))
    acc = net.score(Xte, yte)
    assert acc > 0.93
    assert set(net.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert net.history is net.history_
    assert len(net.history_["loss"]) == 10 and net.history_["loss"][-1] < net.history_["loss"][0]
    ev = net.evaluate(Xte, yte)
    assert ev["accuracy"] == pytest.approx(acc) and ev["loss"] > 0
    proba = net.predict_proba(Xte)
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-12)
    np.testing.assert_array_equal(net.classes_[proba.argmax(1)], net.predict(Xte))
    assert net.n_steps_ == 10 * int(np.ceil(len(Xtr) / 32)) and net.epochs_ == 10


def test_string_labels_round_trip(digits_flat):
    Xtr, _, ytr, _ = digits_flat
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    net = mlcore.build(MLP).fit(Xtr[:300], names[ytr[:300]], epochs=2)
    assert set(net.predict(Xtr[:50])) <= set(names)


def test_save_load_predicts_and_resumes_training_identically(digits_flat, tmp_path):
    Xtr, Xte, ytr, _ = digits_flat
    net = mlcore.build(MLP).fit(Xtr, ytr, epochs=2)
    path = mlcore.save(net, tmp_path / "net.npz")
    loaded = mlcore.load(path)
    np.testing.assert_array_equal(loaded.forward(Xte), net.forward(Xte))
    net.partial_fit(Xtr, ytr, epochs=2)
    loaded.partial_fit(Xtr, ytr, epochs=2)            # dropout masks, shuffles and Adam state continue
    for a, b in zip(net.layers_, loaded.layers_):
        for k in a.params:
            np.testing.assert_array_equal(a.params[k], b.params[k])
    assert loaded.history_ == net.history_ and loaded.n_steps_ == net.n_steps_


def test_same_seed_same_network_and_refit_restarts(digits_flat):
    Xtr, _, ytr, _ = digits_flat
    a = mlcore.build(MLP).fit(Xtr[:200], ytr[:200], epochs=2)
    b = mlcore.build(MLP).fit(Xtr[:200], ytr[:200], epochs=2)
    np.testing.assert_array_equal(a.layers_[0].params["W"], b.layers_[0].params["W"])
    W = a.layers_[0].params["W"].copy()
    a.fit(Xtr[:200], ytr[:200], epochs=2)              # fit starts again from the same seed
    np.testing.assert_array_equal(a.layers_[0].params["W"], W)
    c = mlcore.build(MLP, random_state=1).fit(Xtr[:200], ytr[:200], epochs=2)
    assert not np.array_equal(c.layers_[0].params["W"], W)


def test_optimizers_are_cloned_per_layer_never_shared(digits_flat):
    """numpy-ml shared one optimizer (and its state) between layers."""
    Xtr, _, ytr, _ = digits_flat
    spec = ("sequential(layers=[dense(n_out=16, act_fn=relu, optimizer=sgd(lr=0.05)), dense(n_out=16), "
            "dense(n_out=10)], loss=softmax_cross_entropy, optimizer=adam(lr=0.01), random_state=0)")
    net = mlcore.build(spec).fit(Xtr[:100], ytr[:100], epochs=1)
    opts = net.optimizers_
    assert len({id(o) for o in opts}) == 3 and all(o is not net.optimizer for o in opts)
    assert mlcore.to_spec(opts[0]) == "sgd(lr=0.05)" and opts[0] is not net.layers[0].optimizer
    assert mlcore.to_spec(opts[1]) == mlcore.to_spec(opts[2]) == "adam(lr=0.01)"
    assert opts[1].state_["W"]["exp_avg"].shape == (16, 16)
    assert opts[2].state_["W"]["exp_avg"].shape == (16, 10)
    assert not hasattr(net.optimizer, "state_") or not net.optimizer.state_   # the template is untouched


def test_per_layer_updates_equal_a_manual_adam_step():
    """One step of the network = forward, backward, and one Adam step per layer (reference:
    the closed-form first Adam step, theta - lr * g / (|g| + eps))."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=8)
    net = mlcore.build("sequential(layers=[dense(n_out=4, act_fn=tanh), dense(n_out=2)], "
                       "loss=softmax_cross_entropy, optimizer=adam(lr=0.1), random_state=0)")
    net.partial_fit(X, y, epochs=1, batch_size=8, shuffle=False)
    ref = mlcore.build("sequential(layers=[dense(n_out=4, act_fn=tanh), dense(n_out=2)], "
                       "loss=softmax_cross_entropy, optimizer=sgd(lr=0.0), random_state=0)")
    ref.partial_fit(X, y, epochs=1, batch_size=8, shuffle=False)   # lr 0: initial weights, gradients kept
    for new, old in zip(net.layers_, ref.layers_):
        for k in old.params:
            g = old.grads[k]
            np.testing.assert_allclose(new.params[k], old.params[k] - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-10)


def test_frozen_layer_keeps_its_parameters(digits_flat):
    Xtr, _, ytr, _ = digits_flat
    net = mlcore.build(MLP).fit(Xtr[:200], ytr[:200], epochs=1)
    W0 = net.layers_[0].params["W"].copy()
    W2 = net.layers_[2].params["W"].copy()
    net.layers_[0].freeze()
    net.partial_fit(Xtr[:200], ytr[:200], epochs=1)
    np.testing.assert_array_equal(net.layers_[0].params["W"], W0)
    assert not np.array_equal(net.layers_[2].params["W"], W2)


def test_float32_mode(digits_flat):
    Xtr, Xte, ytr, yte = digits_flat
    net = mlcore.build(MLP, dtype="float32").fit(Xtr, ytr, epochs=5)
    assert all(p.dtype == np.float32 for layer in net.layers_ for p in layer.params.values())
    assert net.forward(Xte).dtype == np.float32
    assert net.score(Xte, yte) > 0.9


def test_regression_with_squared_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    net = mlcore.build("sequential(layers=[dense(n_out=1)], loss=squared_error, optimizer=adam(lr=0.05), "
                       "random_state=0)").fit(X, y, epochs=60, batch_size=32)
    assert net.predict(X).shape == (200,)
    assert net.score(X, y) > 0.999
    np.testing.assert_allclose(net.layers_[0].params["W"][:, 0], [1.0, -2.0, 0.5], atol=0.02)


def test_embedding_network_takes_integer_ids():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 20, size=(120, 5))
    y = (X == 3).any(axis=1).astype(int)
    net = mlcore.build("sequential(layers=[embedding(n_out=8, vocab_size=20, pool='sum'), dense(n_out=2)], "
                       "loss=softmax_cross_entropy, optimizer=adam(lr=0.05), random_state=0)")
    net.fit(X, y, epochs=30)
    assert net.score(X, y) > 0.95


def test_summary_lists_shapes_and_parameter_counts(digits_flat):
    net = mlcore.build(CNN)
    text = net.summary(input_shape=(8, 8, 1))
    counts = [3 * 3 * 1 * 16 + 16, 3 * 3 * 16 * 32 + 32, 128 * 64 + 64, 64 * 10 + 10]
    for c in counts:
        assert f"{c:,}" in text
    assert "(None, 4, 4, 16)" in text and "(None, 128)" in text and f"{sum(counts):,} parameters" in text
    with pytest.raises(NotFittedError):
        net.summary()


def test_callbacks_can_stop_training(digits_flat):
    Xtr, _, ytr, _ = digits_flat
    seen = []

    def stop_after_two(model, epoch, logs):
        seen.append((epoch, round(logs["loss"], 12)))
        return epoch >= 1

    net = mlcore.build(MLP).fit(Xtr[:100], ytr[:100], epochs=10, callbacks=[stop_after_two])
    assert net.epochs_ == 2 and len(seen) == 2 and len(net.history_["loss"]) == 2


def test_errors():
    from mlcore.errors import ComponentArgumentError

    net = mlcore.build(MLP)
    with pytest.raises(NotFittedError):
        net.predict(np.zeros((2, 64)))
    net.fit(np.random.default_rng(0).normal(size=(20, 64)), np.arange(20) % 3, epochs=1)
    with pytest.raises(ValueError, match="X has 63 features, but Sequential is expecting 64"):
        net.predict(np.zeros((2, 63)))
    with pytest.raises(ValueError, match="labels not seen"):
        net.partial_fit(np.zeros((2, 64)), np.array([0, 7]))
    with pytest.raises(ValueError, match="NaN"):
        net.predict(np.full((2, 64), np.nan))
    with pytest.raises(ComponentArgumentError):
        mlcore.build("sequential(layers=[], loss=squared_error)")
    with pytest.raises(ComponentArgumentError):
        mlcore.build("sequential(layers=[dense(n_out=1)], loss=squared_error, dtype='float16')")


def test_sklearn_clone_and_cross_validation(digits_flat):
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    Xtr, _, ytr, _ = digits_flat
    net = mlcore.build(MLP)
    c = clone(net)
    assert mlcore.to_spec(c, full=True) == mlcore.to_spec(net, full=True)
    scores = cross_val_score(net, Xtr[:300], ytr[:300], cv=3, params={"epochs": 20})
    assert scores.min() > 0.75          # chance level is 0.1


def test_conv_batchnorm_dropout_network_resumes_exactly(tmp_path):
    """Running statistics, wrapped dropout masks and per-layer Adam states all survive save/load."""
    Xtr, Xte, ytr, _ = load_digits()
    Xtr, ytr = Xtr[:200], ytr[:200]
    spec = ("sequential(layers=[conv2d(out_ch=4, kernel_shape=3, pad='same'), batchnorm2d, "
            "dropout(p=0.2, layer=pool2d(kernel_shape=2)), layernorm2d, flatten, dropout(p=0.3), "
            "dense(n_out=16, act_fn=gelu), batchnorm1d, dense(n_out=10)], loss=softmax_cross_entropy, "
            "optimizer=adam(lr=0.003), random_state=1)")
    net = mlcore.build(spec).fit(Xtr, ytr, epochs=2)
    loaded = mlcore.load(mlcore.save(net, tmp_path / "cnn.npz"))
    np.testing.assert_array_equal(loaded.forward(Xte), net.forward(Xte))
    np.testing.assert_array_equal(loaded.layers_[1].running_var_, net.layers_[1].running_var_)
    net.partial_fit(Xtr, ytr, epochs=1)
    loaded.partial_fit(Xtr, ytr, epochs=1)
    np.testing.assert_array_equal(loaded.forward(Xte), net.forward(Xte))


def test_one_hot_targets_predict_column_indices(digits_flat):
    Xtr, Xte, ytr, yte = digits_flat
    net = mlcore.build(MLP).fit(Xtr, np.eye(10)[ytr], epochs=5)
    assert not hasattr(net, "classes_")
    pred = net.predict(Xte)
    assert pred.dtype.kind == "i" and (pred == yte).mean() > 0.9
    assert net.score(Xte, np.eye(10)[yte]) == pytest.approx((pred == yte).mean())


def test_progress_bar_when_asked(digits_flat, capsys):
    pytest.importorskip("tqdm")
    Xtr, _, ytr, _ = digits_flat
    mlcore.build(MLP).fit(Xtr[:64], ytr[:64], epochs=2, progress=True)
    assert "epoch" in capsys.readouterr().err
    mlcore.build(MLP).fit(Xtr[:64], ytr[:64], epochs=1, progress=False)
    assert capsys.readouterr().err == ""
