# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
XREF_HOST ?= 127.0.0.1
XREF_PORT ?= 8000
export XREF_HOST XREF_PORT

.PHONY: install dev run test check bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps record which extras are installed; they are redone when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[postgres,dev]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
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

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

load: dev
	$(BIN)/python bench/load_test.py --duration 30 --workers 4

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
