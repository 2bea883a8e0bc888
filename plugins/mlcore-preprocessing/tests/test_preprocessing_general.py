"""Standardizer, one-hot encoder, feature hasher and minibatch."""

import numpy as np
import pytest
from mlcore_preprocessing import minibatch
from mlcore_preprocessing.hashing import hash_strings
from sklearn.preprocessing import OneHotEncoder as SkOneHot
from sklearn.preprocessing import StandardScaler

import mlcore


@pytest.mark.parametrize("with_mean", [True, False])
@pytest.mark.parametrize("with_std", [True, False])
def test_standardizer_equals_standard_scaler_and_inverts(with_mean, with_std):
    rng = np.random.default_rng(0)
    X = rng.normal(5, 3, size=(50, 4))
    X[:, 1] = 2.5                                             # zero-variance feature
    before = X.copy()
    s = mlcore.build("standardizer", with_mean=with_mean, with_std=with_std).fit(X)
    ref = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)   # reference: sklearn
    Z = s.transform(X)
    np.testing.assert_allclose(Z, ref.transform(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.inverse_transform(Z), X, rtol=1e-12)
    assert np.array_equal(X, before) and np.isfinite(Z).all()
    if with_std:
        np.testing.assert_allclose(s.scale_, ref.scale_, rtol=1e-12)


def test_standardizer_errors():
    s = mlcore.build("standardizer")
    with pytest.raises(mlcore.errors.NotFittedError):
        s.transform(np.ones((2, 2)))
    s.fit(np.ones((3, 2)))
    with pytest.raises(ValueError):
        s.transform(np.ones((2, 3)))
    with pytest.raises(ValueError):
        s.fit([[1.0, np.nan]])


def test_one_hot_equals_sklearn_and_inverts():
    y = np.array(["b", "c", "a", "c", "b"])
    enc = mlcore.build("one_hot_encoder").fit(y)
    ref = SkOneHot(sparse_output=False).fit(y.reshape(-1, 1))               # reference: sklearn
    np.testing.assert_array_equal(enc.transform(y), ref.transform(y.reshape(-1, 1)))
    assert enc.categories_.tolist() == ["a", "b", "c"]
    assert enc.inverse_transform(enc.transform(y)).tolist() == y.tolist()
    with pytest.raises(ValueError):
        enc.transform(["d"])
    ign = mlcore.build("one_hot_encoder(handle_unknown='ignore')").fit([3, 1, 2])
    np.testing.assert_array_equal(ign.transform([1, 5]), [[1, 0, 0], [0, 0, 0]])
    fixed = mlcore.build("one_hot_encoder(categories=[3, 1, 2])").fit([1, 2])
    np.testing.assert_array_equal(fixed.transform([1, 3]), [[0, 1, 0], [1, 0, 0]])
    with pytest.raises(TypeError):
        mlcore.build("one_hot_encoder").fit(np.array([1, "a"], dtype=object))


def _fnv_fmix_reference(s: str) -> int:
    """Scalar reference of the documented hash: FNV-1a 64 over code points + fmix64."""
    M = 2**64
    h = 0xCBF29CE484222325
    for ch in s:
        if ord(ch):
            h = ((h ^ ord(ch)) * 0x100000001B3) % M
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) % M
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) % M
    return h ^ (h >> 33)


def test_hash_equals_scalar_reference_and_is_stable():
    keys = ["", "a", "dog", "ünïcode ✓", "x" * 70, "b"]
    assert hash_strings(keys).tolist() == [_fnv_fmix_reference(k) for k in keys]
    assert hash_strings(["dog"]).tolist() == hash_strings(["dog", "a much longer key"])[:1].tolist()


def test_feature_hasher_signed_dense_and_sparse():
    rng = np.random.default_rng(0)
    X = [{f"f{j}": float(v) for j, v in zip(rng.integers(0, 500, 8), rng.standard_normal(8))} for _ in range(40)]
    fh = mlcore.build("feature_hasher(n_features=64)").fit()
    D = fh.transform(X)
    S = mlcore.build("feature_hasher(n_features=64, sparse=True)").fit().transform(X)
    np.testing.assert_allclose(S.toarray(), D, atol=1e-15)
    # reference: a per-key loop over the documented column/sign rule
    ref = np.zeros((40, 64))
    for i, d in enumerate(X):
        for k, v in d.items():
            h = _fnv_fmix_reference(k)
            ref[i, h % 64] += -v if h >> 63 else v
    np.testing.assert_allclose(D, ref, atol=1e-12)
    signs = [(_fnv_fmix_reference(f"f{j}") >> 63) for j in range(500)]
    assert 200 < sum(signs) < 300                     # both signs occur (numpy-ml: always +1)
    unsigned = mlcore.build("feature_hasher(n_features=64, alternate_sign=False)").fit().transform(X)
    np.testing.assert_allclose(np.abs(unsigned).sum(), np.abs(ref).sum(), rtol=0.5)  # same scale
    pairs = mlcore.build("feature_hasher(n_features=64, input_type='pair')").fit().transform(
        [list(d.items()) for d in X])
    np.testing.assert_allclose(pairs, D)
    strings = mlcore.build("feature_hasher(n_features=64, input_type='string')").fit().transform([["a", "b"]])
    cat = fh.transform([{"colour": "red"}])
    assert strings.shape == (1, 64) and abs(cat).sum() == 1
    np.testing.assert_array_equal(cat, fh.transform([{"colour=red": 1.0}]))
    with pytest.raises(TypeError):
        fh.transform({"a": 1})


def test_minibatch_partitions_and_is_reproducible():
    batches = list(minibatch(np.zeros((10, 2)), batch_size=3, random_state=0))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = list(minibatch(10, batch_size=3, random_state=0))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    assert len(minibatch(10, 3, drop_last=True)) == 3
    assert [b.tolist() for b in minibatch(4, 2, shuffle=False)] == [[0, 1], [2, 3]]
    with pytest.raises(ValueError):
        minibatch(10, 0)
