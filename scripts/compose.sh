#!/usr/bin/env bash
# Run Docker Compose the way the project's scripts do: `docker compose` (v2) when present, else
# `docker-compose` (v1.29+); Debian's BuildKit-capable docker client first on PATH; with
# TOTRACKIT_OFFLINE_IMAGES=1, the local stand-in images of .offline.env (ci/offline-images/README.md).
#   scripts/compose.sh -f docker-compose.yml ps
set -Eeuo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/docker ] && export PATH="/usr/bin:$PATH"
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
# The project's own image tag (local-PROJECT for a project other than the default one).
# shellcheck source=scripts/image-tag.sh
. scripts/image-tag.sh
if [ "${TOTRACKIT_OFFLINE_IMAGES:-0}" = 1 ] && [ -f .offline.env ]; then
  set -a
  # shellcheck disable=SC1091
  . ./.offline.env
  set +a
fi
if docker compose version >/dev/null 2>&1; then
  exec docker compose "$@"
fi
exec docker-compose "$@"
