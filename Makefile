# The verbs a newcomer types. Everything runs from the project's own .venv.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SANDBOX_PORT ?= 8787
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: install demo dev test lint bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python  ## create .venv and install the project with its dev tools
	$(BIN)/pip install --quiet -e ".[dev]"

demo: install  ## offline: start the sandbox, backfill all history, show what landed
	$(BIN)/python scripts/demo.py

dev: install  ## dagster dev (UI + daemon), against the sandbox unless a real key is set
	$(BIN)/python scripts/dev.py

# Two workers, one test file each at a time (a file's module fixtures stay in one process):
# much of the suite waits on real processes and rate windows, so two fit on two cores.
# TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
test: install  ## the whole test suite
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install  ## benchmarks against the sandbox; writes bench/results.md
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .dagster_home data *.egg-info

screenshots: install  ## README pictures from headless Chromium (needs: apt-get install chromium)
	$(BIN)/python scripts/screenshots.py
