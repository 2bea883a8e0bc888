"""Registration hooks of mlcore-nn (imports nothing but ``mlcore.hookimpl``)."""

from mlcore import hookimpl

_ACT = "mlcore_nn.activations.elementwise"
_INIT = "mlcore_nn.initializers"
_LOSS = "mlcore_nn.losses"
_L = "mlcore_nn.layers"

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add_kind("activation", "mlcore_nn.activations:Activation")

    for name, cls, aliases in [
        ("relu", "ReLU", ()), ("leaky_relu", "LeakyReLU", ()), ("elu", "ELU", ()),
        ("selu", "SELU", ()), ("gelu", "GELU", ()), ("sigmoid", "Sigmoid", ()),
        ("tanh", "Tanh", ()), ("softplus", "SoftPlus", ()), ("affine", "Affine", ()),
        ("identity", "Identity", ("linear",)), ("exponential", "Exponential", ()),
        ("hard_sigmoid", "HardSigmoid", ()), ("silu", "SiLU", ("swish",)),
    ]:
        registry.add("activation", name, f"{_ACT}:{cls}", aliases=aliases)

    for name, cls in [("glorot_uniform", "GlorotUniform"), ("glorot_normal", "GlorotNormal"),
                      ("he_uniform", "HeUniform"), ("he_normal", "HeNormal"),
                      ("std_normal", "StdNormal"), ("trunc_normal", "TruncNormal")]:
        registry.add("initializer", name, f"{_INIT}:{cls}")

    for name, cls in [("squared_error", "SquaredError"), ("cross_entropy", "CrossEntropy"),
                      ("softmax_cross_entropy", "SoftmaxCrossEntropy"),
                      ("binary_cross_entropy", "BinaryCrossEntropy")]:
        registry.add("loss", name, f"{_LOSS}:{cls}")

    for name, target, aliases in [
        ("dense", "dense:Dense", ("fully_connected",)),
        ("add", "merge:Add", ()), ("multiply", "merge:Multiply", ()),
        ("flatten", "reshape:Flatten", ()),
        ("softmax", "softmax:Softmax", ()),
        ("embedding", "embedding:Embedding", ()),
        ("dropout", "dropout:Dropout", ()),
        ("conv1d", "conv:Conv1D", ()), ("conv2d", "conv:Conv2D", ()),
        ("deconv2d", "conv:Deconv2D", ()),
        ("pool2d", "pool:Pool2D", ()),
        ("batchnorm1d", "norm:BatchNorm1D", ()), ("batchnorm2d", "norm:BatchNorm2D", ()),
        ("layernorm1d", "norm:LayerNorm1D", ()), ("layernorm2d", "norm:LayerNorm2D", ()),
        ("dot_product_attention", "attention:DotProductAttention", ()),
    ]:
        registry.add("layer", name, f"{_L}.{target}", aliases=aliases)

    registry.add("estimator", "sequential", "mlcore_nn.sequential:Sequential")

    # mlcore-nn part 2 (issue 5): recurrent layers, modules, RBM, SET, generative losses and models
    registry.add("layer", "rnn", "mlcore_nn.recurrent:RNN")
    registry.add("layer", "lstm", "mlcore_nn.recurrent:LSTM")
    registry.add("layer", "rnn_cell", "mlcore_nn.recurrent_cells:RNNCell")
    registry.add("layer", "lstm_cell", "mlcore_nn.recurrent_cells:LSTMCell")
    registry.add("layer", "bidirectional_lstm", "mlcore_nn.bidirectional:BidirectionalLSTM")
    registry.add("layer", "multi_head_attention", "mlcore_nn.modules.attention:MultiHeadAttention")
    registry.add("loss", "vae_loss", "mlcore_nn.losses_generative:VAELoss")
    registry.add("loss", "wgan_gp_loss", "mlcore_nn.losses_generative:WGANGPLoss")
    registry.add("loss", "nce_loss", "mlcore_nn.losses_generative:NCELoss")
    registry.add("estimator", "word2vec", "mlcore_nn.models.word2vec:Word2Vec")
    registry.add("estimator", "rbm", "mlcore_nn.rbm:RBM")
    registry.add("layer", "sparse_evolution", "mlcore_nn.sparse_evolution:SparseEvolution")
    registry.add("estimator", "wgan_gp", "mlcore_nn.models.wgan_gp:WGANGP")
    registry.add("estimator", "bernoulli_vae", "mlcore_nn.models.vae:BernoulliVAE")
    registry.add("layer", "skip_connection_identity", "mlcore_nn.modules.skip:SkipConnectionIdentity")
    registry.add("layer", "skip_connection_conv", "mlcore_nn.modules.skip:SkipConnectionConv")
    registry.add("layer", "wavenet_residual", "mlcore_nn.modules.wavenet:WavenetResidual")


@hookimpl
def mlcore_demos():
    return [("neural networks (MLP and CNN) on 8x8 digits", "mlcore_nn._demo:run"),
            ("word2vec (skip-gram, negative sampling) on a small generated corpus", "mlcore_nn._demo_word2vec:run")]
