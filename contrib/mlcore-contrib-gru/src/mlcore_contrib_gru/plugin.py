"""Registration hooks of mlcore-contrib-gru."""

from mlcore import hookimpl


@hookimpl
def mlcore_register(registry):
    registry.add("layer", "gru", "mlcore_contrib_gru.gru:GRU")
