# Container tasks: images, compose stacks and the container test suite. Included by the Makefile.
# Walk-through: docs/deployment/compose.md. On machines without a container registry (the
# project's CI machines), set TOTRACKIT_OFFLINE_IMAGES=1 (ci/README.md).

COMPOSE := scripts/compose.sh
export COMPOSE_PROJECT_NAME ?= totrackit

.PHONY: images
images: ## Build the API and UI images (totrackit:local, totrackit-ui:local; TOTRACKIT_VERSION sets the tag)
	scripts/build-images.sh api ui

.PHONY: images-all
images-all: ## Build every image target: runtime, runtime-slim, dev and the UI
	scripts/build-images.sh api api-slim dev ui

.PHONY: up
up: ## Start the full stack (docker-compose.yml) and wait until it is ready
	scripts/quick-start.sh

.PHONY: down
down: ## Stop the full stack, keeping its data
	scripts/quick-start.sh --down

.PHONY: clean-stack
clean-stack: ## Stop the full stack and delete its data volumes (says so when there is nothing)
	scripts/quick-start.sh --clean

.PHONY: logs
logs: ## Follow the logs of the full stack
	$(COMPOSE) -f docker-compose.yml logs -f --tail=100

.PHONY: up-monitoring
up-monitoring: ## Add Prometheus, Alertmanager and the exporters to the full stack
	$(COMPOSE) -f docker-compose.yml -f docker-compose.monitoring.yml up -d --no-build

.PHONY: dev-db
dev-db: ## Start PostgreSQL and Redis on 127.0.0.1 for running the service natively
	$(COMPOSE) -p totrackit-dev -f docker-compose.dev.yml up -d

.PHONY: dev-app
dev-app: ## Start the databases, the hot-reload app (debugpy on 5678) and the Vite dev server
	scripts/build-images.sh dev
	$(COMPOSE) -p totrackit-dev -f docker-compose.dev.yml --profile app up -d --no-build

.PHONY: dev-down
dev-down: ## Stop the development containers, keeping their data
	$(COMPOSE) -p totrackit-dev -f docker-compose.dev.yml --profile app down

.PHONY: test-stack-up
test-stack-up: ## Start the isolated test stack (tmpfs databases, project totrackit-test)
	@docker image inspect $${TOTRACKIT_IMAGE_NAME:-totrackit}:$${TOTRACKIT_VERSION:-local} >/dev/null 2>&1 || scripts/build-images.sh api
	$(COMPOSE) -p totrackit-test -f docker-compose.test.yml up -d --no-build

.PHONY: test-stack-down
test-stack-down: ## Remove the test stack and its data
	$(COMPOSE) -p totrackit-test -f docker-compose.test.yml down -v --remove-orphans

# The container suite: pytest -m containers over tests/containers (see its conftest.py).
CONTAINER_TESTS := $(RUN) pytest -m containers
STATIC_CONTAINER_TESTS := tests/containers/test_engine_and_tools.py tests/containers/test_lint.py \
	tests/containers/test_compose_files.py tests/containers/test_monitoring_config.py \
	tests/containers/test_kubernetes_policy.py

.PHONY: container-engine
container-engine: # The Docker engine, and on machines without a registry the base image stand-ins
	ci/docker-engine.sh
	@if [ "$${TOTRACKIT_OFFLINE_IMAGES:-0}" = 1 ]; then \
	  ci/offline-images/build.sh --no-smoke || ci/offline-images/build.sh; fi

.PHONY: monitoring-test
monitoring-test: install container-engine ## Unit-test the alert rules (promtool) and check the monitoring configuration
	$(CONTAINER_TESTS) tests/containers/test_monitoring_config.py

.PHONY: lint-containers
lint-containers: install container-engine ## Lint Dockerfiles and scripts, validate compose and monitoring files (no stacks)
	$(CONTAINER_TESTS) $(STATIC_CONTAINER_TESTS)

# linux/arm64 on an x86_64 machine: QEMU user emulation (ci/qemu-binfmt.sh), the arm64 base image
# stand-ins on machines without a registry, then the runtime image and its smoke tests under
# emulation (docs/deployment/multi-arch.md). The image is NAME:TAG-arm64 (totrackit:local-arm64).

.PHONY: arm64-engine
arm64-engine: container-engine # Emulation for arm64, and the arm64 stand-ins on machines without a registry
	ci/qemu-binfmt.sh arm64
	@if [ "$${TOTRACKIT_OFFLINE_IMAGES:-0}" = 1 ]; then ci/offline-images/build.sh --arch arm64; fi

.PHONY: image-arm64
image-arm64: arm64-engine ## Build the runtime image for linux/arm64 (totrackit:local-arm64)
	TOTRACKIT_BUILD_PLATFORM=linux/arm64 scripts/build-images.sh api

.PHONY: test-arm64
test-arm64: install image-arm64 ## Build the linux/arm64 runtime image and run its smoke tests under emulation
	$(CONTAINER_TESTS) tests/containers/test_arm64.py

# TOTRACKIT_CT_ARM64=0 leaves the arm64 image and its tests out (machines without binfmt_misc).
CT_ARM64 := $(if $(filter 0,$(TOTRACKIT_CT_ARM64)),,arm64-engine)
CT_MARK := $(if $(CT_ARM64),,-m 'containers and not arm64')

.PHONY: test-containers
test-containers: install container-engine $(CT_ARM64) ## Container test suite: build every image (also for linux/arm64), lint, run every compose stack end to end
	@if [ "$${TOTRACKIT_CT_SKIP_BUILD:-0}" != 1 ]; then scripts/build-images.sh api ui api-slim dev postgres; \
	  if [ -n "$(CT_ARM64)" ]; then TOTRACKIT_BUILD_PLATFORM=linux/arm64 scripts/build-images.sh api; fi; fi
	$(CONTAINER_TESTS) $(CT_MARK) tests/containers

.PHONY: rollback
rollback: ## Roll a compose stack back to a release: make rollback VERSION=0.1.0 [ROLLBACK_ARGS="-p P -f F"]
	@test -n "$(VERSION)" || { echo 'Say which release to go back to: make rollback VERSION=0.1.0'; exit 2; }
	scripts/rollback.sh $(ROLLBACK_ARGS) "$(VERSION)"
