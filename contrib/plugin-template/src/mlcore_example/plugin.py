"""Registration hooks of mlcore-example (imports nothing heavy)."""

from mlcore import hookimpl


@hookimpl
def mlcore_register(registry):
    registry.add("layer", "example", "mlcore_example.component:ExampleLayer")
