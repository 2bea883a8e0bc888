"""Demo: FFT against numpy.fft, MFCCs of a chirp, TF-IDF, Huffman, BPE and resampling."""

from __future__ import annotations

import time


def _best(fn, repeat=20):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run():
    import numpy as np

    import mlcore

    from . import batch_resample, dft, mfcc

    rng = np.random.default_rng(0)
    for n in (4096, 4095):
        x = rng.standard_normal(n)
        err = np.abs(dft(x) - np.fft.fft(x)).max() / np.abs(np.fft.fft(x)).max()
        t, ref = _best(lambda x=x: dft(x)), _best(lambda x=x: np.fft.fft(x))
        print(f"dft N={n}: rel. error vs numpy.fft {err:.1e}, {t * 1e6:.0f} us ({t / ref:.1f}x numpy.fft)")

    fs = 16000
    tt = np.arange(fs) / fs
    chirp = np.sin(2 * np.pi * (100 * tt + 0.5 * 3900 * tt ** 2))  # 100 Hz -> 4 kHz in 1 s
    t0 = time.perf_counter()
    C = mfcc(chirp, fs=fs, n_mfccs=13, n_filters=26)
    print(f"mfcc of a 1 s chirp: {C.shape[0]} frames x {C.shape[1]} coefficients "
          f"in {(time.perf_counter() - t0) * 1e3:.1f} ms")

    docs = ["the cat sat on the mat", "the dog sat on the log", "cats and dogs", "a log is not a mat"]
    tfidf = mlcore.build("tfidf(sublinear_tf=True)")
    X = tfidf.fit_transform(docs)
    top = tfidf.tokens_[X[0].argmax()]
    print(f"tfidf: {X.shape[0]} docs x {X.shape[1]} terms; top term of doc 0: {str(top)!r}")

    text = " ".join(docs * 20)
    huff = mlcore.build("huffman").fit(text)
    print(f"huffman: {len(huff.encode(text)) / len(text):.2f} bits per character ({len(huff.tokens_)} symbols)")
    bpe = mlcore.build("byte_pair_encoder(max_merges=100)").fit(docs * 5)
    ids = bpe.transform("the cat and the dog — naïve café")
    print(f"bpe: {len(bpe.merges_)} merges, 'the cat and the dog — naïve café' -> {len(ids)} tokens, "
          f"round trip ok: {bpe.inverse_transform(ids) == 'the cat and the dog — naïve café'}")

    img = rng.random((1, 256, 256, 3))
    t0 = time.perf_counter()
    out = batch_resample(img, (512, 512))
    print(f"batch_resample bilinear {img.shape} -> {out.shape} in {(time.perf_counter() - t0) * 1e3:.1f} ms")
