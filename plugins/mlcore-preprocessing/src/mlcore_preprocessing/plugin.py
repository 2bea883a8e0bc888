"""Registration of mlcore-preprocessing: estimators and the ``window`` kind (lazy targets)."""

from mlcore import hookimpl

_P = "mlcore_preprocessing"

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add_kind("window", f"{_P}.windows:Window",
                      doc="Tapers for spectral analysis: window(n) -> array of n weights")
    registry.add("window", "hann", f"{_P}.windows:Hann")
    registry.add("window", "hamming", f"{_P}.windows:Hamming")
    registry.add("window", "blackman_harris", f"{_P}.windows:BlackmanHarris")
    registry.add("window", "generalized_cosine", f"{_P}.windows:GeneralizedCosine")
    registry.add("estimator", "standardizer", f"{_P}.standardizer:Standardizer")
    registry.add("estimator", "one_hot_encoder", f"{_P}.one_hot:OneHotEncoder")
    registry.add("estimator", "feature_hasher", f"{_P}.hashing:FeatureHasher")
    registry.add("estimator", "tfidf", f"{_P}.tfidf:TFIDF")
    registry.add("estimator", "huffman", f"{_P}.huffman:HuffmanEncoder")
    registry.add("estimator", "byte_pair_encoder", f"{_P}.bpe:BytePairEncoder")
    registry.add("estimator", "vocabulary", f"{_P}.vocabulary:Vocabulary")


@hookimpl
def mlcore_demos():
    return [("preprocessing: FFT, MFCC, TF-IDF, BPE, resampling", f"{_P}._demo:run")]
