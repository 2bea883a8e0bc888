"""Hook implementations of mlcore-contrib-trace (imports nothing heavy)."""

import os
import sys

from mlcore import hookimpl

#: The mlcore plugin API this plugin is written for; an incompatible core does not load it.
MLCORE_PLUGIN_API = ">=1,<2"


@hookimpl
def mlcore_component_built(component, spec, kind, name):
    state = sys.modules.get("mlcore_contrib_trace._state")
    if state is None:  # never switched on in this process: stay out of the build path
        if not os.environ.get("MLCORE_TRACE"):
            return
        from . import _state as state
    state.record(component, spec, kind, name)
