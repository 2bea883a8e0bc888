"""mlcore-gmm: full-covariance Gaussian mixture models fitted by EM.

Public names are imported lazily so that ``import mlcore_gmm`` stays cheap.
"""

__all__ = ["GaussianMixture"]


# PEP 562 lazy exports, the same few lines in each family: every distribution is self-contained.
def __getattr__(name):
    if name == "GaussianMixture":
        from .gmm import GaussianMixture

        return GaussianMixture
    raise AttributeError(f"module 'mlcore_gmm' has no attribute {name!r}")
