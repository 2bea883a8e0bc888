"""Cold start: loading every installed plugin imports no third-party library.

The cold-start budget (``import mlcore`` + first build within 30 ms of ``import numpy``,
measured by ``benchmarks/bench_core.py``) is spent mostly by what plugin modules import
when the registry first loads them. Timing is too noisy for a test on a shared machine;
what a first use imports is not, so that is what this checks.
"""

import json
import os
import subprocess
import sys

PROBE = """
import json, sys
import numpy, pluggy, mlcore
before = {m.split(".")[0] for m in sys.modules}
reg = mlcore.registry()
reg._ensure_loaded()
mlcore.build("adam(lr=1e-3)")
new = {m.split(".")[0] for m in sys.modules} - before
third_party = sorted(m for m in new if not m.startswith(("mlcore", "_")) and m not in sys.stdlib_module_names
                     and m != "cython_runtime")
by_plugin = {}
for p in reg.plugins():
    if p.module and p.module != "?":
        by_plugin[p.name] = p.module
print(json.dumps({"third_party": third_party, "errors": [str(e) for e in reg.errors()],
                  "plugins": by_plugin}))
"""


def test_loading_every_plugin_imports_no_third_party_library(tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True)
    found = json.loads(out.stdout)
    assert found["errors"] == []
    assert len(found["plugins"]) > 10  # every family was loaded
    assert found["third_party"] == [], (
        f"loading the plugins imported {found['third_party']}: each costs cold-start time for every "
        "user of mlcore; import it in the component modules, not in a plugin package's __init__ "
        "or registration module (CONTRIBUTING)")
