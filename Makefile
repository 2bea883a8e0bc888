# mlcore developer commands. Each target creates .venv and installs what it needs, printing what.
#   make demo        core + every plugin (editable), then `mlcore demo`
#   make test        + test dependencies (one resolver run), then one pytest run over tests/, plugins/*/tests,
#                    contrib/*/tests, printing the slowest tests
#   make test-torch  + torch (CPU), then the PyTorch oracle tests (marker `torch`)
#   make bench       + benchmark references, then benchmarks/run.py
#   make lint        ruff and mypy (pinned, requirements-lint.txt) over the sources
#   make docs        the API reference (Sphinx) into docs/_build/html, warnings are errors
#   make dist        sdist + wheel of every distribution into dist/, twine check, same wheel from each sdist,
#                    the dependencies' wheels into dist/deps (tools/dist.py)
#
# Installs use uv when it is on PATH (UV=): it resolves and downloads in parallel; otherwise pip. Editable
# builds run without build isolation (setuptools is installed once into the venv), which saves a fresh
# build environment per plugin.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV     ?= $(shell command -v uv 2>/dev/null)
ifneq ($(strip $(UV)),)
INSTALLER := uv
INSTALL   := $(UV) pip install --python $(BIN)/python --no-build-isolation
else
INSTALLER := pip
INSTALL   := $(BIN)/python -m pip --disable-pip-version-check install --progress-bar off --no-build-isolation
endif
# The core was called `mlcore` before 0.2 (a name taken on the index): an old install of it is dropped.
DROP_OLD = @$(BIN)/python -m pip --disable-pip-version-check uninstall -y -q mlcore 2>/dev/null || true
PYPROJECTS := pyproject.toml $(wildcard plugins/*/pyproject.toml) $(wildcard contrib/*/pyproject.toml)
SHOW = @printf '\n== %s\n' 

.PHONY: demo test test-torch bench lint docs dist clean

$(BIN)/python:
	$(SHOW) "creating $(VENV) ($(PYTHON)); installer: $(INSTALLER)"
	$(PYTHON) -m venv $(VENV)
	$(INSTALL) "setuptools>=77"

# Runtime install: the core and every plugin (the -e lines of requirements-dev.txt), in one resolver run.
$(VENV)/.run-installed: $(BIN)/python requirements-dev.txt $(PYPROJECTS)
	$(SHOW) "installing the core and every plugin, editable, with their dependencies:"
	grep -E '^-e ' requirements-dev.txt > $(VENV)/requirements-run.txt
	@sed 's/^-e /   /' $(VENV)/requirements-run.txt
	$(DROP_OLD)
	$(INSTALL) -r $(VENV)/requirements-run.txt
	touch $@

# Everything `make test` needs (the plugins and the test oracles) in one resolver run.
$(VENV)/.dev-installed: $(BIN)/python requirements-dev.txt $(PYPROJECTS)
	$(SHOW) "installing the core and every plugin (editable) and the test dependencies, in one resolver run:"
	@grep -vE '^(#|$$)' requirements-dev.txt | sed 's/^-e //' | tr '\n' ' ' | fold -s -w 110 | sed 's/^/   /'; echo
	$(DROP_OLD)
	$(INSTALL) -r requirements-dev.txt
	touch $(VENV)/.run-installed $@

demo: $(VENV)/.run-installed
	$(SHOW) "mlcore demo"
	$(BIN)/mlcore demo

test: $(VENV)/.dev-installed
	$(SHOW) "pytest"
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=15

test-torch: $(VENV)/.dev-installed
	$(SHOW) "installing torch (CPU)"
	$(INSTALL) "torch==2.13.0"
	$(BIN)/python -m pytest -q -p no:cacheprovider -m torch

bench: $(VENV)/.dev-installed
	$(INSTALL) -r requirements-bench.txt
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python benchmarks/run.py $(ARGS)

$(VENV)/.lint-installed: $(VENV)/.run-installed requirements-lint.txt
	$(SHOW) "installing the linters: $$(grep -vE '^(#|$$)' requirements-lint.txt | tr '\n' ' ')"
	$(INSTALL) -r requirements-lint.txt
	touch $@

lint: $(VENV)/.lint-installed
	$(BIN)/python -m ruff check mlcore tests plugins contrib benchmarks tools docs
	$(BIN)/python -m mypy

# The pages' examples come from the plugins' READMEs, some of which load scikit-learn's data sets: the
# test dependencies are needed too (CI has them already from make test).
$(VENV)/.docs-installed: $(VENV)/.dev-installed requirements-docs.txt
	$(SHOW) "installing the documentation tools: $$(grep -vE '^(#|$$)' requirements-docs.txt | tr '\n' ' ')"
	$(INSTALL) -r requirements-docs.txt
	touch $@

docs: $(VENV)/.docs-installed
	$(BIN)/python -m sphinx -E -W --keep-going -q -b html docs docs/_build/html
	$(BIN)/python -m sphinx -E -W --keep-going -q -b doctest docs docs/_build/doctest
	@echo "docs: docs/_build/html/index.html"

$(VENV)/.dist-installed: $(BIN)/python requirements-dist.txt
	$(SHOW) "installing the release tools: $$(grep -vE '^(#|$$)' requirements-dist.txt | tr '\n' ' ')"
	$(INSTALL) -r requirements-dist.txt
	touch $@

dist: $(VENV)/.dist-installed
	$(BIN)/python tools/dist.py --out dist

clean:
	rm -rf $(VENV) dist docs/_build
