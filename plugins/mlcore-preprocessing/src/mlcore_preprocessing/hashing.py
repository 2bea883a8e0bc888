"""The hashing trick: features named by strings into a fixed number of signed columns."""

from __future__ import annotations

from itertools import chain

import numpy as np

from mlcore.interfaces import Estimator
from mlcore.validation import check_choice, check_is_fitted, check_scalar

__all__ = ["FeatureHasher", "fmix64", "hash_strings"]

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def hash_strings(keys) -> np.ndarray:
    """Stable 64-bit hashes of strings (vectorised FNV-1a over code points, then fmix64).

    Parameters
    ----------
    keys : sequence of str

    Returns
    -------
    ndarray of uint64, shape (n,)
        Independent of the process, the platform and ``PYTHONHASHSEED``.

    Notes
    -----
    FNV-1a: ``h = 0xcbf29ce484222325``; for each Unicode code point ``c``:
    ``h = (h xor c) * 0x100000001b3 mod 2^64``; then MurmurHash3's 64-bit finaliser
    :func:`fmix64` (``h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33``) spreads every input bit over the output.
    Earlier builds mistyped the second multiplier as the even ``0xc4ceb93fe53ec36`` (not
    one-to-one); the fix changed every hash and so the columns of ``feature_hasher``.
    The loop runs over character positions
    (the longest key), each step one operation over all keys. NUL characters are skipped
    (they pad NumPy's fixed-width strings).
    """
    arr = np.asarray(keys)
    if arr.dtype.kind != "U":
        arr = np.array([str(k) for k in keys], dtype=str) if len(arr) else np.zeros(0, dtype="<U1")
    arr = np.ascontiguousarray(arr)
    n = len(arr)
    width = max(arr.dtype.itemsize // 4, 1)
    codes = arr.view(np.uint32).reshape(n, width) if n else np.zeros((0, 1), np.uint32)
    h = np.full(n, _FNV_OFFSET, dtype=np.uint64)
    step = np.empty(n, dtype=np.uint64)
    for j in range(width):  # over character positions, vectorised over keys
        c = codes[:, j].astype(np.uint64)
        np.bitwise_xor(h, c, out=step)
        step *= _FNV_PRIME
        np.copyto(h, step, where=c != 0)
    return fmix64(h)


def fmix64(h) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, elementwise on unsigned 64-bit integers.

    ``h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53;
    h ^= h >> 33`` (mod 2^64), as ``fmix64`` in Austin Appleby's ``MurmurHash3.cpp``
    (SMHasher). Both multipliers are odd and ``h ^= h >> 33`` is invertible, so the
    finaliser is a bijection of the 64-bit integers.

    Parameters
    ----------
    h : array-like of uint64

    Returns
    -------
    ndarray of uint64 (a new array)
    """
    h = np.array(h, dtype=np.uint64)
    h ^= h >> np.uint64(33)
    h *= _FMIX_C1
    h ^= h >> np.uint64(33)
    h *= _FMIX_C2
    h ^= h >> np.uint64(33)
    return h


_FMIX_C1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_C2 = np.uint64(0xC4CEB9FE1A85EC53)


class FeatureHasher(Estimator):
    """Map named features to ``n_features`` columns by a stable signed hash.

    Parameters
    ----------
    n_features : int
        Number of output columns.
    input_type : {"dict", "pair", "string"}
        Each sample is a dict ``{name: value}``, an iterable of ``(name, value)`` pairs, or
        an iterable of names (value 1). A string value ``v`` of feature ``k`` becomes the
        feature ``"k=v"`` with value 1. Non-string names are converted with ``str``.
    alternate_sign : bool
        Multiply each value by a sign taken from the hash, so that collisions cancel in
        expectation and inner products are preserved without bias.
    sparse : bool
        Return a ``scipy.sparse.csr_matrix`` (needs SciPy) instead of a dense array.

    Attributes
    ----------
    n_features_out_ : int
        Set by ``fit``, which learns nothing else (the transform is stateless).

    Notes
    -----
    Column ``h(k) mod n_features``, sign ``+1`` if the top bit of ``h(k)`` is 0 else ``-1``,
    with ``h`` = :func:`hash_strings`; values of the same column are added.

    References
    ----------
    Weinberger, K. et al. (2009). Feature hashing for large scale multitask learning. ICML.

    Example
    -------
    >>> fh = FeatureHasher(n_features=8).fit()
    >>> fh.transform([{"dog": 1.0, "cat": 2.0}]).shape
    (1, 8)
    """

    _estimator_type = "transformer"
    #: input: dicts, pairs or token lists, not a 2-D numeric array (scikit-learn's matrix checks do not apply)
    _tags = {"two_d_array": False, "string": True, "dict": True}

    def __init__(self, n_features: int = 1024, input_type: str = "dict", alternate_sign: bool = True,
                 sparse: bool = False):
        self.n_features = n_features
        self.input_type = input_type
        self.alternate_sign = alternate_sign
        self.sparse = sparse

    def _check_params(self):
        """Hyperparameter checks (run by ``mlcore.build`` and at ``fit``; the constructor only stores)."""
        check_scalar(self.n_features, "n_features", int, low=1)
        check_choice(self.input_type, "input_type", ("dict", "pair", "string"))
        check_scalar(self.alternate_sign, "alternate_sign", bool)
        check_scalar(self.sparse, "sparse", bool)

    def fit(self, X=None, y=None):
        """Nothing to learn; records ``n_features_out_`` and returns self."""
        self.n_features_out_ = self.n_features
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def _flatten(self, X):
        """Feature names, values and per-sample counts."""
        if isinstance(X, (dict, str)):
            raise TypeError("X must be a sequence of samples; wrap a single sample in a list")
        samples = list(X)
        if self.input_type == "dict":
            for s in samples:
                if not isinstance(s, dict):
                    raise TypeError(f"input_type='dict' expects dicts, got {type(s).__name__}")
            lengths = np.fromiter(map(len, samples), dtype=np.intp, count=len(samples))
            keys = list(chain.from_iterable(samples))
            raw = list(chain.from_iterable(s.values() for s in samples))
        elif self.input_type == "pair":
            samples = [list(s) for s in samples]
            lengths = np.fromiter(map(len, samples), dtype=np.intp, count=len(samples))
            pairs = list(chain.from_iterable(samples))
            keys = [p[0] for p in pairs]
            raw = [p[1] for p in pairs]
        else:
            samples = [[s] if isinstance(s, str) else list(s) for s in samples]
            lengths = np.fromiter(map(len, samples), dtype=np.intp, count=len(samples))
            keys = list(chain.from_iterable(samples))
            raw = None
        if raw is None:
            values = np.ones(len(keys))
        else:
            try:
                values = np.fromiter(raw, dtype=np.float64, count=len(raw))
            except (TypeError, ValueError):  # string values: feature "name=value", value 1
                keys = [f"{k}={v}" if isinstance(v, str) else k for k, v in zip(keys, raw)]
                values = np.array([1.0 if isinstance(v, str) else v for v in raw], dtype=np.float64)
        if values.size and not np.isfinite(values).all():
            raise ValueError("feature values contain NaN or infinity")
        return keys, values, lengths

    def transform(self, X):
        """Hashed matrix ``(n_samples, n_features)`` (dense, or CSR if ``sparse``)."""
        check_is_fitted(self, "n_features_out_")
        keys, values, lengths = self._flatten(X)
        h = hash_strings(keys)
        col = (h % np.uint64(self.n_features)).astype(np.intp)
        if self.alternate_sign:
            values = np.where(h >> np.uint64(63), -values, values)
        n, m = len(lengths), self.n_features
        if self.sparse:
            try:
                import scipy.sparse as sp
            except ImportError:
                raise ImportError("sparse=True needs SciPy: pip install scipy") from None
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(lengths, out=indptr[1:])
            out = sp.csr_matrix((values, col, indptr), shape=(n, m))
            out.sum_duplicates()
            return out
        rows = np.repeat(np.arange(n), lengths)
        return np.bincount(rows * m + col, weights=values, minlength=n * m).reshape(n, m)

    @classmethod
    def conformance_example(cls):
        X = [{"dog": 1.0, "cat": 2.0, "elephant": 4.0}, {"dog": 2.0, "run": 5.0, "colour": "red"}]
        return {"spec": "feature_hasher(n_features=16)", "fit": (X,)}
