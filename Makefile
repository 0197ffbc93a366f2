# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
XREF_HOST ?= 127.0.0.1
XREF_PORT ?= 8000
export XREF_HOST XREF_PORT

.PHONY: install dev run test check bench load scale million clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The matcher modules setup.py compiles with mypyc: the installed extensions are built from
# them, so editing one reinstalls (recompiles) before the next run, test or benchmark.
COMPILED_SOURCES := $(shell grep -o 'service/matching/[a-z_]*\.py' setup.py)
BUILD_INPUTS := pyproject.toml setup.py $(COMPILED_SOURCES)

# Stamps record which extras are installed; they are redone when a build input changes.
$(VENV)/.installed: $(BUILD_INPUTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-dev: $(BUILD_INPUTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres,dev]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: $(BUILD_INPUTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres,dev,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-dev

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

run: install
	$(BIN)/xref db upgrade
	$(BIN)/xref seed
	$(BIN)/xref serve

test: dev
	$(BIN)/python -m pytest

check: dev
	$(BIN)/ruff check service tests bench migrations
	$(BIN)/mypy service
	$(BIN)/lint-imports

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

# The production path on the local PostgreSQL and Redis (XREF_SCALE_DATABASE_URL, dropped and
# recreated; XREF_SCALE_REDIS_URL, flushed): xref serve, xref workers, one killed mid-job.
scale: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py --only Scale

# A million synthetic names (real parts recombined, generated into a temporary folder) beside
# the real SDN, against today's SDN + UN + CSL: import, index size, time to ready, memory,
# latency, throughput and recall. XREF_MILLION_NAMES=200000 for a quicker try.
million: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py --only Million

load: dev
	$(BIN)/python bench/load_test.py --duration 30 --workers 4

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache build
	rm -f *__mypyc*.so service/matching/*.so
