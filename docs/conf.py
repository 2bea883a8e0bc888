"""Sphinx configuration of the mlcore API reference (``make docs``: built with warnings as errors).

Sphinx rather than MkDocs: every docstring of the project is numpy-style reST, which autodoc
and napoleon render as they are (MkDocs would need mkdocstrings' own docstring parser and a
Markdown toolchain besides); ``sphinx.ext.doctest`` runs the pages' examples and the docstrings'
``>>>`` examples; ``-W`` turns every warning into an error. The per-plugin pages are generated
from the registry at build time (``_ext/mlcore_docs.py``), so no page can miss a component.
"""

import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent / "_ext"))

import mlcore  # noqa: E402

project = "mlcore"
author = "mlcore contributors"
copyright = "mlcore contributors, MIT licence"
release = version = mlcore.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.doctest", "mlcore_docs"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_custom_sections = [("Shapes", "notes_style")]
autodoc_member_order = "bysource"
autodoc_typehints = "none"           # signatures carry the defaults; parameters are described in the docstrings
autodoc_default_options = {"show-inheritance": False}

# The doctest builder runs the pages' examples (``testcode``); the docstrings' ``>>>`` examples need
# their module's globals and run in make test instead (tests/test_doctests.py).
doctest_test_doctest_blocks = ""
# Examples run in a fresh temporary directory (they save files) with a non-interactive plot backend.
doctest_global_setup = """
import os, tempfile
os.chdir(tempfile.mkdtemp(prefix="mlcore-docs-"))
os.environ.setdefault("MPLBACKEND", "Agg")
import numpy as np
import mlcore
"""
os.environ.setdefault("MPLBACKEND", "Agg")
