"""mlcore-preprocessing: encoders, DSP and NLP preprocessing for mlcore.

Registered components (build them with :func:`mlcore.build`):

* estimators ``standardizer``, ``one_hot_encoder``, ``feature_hasher``, ``tfidf``,
  ``huffman``, ``byte_pair_encoder``, ``vocabulary``;
* the ``window`` kind: ``hann``, ``hamming``, ``blackman_harris``, ``generalized_cosine``.

Functions (importable from this package; modules load on first use): ``dft``, ``idft``,
``dct``, ``dft_bins``, ``to_frames``, ``magnitude_spectrum``, ``power_spectrum``,
``autocorrelate``, ``preemphasis``, ``cepstral_lifter``, ``hz2mel``, ``mel2hz``,
``mel_filterbank``, ``mel_spectrogram``, ``mfcc``, ``nn_interpolate_1d``,
``nn_interpolate_2d``, ``bilinear_interpolate``, ``batch_resample``, the tokenizers and
``ngrams``, and ``minibatch``.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "fft": ["dft", "idft", "dct", "dft_bins"],
    "spectral": ["to_frames", "magnitude_spectrum", "power_spectrum", "autocorrelate", "preemphasis",
                 "cepstral_lifter"],
    "mel": ["hz2mel", "mel2hz", "mel_filterbank", "mel_spectrogram", "mfcc"],
    "interpolation": ["nn_interpolate_1d", "nn_interpolate_2d", "bilinear_interpolate", "batch_resample"],
    "tokenizers": ["tokenize", "tokenize_words", "tokenize_whitespace", "tokenize_chars", "tokenize_bytes",
                 "strip_punctuation", "remove_stop_words", "ngrams", "STOP_WORDS"],
    "windows": ["Window", "Hann", "Hamming", "BlackmanHarris", "GeneralizedCosine", "get_window"],
    "batching": ["minibatch"],
    "standardizer": ["Standardizer"],
    "one_hot": ["OneHotEncoder"],
    "hashing": ["FeatureHasher"],
    "tfidf": ["TFIDF"],
    "huffman": ["HuffmanEncoder"],
    "bpe": ["BytePairEncoder"],
    "vocabulary": ["Vocabulary"],
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "STOP_WORDS",
    "TFIDF",
    "BlackmanHarris",
    "BytePairEncoder",
    "FeatureHasher",
    "GeneralizedCosine",
    "Hamming",
    "Hann",
    "HuffmanEncoder",
    "OneHotEncoder",
    "Standardizer",
    "Vocabulary",
    "Window",
    "autocorrelate",
    "batch_resample",
    "bilinear_interpolate",
    "cepstral_lifter",
    "dct",
    "dft",
    "dft_bins",
    "get_window",
    "hz2mel",
    "idft",
    "magnitude_spectrum",
    "mel2hz",
    "mel_filterbank",
    "mel_spectrogram",
    "mfcc",
    "minibatch",
    "ngrams",
    "nn_interpolate_1d",
    "nn_interpolate_2d",
    "power_spectrum",
    "preemphasis",
    "remove_stop_words",
    "strip_punctuation",
    "to_frames",
    "tokenize",
    "tokenize_bytes",
    "tokenize_chars",
    "tokenize_whitespace",
    "tokenize_words",
]


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
