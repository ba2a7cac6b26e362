# Tasks for working on ToTrackIt. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen

.PHONY: help
help: ## List the tasks
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: uv
uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

.PHONY: install
install: uv ## Create .venv with the service and its development tools
	@$(UV) sync --frozen --quiet

.PHONY: run
run: install ## Run the service on embedded SQLite at http://localhost:8080
	$(RUN) totrackit serve

.PHONY: test
test: install ## Run the whole test suite (SQLite and a real PostgreSQL)
	$(RUN) pytest

.PHONY: lint
lint: install ## Check formatting, lint rules and types
	$(RUN) ruff format --check src tests bench
	$(RUN) ruff check src tests bench
	$(RUN) mypy

.PHONY: format
format: install ## Format the code
	$(RUN) ruff format src tests bench
	$(RUN) ruff check --fix src tests bench

.PHONY: migrate
migrate: install ## Apply database migrations to the configured database
	$(RUN) totrackit migrate upgrade

.PHONY: bench
bench: install ## Run the benchmarks (see docs/performance.md)
	$(RUN) python -m bench.run
