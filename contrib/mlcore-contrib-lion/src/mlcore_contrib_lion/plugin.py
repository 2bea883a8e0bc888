"""Registration hooks of mlcore-contrib-lion."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("optimizer", "lion", "mlcore_contrib_lion.lion:Lion")
