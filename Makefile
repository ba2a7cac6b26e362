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

UI_STATIC := src/totrackit/ui/static
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/package.json ui/package-lock.json ui/vite.config.ts ui/tsconfig.json

# Every recipe that runs npm checks first for Node.js 20.19+ and npm, and says what to do.
NODE_CHECK := scripts/check-node.sh

ui/node_modules/.package-lock.json: ui/package-lock.json
	@$(NODE_CHECK)
	cd ui && npm ci --no-audit --no-fund --loglevel=error

$(UI_STATIC)/index.html: ui/node_modules/.package-lock.json $(UI_SOURCES)
	@$(NODE_CHECK)
	cd ui && npm run --silent build
	rm -rf $(UI_STATIC) && cp -r ui/dist $(UI_STATIC)

.PHONY: ui
ui: $(UI_STATIC)/index.html ## Build the web UI into the package (needs Node.js 20.19+)

.PHONY: api-types
api-types: install ui/node_modules/.package-lock.json ## Regenerate ui/openapi.json and the UI's API types (ui/src/api/schema.d.ts) from the app
	$(RUN) totrackit openapi --output ui/openapi.json
	@$(NODE_CHECK)
	cd ui && npm run --silent api-types

# NO_UI=1 runs without building the web UI (no Node.js needed; / then says how to build it).
WITH_UI := $(if $(filter 1,$(NO_UI)),,ui)
DEMO_DATA := data/demo

.PHONY: run
run: install $(WITH_UI) ## Run the service and UI on embedded SQLite at http://localhost:8080 (sample data: make demo)
	@echo "For sample runs to look at, run 'make demo' instead (its own database in $(DEMO_DATA))."
	$(RUN) totrackit serve

.PHONY: demo
demo: install $(WITH_UI) ## Run the service and UI at http://localhost:8080 on a SQLite file with sample runs (data/demo)
	@if [ -f $(DEMO_DATA)/totrackit.db ]; then echo "Sample data in $(DEMO_DATA) (delete it for fresh data)."; \
	  else TOTRACKIT_DATA_DIR=$(DEMO_DATA) $(RUN) totrackit seed --runs 20000 --names 8; fi
	TOTRACKIT_DATA_DIR=$(DEMO_DATA) $(RUN) totrackit serve

.PHONY: test
test: test-python test-ui ## Run the whole test suite: Python on SQLite and PostgreSQL, UI unit and end-to-end

.PHONY: test-python
test-python: install ui ## Run the Python tests (SQLite, a real PostgreSQL and Redis, the built UI in headless Chromium; openapi-typescript)
	scripts/ensure-chromium.sh
	$(RUN) pytest

.PHONY: test-reliability
test-reliability: install ## Run only the fault-injection suite (PostgreSQL and Redis stopped and killed under load, processes killed -9; also part of make test)
	$(RUN) pytest -m reliability

.PHONY: test-ui
test-ui: install ui ## Run the UI's unit tests and its end-to-end tests in headless Chromium
	cd ui && npm run --silent lint && npm test --silent
	scripts/ui-e2e.sh

.PHONY: screenshots
screenshots: install ui ## Refresh the UI screenshots in docs/images
	SCREENSHOTS=1 scripts/ui-e2e.sh

# Python outside the package: the tests, benchmarks and the tools beside the deployment assets.
PY_PATHS := src tests bench scripts deploy hatch_build.py
PY_TOOLS := tests/containers hatch_build.py $(wildcard scripts/*.py deploy/*/*.py deploy/kubernetes/components/*/*.py)

.PHONY: lint
lint: install ## Check formatting, lint rules and types
	$(RUN) ruff format --check $(PY_PATHS)
	$(RUN) ruff check $(PY_PATHS)
	$(RUN) mypy
	$(RUN) mypy $(PY_TOOLS)
	$(RUN) lint-imports --no-cache

.PHONY: format
format: install ## Format the code
	$(RUN) ruff format $(PY_PATHS)
	$(RUN) ruff check --fix $(PY_PATHS)

.PHONY: migrate
migrate: install ## Apply database migrations to the configured database
	$(RUN) totrackit migrate upgrade

.PHONY: migration
migration: install ## Write the next migration from db/tables.py: make migration MSG="add a column" [PHASE=contract]
	@test -n "$(MSG)" || { echo 'Say what it changes: make migration MSG="add a column"'; exit 2; }
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	  export TOTRACKIT_DATABASE_URL="sqlite:///$$scratch/scratch.db" && \
	  $(RUN) totrackit migrate upgrade && \
	  $(RUN) totrackit migrate revision --autogenerate --phase "$(or $(PHASE),expand)" -m "$(MSG)"

.PHONY: db-check
db-check: install ## Fail when db/tables.py and the migrations disagree (on a scratch database)
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	  export TOTRACKIT_DATABASE_URL="sqlite:///$$scratch/scratch.db" && \
	  $(RUN) totrackit migrate upgrade && $(RUN) totrackit migrate check

.PHONY: bench
bench: install ## Run the benchmarks (see docs/performance.md)
	$(RUN) python -m bench.run

# Container tasks (image builds, compose stacks, the container test suite) live beside the
# deployment assets.
-include deploy/containers.mk
