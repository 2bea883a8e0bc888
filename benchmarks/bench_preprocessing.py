"""mlcore-preprocessing against NumPy, SciPy and scikit-learn (issue 10 workloads).

Run with single-threaded BLAS (``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1``); each
workload reports the median time of mlcore and of the reference in this process.
"""

from __future__ import annotations

import numpy as np
from _harness import paired_median_times


def _zipf_docs(n_docs, vocab=3000, seed=0, lo=20, hi=120):
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(vocab)])
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    return [" ".join(rng.choice(words, size=int(rng.integers(lo, hi)), p=p)) for _ in range(n_docs)]


def _dft(n, repeat):
    from mlcore_preprocessing import dft

    x = np.random.default_rng(n).standard_normal(n)
    ref = np.fft.fft(x)
    err = np.abs(dft(x) - ref).max() / np.abs(ref).max()
    t, r = paired_median_times(lambda: dft(x), lambda: np.fft.fft(x), repeat=repeat, warmup=3)
    return {"workload": f"dft N={n:,} (real input, full spectrum)", "mlcore": t,
            "reference": "numpy.fft.fft", "ref": r, "quality": f"max rel err {err:.1e}",
            "target": 5.0 if n & (n - 1) == 0 else 10.0}


def workloads(quick: bool = False):
    repeat = 5 if quick else 21
    yield _dft(4096, repeat)
    yield _dft(4095, repeat)

    # tfidf: 2,000 documents, V ~ 3,000 (Zipf), sparse output like scikit-learn
    from sklearn.feature_extraction.text import TfidfVectorizer

    import mlcore

    docs = _zipf_docs(500 if quick else 2000)
    enc = mlcore.build("tfidf(sparse=True)")
    A = enc.fit_transform(docs)
    B = TfidfVectorizer().fit_transform(docs)
    diff = abs(A - B).max()
    t, r = paired_median_times(lambda: mlcore.build("tfidf(sparse=True)").fit_transform(docs),
                               lambda: TfidfVectorizer().fit_transform(docs), repeat=3 if quick else 5)
    yield {"workload": f"tfidf fit_transform {len(docs):,} docs, V={A.shape[1]:,}", "mlcore": t,
           "reference": "sklearn TfidfVectorizer", "ref": r, "quality": f"max abs diff {diff:.1e}",
           "target": 1.5}

    # feature hashing: 5,000 samples x 20 string keys -> 1,024 columns (CSR like sklearn)
    from sklearn.feature_extraction import FeatureHasher as SkFeatureHasher

    rng = np.random.default_rng(0)
    names = [f"feature_{i}" for i in range(100_000)]
    n = 1000 if quick else 5000
    X = [{names[j]: float(v) for j, v in zip(rng.integers(0, len(names), 20), rng.standard_normal(20))}
         for _ in range(n)]
    fh = mlcore.build("feature_hasher(n_features=1024, sparse=True)").fit()
    sk = SkFeatureHasher(n_features=1024)
    t, r = paired_median_times(lambda: fh.transform(X), lambda: sk.transform(X), repeat=repeat)
    yield {"workload": f"feature_hasher {n:,} x 20 keys -> 1,024", "mlcore": t,
           "reference": "sklearn FeatureHasher", "ref": r,
           "quality": f"nnz {fh.transform(X).nnz} vs {sk.transform(X).nnz}", "target": 3.0}

    # bilinear resampling 512x512x3 -> 1024x1024x3
    from mlcore_preprocessing import batch_resample
    from scipy import ndimage

    size = 128 if quick else 512
    img = np.random.default_rng(1).random((size, size, 3))
    out = batch_resample(img[None], (2 * size, 2 * size))[0]
    ref = ndimage.zoom(img, (2, 2, 1), order=1)
    t, r = paired_median_times(lambda: batch_resample(img[None], (2 * size, 2 * size)),
                               lambda: ndimage.zoom(img, (2, 2, 1), order=1), repeat=5)
    yield {"workload": f"bilinear {size}x{size}x3 -> {2 * size}x{2 * size}", "mlcore": t,
           "reference": "scipy.ndimage.zoom(order=1)", "ref": r,
           "quality": f"max abs diff {np.abs(out - ref).max():.1e}", "target": 1.2}


if __name__ == "__main__":
    import sys

    for w in workloads(quick="--quick" in sys.argv):
        ratio = w["mlcore"] / w["ref"]
        print(f"{w['workload']:<50} mlcore {w['mlcore'] * 1e3:9.3f} ms  {w['reference']:<28} "
              f"{w['ref'] * 1e3:9.3f} ms  ratio {ratio:5.2f} (target <= {w['target']})  {w['quality']}")
