"""Which first-party distribution provides which (kind, name).

Used only to tell a user which distribution to install when a name is unknown, and by
the contract test that checks each installed family registers the names it promises.
This is data, not a registration: nothing here is imported or built. Add a family's
names here when the family ships them.
"""

from __future__ import annotations

#: The core's distribution (import name ``mlcore``) and the one that installs every family.
CORE, META = "mlcore-core", "mlcore-all"

FIRST_PARTY = {
    "mlcore-optim": {
        "optimizer": "sgd adagrad rmsprop adam adamw",
        "scheduler": "constant exponential noam king cosine",
    },
    "mlcore-nn": {
        "activation": "relu leaky_relu elu selu gelu sigmoid tanh softplus affine identity exponential "
                      "hard_sigmoid silu swish",
        "initializer": "glorot_uniform glorot_normal he_uniform he_normal std_normal trunc_normal",
        "loss": "squared_error cross_entropy softmax_cross_entropy binary_cross_entropy vae_loss "
                "wgan_gp_loss nce_loss",
        "layer": "dense fully_connected add multiply flatten softmax embedding dropout conv1d conv2d deconv2d "
                 "pool2d batchnorm1d batchnorm2d layernorm1d layernorm2d dot_product_attention rnn_cell "
                 "lstm_cell rnn lstm bidirectional_lstm skip_connection_identity skip_connection_conv "
                 "wavenet_residual multi_head_attention sparse_evolution",
        "estimator": "sequential bernoulli_vae wgan_gp word2vec rbm",
    },
    "mlcore-gmm": {"estimator": "gmm"},
    "mlcore-hmm": {"estimator": "multinomial_hmm categorical_hmm"},
    "mlcore-lda": {"estimator": "lda smoothed_lda"},
    "mlcore-linear": {
        "estimator": "linear_regression ridge logistic_regression bayesian_linear_regression glm gaussian_nb",
    },
    "mlcore-trees": {"estimator": "decision_tree random_forest gbdt"},
    "mlcore-ngram": {"estimator": "mle_ngram additive_ngram good_turing_ngram"},
    "mlcore-nonparametric": {"estimator": "knn kernel_regression gp_regression"},
    "mlcore-rl": {
        "agent": "cross_entropy monte_carlo temporal_difference dyna",
        "env": "chain grid_world k_armed",
    },
    "mlcore-bandits": {
        "env": "bernoulli gaussian multinomial shortest_path contextual_bernoulli contextual_linear",
        "agent": "epsilon_greedy ucb1 thompson_sampling linucb",
    },
    "mlcore-factorization": {"estimator": "als nmf"},
    "mlcore-preprocessing": {
        "estimator": "standardizer one_hot_encoder feature_hasher tfidf huffman byte_pair_encoder vocabulary",
        "window": "hann hamming blackman_harris generalized_cosine",
    },
    "mlcore-utils": {
        "kernel": "linear polynomial rbf",
        "metric": "euclidean manhattan chebyshev minkowski hamming",
    },
}


def providers(name: str, kind: str | None = None) -> list[tuple[str, str]]:
    """First-party ``(distribution, kind)`` pairs that provide ``name``."""
    out = []
    for dist, kinds in FIRST_PARTY.items():
        for k, names in kinds.items():
            if (kind is None or k == kind) and name in names.split():
                out.append((dist, k))
    return out


def distribution_of_kind(kind: str) -> list[str]:
    """First-party distributions that register components of ``kind``."""
    return [dist for dist, kinds in FIRST_PARTY.items() if kind in kinds]


def is_first_party(distribution: str | None) -> bool:
    """Whether ``distribution`` (any spelling: ``mlcore_optim``, ``MLCore-Optim``) is the core, a family or mlcore-all.

    The core's distribution is ``mlcore-core``: ``mlcore`` on the package index is an
    unrelated project, so a plugin shipped by a distribution called ``mlcore`` is not ours.
    """
    if not distribution:
        return False
    import re

    norm = re.sub(r"[-_.]+", "-", distribution).lower()
    return norm in (CORE, META) or norm in FIRST_PARTY
