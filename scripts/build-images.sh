#!/usr/bin/env bash
# Build the ToTrackIt container images with BuildKit.
#
#   scripts/build-images.sh [api] [ui] [api-slim] [dev] [postgres]    (default: api ui)
#
# Images and tags (the names the compose files use by default):
#   api       deploy/docker/Dockerfile, target runtime (distroless)  -> NAME:TAG
#   api-slim  deploy/docker/Dockerfile, target runtime-slim          -> NAME:TAG-slim
#   dev       deploy/docker/Dockerfile, target dev                   -> ${TOTRACKIT_DEV_IMAGE:-totrackit:dev}
#   ui        deploy/docker/ui.Dockerfile                            -> UI_NAME:TAG
#   postgres  deploy/postgres/Dockerfile (PostgreSQL + pgBackRest)   -> ${TOTRACKIT_POSTGRES_IMAGE:-totrackit-postgres:local}
#
# NAME is ${TOTRACKIT_IMAGE_NAME:-totrackit}, UI_NAME ${TOTRACKIT_UI_IMAGE_NAME:-totrackit-ui} and
# TAG ${TOTRACKIT_VERSION:-local}: the variables the compose files select images by. With a
# COMPOSE_PROJECT_NAME other than totrackit, TAG defaults to local-PROJECT (scripts/image-tag.sh).
#
# Base images come from the same variables as in the compose files and pass through as build
# arguments when set: PYTHON_IMAGE, PYTHON_VERSION, NODE_IMAGE, UV_IMAGE, DEBIAN_IMAGE,
# DISTROLESS_PYTHON_IMAGE, NGINX_IMAGE, POSTGRES_IMAGE. With TOTRACKIT_OFFLINE_IMAGES=1 they are read from
# .offline.env (local stand-ins, see ci/offline-images/README.md).
#
# Other settings:
#   TOTRACKIT_BUILD_CA_BUNDLE   CA bundle handed to npm/uv as the optional BuildKit secret
#                               `ca_bundle` (default: /etc/ssl/certs/ca-certificates.crt when it
#                               exists; set it empty to not pass one)
#   TOTRACKIT_BUILD_NETWORK     docker build --network (default: host)
#   TOTRACKIT_BUILD_PLATFORM    docker build --platform, e.g. linux/arm64 (default: this machine's).
#                               For another architecture the tags end in -ARCH (totrackit:local-arm64);
#                               running that image here needs QEMU user emulation
#                               (docs/deployment/multi-arch.md). With TOTRACKIT_OFFLINE_IMAGES=1 its
#                               base images are read from .offline-ARCH.env as well.
#   VERSION, REVISION           OCI labels (default: the package version from pyproject.toml, the
#                               one source, and git HEAD); the Dockerfile refuses a VERSION that
#                               is not the package's
# Why not `docker-compose build`: Compose v1 cannot pass build secrets, and this keeps one
# recipe for CI, scripts/quick-start.sh and `make test-containers`.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

log() { printf 'build-images: %s\n' "$*" >&2; }

# Another architecture than this machine's: its name, which also ends the image tags (-arm64).
platform_arch="${TOTRACKIT_BUILD_PLATFORM:-}"
platform_arch="${platform_arch#*/}"
case "$platform_arch" in
  "" | "$(dpkg --print-architecture 2>/dev/null || echo amd64)") platform_arch="" ;;
esac

if [ "${TOTRACKIT_OFFLINE_IMAGES:-0}" = 1 ]; then
  if [ ! -f .offline.env ]; then
    log "TOTRACKIT_OFFLINE_IMAGES=1 but .offline.env is missing: run ci/offline-images/build.sh"
    exit 1
  fi
  set -a
  # shellcheck disable=SC1091
  . ./.offline.env
  set +a
  # The stand-ins of another architecture replace those of this machine where they exist (the UI
  # stage keeps this machine's Node image: it is built on the build platform).
  if [ -n "$platform_arch" ]; then
    if [ ! -f ".offline-$platform_arch.env" ]; then
      log "TOTRACKIT_BUILD_PLATFORM=$TOTRACKIT_BUILD_PLATFORM but .offline-$platform_arch.env is missing: run ci/offline-images/build.sh --arch $platform_arch"
      exit 1
    fi
    set -a
    # shellcheck disable=SC1090
    . "./.offline-$platform_arch.env"
    set +a
  fi
