"""Registration hooks of mlcore-example (imports nothing heavy)."""

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_register(registry):
    registry.add("layer", "example", "mlcore_example.component:ExampleLayer")
