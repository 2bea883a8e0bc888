"""Registration of mlcore-optim: only hook implementations, nothing heavy is imported."""

from mlcore import hookimpl

OPTIMIZERS = {
    "sgd": "mlcore_optim.sgd:SGD",
    "adagrad": "mlcore_optim.adagrad:Adagrad",
    "rmsprop": "mlcore_optim.rmsprop:RMSprop",
    "adam": "mlcore_optim.adam:Adam",
    "adamw": "mlcore_optim.adam:AdamW",
}
SCHEDULERS = {
    "constant": "mlcore_optim.schedulers:ConstantScheduler",
    "exponential": "mlcore_optim.schedulers:ExponentialScheduler",
    "noam": "mlcore_optim.schedulers:NoamScheduler",
    "cosine": "mlcore_optim.schedulers:CosineScheduler",
    "king": "mlcore_optim.king:KingScheduler",
}

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    for name, target in OPTIMIZERS.items():
        registry.add("optimizer", name, target)
    for name, target in SCHEDULERS.items():
        registry.add("scheduler", name, target)


@hookimpl
def mlcore_demos():
    return [("optimizers on an ill-conditioned quadratic", "mlcore_optim._demo:run")]
