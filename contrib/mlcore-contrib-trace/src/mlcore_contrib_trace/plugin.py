"""Hook implementations of mlcore-contrib-trace (imports nothing heavy)."""

from mlcore import hookimpl


@hookimpl
def mlcore_component_built(component, spec, kind, name):
    from ._state import record

    record(component, spec, kind, name)
