# mlcore developer commands. Each target creates .venv and installs what it needs.
#   make demo        core + every plugin, then `mlcore demo`
#   make test        + test dependencies, then one pytest run over tests/, plugins/*/tests, contrib/*/tests
#   make test-torch  + torch (CPU), then the PyTorch oracle tests (marker `torch`)
#   make bench       + benchmark references, then benchmarks/run.py
#   make lint        ruff over the sources

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
PYPROJECTS := pyproject.toml $(wildcard plugins/*/pyproject.toml) $(wildcard contrib/*/pyproject.toml)

.PHONY: demo test test-torch bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip "setuptools>=77" wheel

# Runtime install: the core and every plugin (the -e lines of requirements-dev.txt).
$(VENV)/.run-installed: $(BIN)/python requirements-dev.txt $(PYPROJECTS)
	grep -E '^-e ' requirements-dev.txt > $(VENV)/requirements-run.txt
	$(PIP) install -r $(VENV)/requirements-run.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

demo: $(VENV)/.run-installed
	$(BIN)/mlcore demo

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-torch: $(VENV)/.dev-installed
	$(PIP) install "torch==2.13.0"
	$(BIN)/python -m pytest -q -p no:cacheprovider -m torch

bench: $(VENV)/.dev-installed
	$(PIP) install -r requirements-bench.txt
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python benchmarks/run.py $(ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/python -m ruff check mlcore tests plugins contrib benchmarks

clean:
	rm -rf $(VENV)