fi

# BuildKit needs Debian's docker client (see ci/offline-images/README.md); harmless elsewhere.
if [ -x /usr/bin/docker ]; then export PATH="/usr/bin:$PATH"; fi
export DOCKER_BUILDKIT=1

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(api ui)

# shellcheck source=scripts/image-tag.sh
. scripts/image-tag.sh
version="${VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)}"
name="${TOTRACKIT_IMAGE_NAME:-totrackit}" ui_name="${TOTRACKIT_UI_IMAGE_NAME:-totrackit-ui}"
tag="${TOTRACKIT_VERSION:-local}${platform_arch:+-$platform_arch}"
revision="${REVISION:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

common=(--network "${TOTRACKIT_BUILD_NETWORK:-host}"
  ${TOTRACKIT_BUILD_PLATFORM:+--platform "$TOTRACKIT_BUILD_PLATFORM"}
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$created")
ca="${TOTRACKIT_BUILD_CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}"
if [ -n "$ca" ] && [ -s "$ca" ]; then
  common+=(--secret "id=ca_bundle,src=$ca")
fi
for arg in PYTHON_VERSION PYTHON_IMAGE NODE_IMAGE UV_IMAGE DEBIAN_IMAGE DISTROLESS_PYTHON_IMAGE NGINX_IMAGE POSTGRES_IMAGE; do
  if [ -n "${!arg:-}" ]; then common+=(--build-arg "$arg=${!arg}"); fi
done

build() { # build TAG DOCKERFILE [TARGET] [CONTEXT]
  local tag="$1" file="$2" target="${3:-}" context="${4:-.}" started
  local args=("${common[@]}" -f "$file" -t "$tag")
  [ -z "$target" ] || args+=(--target "$target")
  local logfile="${TOTRACKIT_BUILD_LOG_DIR:-/tmp}/totrackit-build-${tag//[:\/]/_}.log"
  started=$(date +%s)
  log "building $tag ($file${target:+, target $target}${TOTRACKIT_BUILD_PLATFORM:+, platform $TOTRACKIT_BUILD_PLATFORM}); log: $logfile"
  if ! docker build --progress=plain "${args[@]}" "$context" >"$logfile" 2>&1; then
    log "FAILED: $tag; last lines of $logfile:"
    tail -n 40 "$logfile" >&2
    return 1
  fi
  log "built $tag in $(($(date +%s) - started))s, $(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.1f MB", $1/1000/1000}')"
}

for target in "${targets[@]}"; do
  case "$target" in
    api) build "$name:$tag" deploy/docker/Dockerfile runtime ;;
    api-slim) build "${TOTRACKIT_SLIM_IMAGE:-$name:$tag-slim}" deploy/docker/Dockerfile runtime-slim ;;
    dev) build "${TOTRACKIT_DEV_IMAGE:-totrackit:dev}" deploy/docker/Dockerfile dev ;;
    ui) build "$ui_name:$tag" deploy/docker/ui.Dockerfile ;;
    postgres) build "${TOTRACKIT_POSTGRES_IMAGE:-totrackit-postgres:local}" deploy/postgres/Dockerfile "" deploy/postgres ;;
    *) log "unknown image '$target' (api, api-slim, dev, ui, postgres)"; exit 2 ;;
  esac
done

# Every build gets a new `created` label, so the previous image of a tag becomes dangling: remove
# those of this project (only dangling images carrying its OCI title are touched).
for title in totrackit totrackit-ui totrackit-dev; do
  docker image prune -f --filter "label=org.opencontainers.image.title=$title" >/dev/null 2>&1 || true
done
