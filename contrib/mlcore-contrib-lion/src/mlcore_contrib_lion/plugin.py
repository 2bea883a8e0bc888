"""Registration hooks of mlcore-contrib-lion."""

from mlcore import hookimpl


@hookimpl
def mlcore_register(registry):
    registry.add("optimizer", "lion", "mlcore_contrib_lion.lion:Lion")
