#!/usr/bin/env bash
# Build local stand-ins for the official container images our Dockerfiles and compose files use,
# for machines without a container registry (see ci/offline-images/README.md).
#
#   ci/offline-images/build.sh                build what is missing, smoke-test it, write .offline.env
#   ci/offline-images/build.sh --force        rebuild the selected images without the build cache
#                                             (default: all of them, base included)
#   ci/offline-images/build.sh --only a,b     select images by name (see --list); the base is built
#                                             when missing, and rebuilt with --force only when listed
#   ci/offline-images/build.sh --verify       also run the functional checks (postgres init + password
#                                             login over a published port, redis AUTH, nginx
#                                             templates, swagger-ui, python venv + pip)
#   ci/offline-images/build.sh --no-smoke     skip the per-image smoke checks
#   ci/offline-images/build.sh --env-only     only (re)write .offline.env from the existing images
#   ci/offline-images/build.sh --list         list the images, their tags and variables
#   ci/offline-images/build.sh --arch arm64   the stand-in the runtime image needs for another
#                                             architecture (distroless-python; --only debian for
#                                             a debootstrap base), checked under QEMU user
#                                             emulation (ci/qemu-binfmt.sh);
#                                             tags under totrackit-offline/arm64/, variables in
#                                             .offline-arm64.env, work in $OFFLINE_WORKDIR/arm64
#
# Idempotent and incremental: an image is skipped when its tag exists and its recipe (files in
# ci/offline-images/<name>, parent image, host inputs; kept in a label) is unchanged, unless --force.
# Environment:
#   OFFLINE_PREFIX             image name prefix           (default totrackit-offline,
#                                                          totrackit-offline/ARCH with --arch)
#   OFFLINE_WORKDIR            scratch space for rootfs and build contexts
#                                                          (default /var/tmp/totrackit-offline)
#   OFFLINE_MIRROR             Debian mirror for debootstrap (default: first URI in
#                                                          /etc/apt/sources.list.d/debian.sources)
#   OFFLINE_UV_VERSION         uv release for the uv stand-in          (default 0.13.9)
#   OFFLINE_SWAGGER_UI_VERSION swagger-ui-dist release for swagger-ui  (default 5.35.0)
#   OFFLINE_ENV_FILE           where to write the variables (default <repo>/.offline.env)
set -euo pipefail

OFFLINE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$OFFLINE_DIR/../.." && pwd)"
PREFIX="${OFFLINE_PREFIX:-totrackit-offline}"
WORKDIR="${OFFLINE_WORKDIR:-/var/tmp/totrackit-offline}"
UV_VERSION="${OFFLINE_UV_VERSION:-0.13.9}"
SWAGGER_UI_VERSION="${OFFLINE_SWAGGER_UI_VERSION:-5.35.0}"
ENV_FILE="${OFFLINE_ENV_FILE:-$REPO_ROOT/.offline.env}"
SUITE=bookworm

# Builds need Debian's docker client (BuildKit); see ci/docker-engine.sh.
export PATH="/usr/bin:$PATH" DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1 DEBIAN_FRONTEND=noninteractive
DOCKER=/usr/bin/docker

force=0 smoke=1 verify=0 env_only=0 list_only=0 only="" arch=""
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --only) only="${2:?--only needs a comma-separated list}"; shift ;;
    --only=*) only="${1#--only=}" ;;
    --no-smoke) smoke=0 ;;
    --verify) verify=1 ;;
    --env-only) env_only=1 ;;
    --list) list_only=1 ;;
    --arch) arch="${2:?--arch needs an architecture (arm64)}"; shift ;;
    --arch=*) arch="${1#--arch=}" ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "offline-images: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# Another architecture: its own tags, scratch space and variables file, so that both sets of
# stand-ins live side by side. Only the images the runtime image is built from are made for it;
# the UI is built on the build machine's architecture (FROM --platform=$BUILDPLATFORM).
HOST_ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
ARCH="${arch:-$HOST_ARCH}"
FOREIGN=0
PLATFORM_ARGS=()
if [ "$ARCH" != "$HOST_ARCH" ]; then
  case "$ARCH" in
    arm64) ;;
    *) echo "offline-images: unsupported --arch '$ARCH' (supported: arm64)" >&2; exit 2 ;;
  esac
  FOREIGN=1
  PLATFORM_ARGS=(--platform "linux/$ARCH")
  HOST_BASE_TAG="$PREFIX/debian:$SUITE"
  PREFIX="${OFFLINE_PREFIX:-totrackit-offline/$ARCH}"
  WORKDIR="${OFFLINE_WORKDIR:-/var/tmp/totrackit-offline}/$ARCH"
  ENV_FILE="${OFFLINE_ENV_FILE:-$REPO_ROOT/.offline-$ARCH.env}"
fi

log() { printf '\033[1m==>\033[0m %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '\033[33mWARNING:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }
# Colours only on a terminal (CI logs stay plain).
if [ ! -t 1 ]; then
  log() { printf '==> %s\n' "$*"; }
  warn() { printf 'WARNING: %s\n' "$*" >&2; }
  die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
fi

host_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 20; }

# name | tag | variable | official image it stands in for | Dockerfile target (optional)
# Order matters: an image is built after the images it starts FROM.
IMAGES="
debian|$PREFIX/debian:$SUITE|DEBIAN_IMAGE|debian:bookworm-slim|
python|$PREFIX/python:3.11-slim|PYTHON_IMAGE|python:3.12-slim|
distroless-python|$PREFIX/distroless-python3-debian12:nonroot|DISTROLESS_PYTHON_IMAGE|gcr.io/distroless/python3-debian12:nonroot|nonroot
uv|$PREFIX/uv:$UV_VERSION|UV_IMAGE|ghcr.io/astral-sh/uv|
node|$PREFIX/node:$(host_node_major)-slim|NODE_IMAGE|node:22-slim, node:22-alpine|
postgres|$PREFIX/postgres:15|POSTGRES_IMAGE|postgres:16, postgres:15|
redis|$PREFIX/redis:7|REDIS_IMAGE|redis:7, redis:7-alpine|
nginx|$PREFIX/nginx:1.22|NGINX_IMAGE|nginx:1.27-alpine, nginx:1.27|
swagger-ui|$PREFIX/swagger-ui:v$SWAGGER_UI_VERSION|SWAGGER_UI_IMAGE|swaggerapi/swagger-ui|
prometheus|$PREFIX/prometheus:v2.42|PROMETHEUS_IMAGE|prom/prometheus|
alertmanager|$PREFIX/alertmanager:v0.25|ALERTMANAGER_IMAGE|prom/alertmanager|
postgres-exporter|$PREFIX/postgres-exporter:v0.11|POSTGRES_EXPORTER_IMAGE|prometheuscommunity/postgres-exporter|
redis-exporter|$PREFIX/redis-exporter:v1.45|REDIS_EXPORTER_IMAGE|oliver006/redis_exporter|
node-exporter|$PREFIX/node-exporter:v1.5|NODE_EXPORTER_IMAGE|prom/node-exporter|
caddy|$PREFIX/caddy:2.6|CADDY_IMAGE|caddy:2|
"
BASE_TAG="$PREFIX/debian:$SUITE"
if [ "$FOREIGN" = 1 ]; then
  # distroless-python is all the runtime image needs: it is collected from packages of $ARCH on
  # the build machine's base, and the image's builder stage runs natively (deploy/docker/Dockerfile).
  # debian (--only debian) is the $ARCH base made with debootstrap and configured under emulation,
  # several minutes; nothing here builds on it yet (docs/deployment/multi-arch.md).
  IMAGES="$(printf '%s\n' "$IMAGES" | grep -E '^(debian|distroless-python)[|]')"
  [ -n "$only" ] || only=distroless-python
fi

image_lines() { printf '%s\n' "$IMAGES" | sed '/^$/d'; }
field() { printf '%s' "$1" | cut -d'|' -f"$2"; }

if [ "$list_only" = 1 ]; then
  printf '%-18s %-56s %-24s %s\n' NAME TAG VARIABLE STANDS-IN-FOR
  image_lines | while IFS='|' read -r n t v o _; do printf '%-18s %-56s %-24s %s\n' "$n" "$t" "$v" "$o"; done
  exit 0
fi

selected() {
  [ -z "$only" ] && return 0
  case ",$only," in *",$1,"*) return 0 ;; esac
  return 1
}
if [ -n "$only" ]; then
  for n in ${only//,/ }; do
    image_lines | cut -d'|' -f1 | grep -qx "$n" || die "unknown image '$n' (see --list)"
  done
fi

exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
size_of() {
  local bytes
  bytes="$("$DOCKER" image inspect -f '{{.Size}}' "$1" 2>/dev/null)" || { echo "-"; return; }
  awk -v b="$bytes" 'BEGIN { printf "%.0f MB", b / 1000 / 1000 }'
}

declare -A RESULT=() SECONDS_TAKEN=()

# A fingerprint of everything an image is made from: its files in ci/offline-images/, the image it
# starts FROM, and the host inputs (Node, uv, swagger-ui versions). Stored as a label, so a changed
# recipe is rebuilt even without --force.
parent_of() {
  case "$1" in
    debian | uv) echo "" ;;
    swagger-ui) echo "$PREFIX/nginx:1.22" ;;
    distroless-python) if [ "$FOREIGN" = 1 ]; then echo "$HOST_BASE_TAG"; else echo "$BASE_TAG"; fi ;;
    *) echo "$BASE_TAG" ;;
  esac
}
recipe_of() {
  local name="$1" parent
  parent="$(parent_of "$name")"
  {
    echo "suite=$SUITE prefix=$PREFIX"
    [ "$FOREIGN" = 1 ] && echo "arch=$ARCH"
    (cd "$OFFLINE_DIR/$name" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    [ -n "$parent" ] && echo "parent=$("$DOCKER" image inspect -f '{{.Id}}' "$parent" 2>/dev/null || echo missing)"
    case "$name" in
      node) echo "node=$(node --version 2>/dev/null) npm=$(npm --version 2>/dev/null)" ;;
      uv) echo "uv=$UV_VERSION" ;;
      swagger-ui) echo "swagger-ui-dist=$SWAGGER_UI_VERSION" ;;
    esac
  } | sha256sum | cut -c1-16
}
recipe_label() { "$DOCKER" image inspect -f '{{index .Config.Labels "io.totrackit.offline.recipe"}}' "$1" 2>/dev/null || true; }
image_id() { "$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
# Drop the previous build of a tag once nothing refers to it any more (never forced; an old base
# is still the parent of old stand-ins until those are rebuilt, so failures are retried at the end).
OLD_IMAGES=()
drop_old() {
  local old="$1" tag="$2"
  if [ -n "$old" ] && [ "$old" != "$(image_id "$tag")" ]; then
    "$DOCKER" rmi "$old" >/dev/null 2>&1 || OLD_IMAGES+=("$old")
  fi
}
drop_pending() {
  local old
  for old in "${OLD_IMAGES[@]}"; do "$DOCKER" rmi "$old" >/dev/null 2>&1 || true; done
}


# ---------------------------------------------------------------------------------------------
# Base image: debootstrap --variant=minbase, slimmed like debian:*-slim, imported as an image.
# ---------------------------------------------------------------------------------------------
mirror_uri() {
  if [ -n "${OFFLINE_MIRROR:-}" ]; then echo "$OFFLINE_MIRROR"; return; fi
  local f=/etc/apt/sources.list.d/debian.sources uri=""
  [ -f "$f" ] && uri="$(awk '/^URIs:/ { print $2; exit }' "$f")"
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

write_sources() {
  # The image uses the same archive as the host (main, updates and security suites).
  local rootfs="$1" mirror="$2" security="${2%/debian}/debian-security"
  if [ -f /etc/apt/sources.list.d/debian.sources ] && [ -z "${OFFLINE_MIRROR:-}" ]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
  else
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  rm -f "$rootfs/etc/apt/sources.list"
}

build_base() {
  local rootfs="$WORKDIR/rootfs-$SUITE" mirror t0 t1
  mirror="$(mirror_uri)"
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap (apt-get)"
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends debootstrap </dev/null >/dev/null
  fi
  rm -rf "$rootfs"
  mkdir -p "$WORKDIR"
  t0=$(date +%s)
  mkdir -p "$WORKDIR/debootstrap-cache"
  if [ "$FOREIGN" = 1 ]; then
    # Two stages: download and unpack on the host, then configure the packages by running their
    # scripts with the image's own binaries, under emulation (about 3-5 minutes on 2 cores).
    log "debootstrap --arch=$ARCH --foreign --variant=minbase $SUITE from $mirror"
    if ! debootstrap --arch="$ARCH" --foreign --variant=minbase \
      --cache-dir="$WORKDIR/debootstrap-cache" "$SUITE" "$rootfs" "$mirror" \
      >"$WORKDIR/debootstrap.log" 2>&1; then
      tail -n 20 "$WORKDIR/debootstrap.log" >&2
      die "debootstrap --foreign failed (full log: $WORKDIR/debootstrap.log)"
    fi
    info "first stage took $(($(date +%s) - t0)) s; second stage under emulation (log: $WORKDIR/debootstrap.log)"
    if ! chroot "$rootfs" /debootstrap/debootstrap --second-stage >>"$WORKDIR/debootstrap.log" 2>&1; then
      tail -n 20 "$WORKDIR/debootstrap.log" >&2
      die "debootstrap --second-stage under emulation failed (full log: $WORKDIR/debootstrap.log)"
    fi
  else
    log "debootstrap --variant=minbase $SUITE from $mirror (about 30-60 s)"
    if ! debootstrap --variant=minbase --cache-dir="$WORKDIR/debootstrap-cache" \
      "$SUITE" "$rootfs" "$mirror" >"$WORKDIR/debootstrap.log" 2>&1; then
      tail -n 20 "$WORKDIR/debootstrap.log" >&2
      die "debootstrap failed (full log: $WORKDIR/debootstrap.log)"
    fi
  fi
  t1=$(date +%s)
  info "debootstrap took $((t1 - t0)) s"
  SECONDS_TAKEN[debootstrap]=$((t1 - t0))

  # Slim it down and make it container-friendly (same ideas as the official debian images).
  cp -a "$OFFLINE_DIR/debian/rootfs-overlay/." "$rootfs/"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  write_sources "$rootfs" "$mirror"
  rm -rf "${rootfs:?}"/var/cache/apt/archives/*.deb "${rootfs:?}"/var/cache/apt/*.bin \
    "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/var/log/*.log "${rootfs:?}"/var/log/apt/* \
    "${rootfs:?}"/tmp/* "${rootfs:?}"/var/tmp/*
  mkdir -p "$rootfs/var/lib/apt/lists/partial"
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "${rootfs:?}"/usr/share/man/* "${rootfs:?}"/usr/share/info/* "${rootfs:?}"/usr/share/locale/* \
    "${rootfs:?}"/usr/share/groff/* "${rootfs:?}"/usr/share/lintian/*
  : >"$rootfs/etc/resolv.conf"
  rm -f "$rootfs/etc/hostname"
  # Device nodes are provided by the container runtime.
  rm -rf "${rootfs:?}"/dev/* 2>/dev/null || true

  log "importing the rootfs as $BASE_TAG"
  if [ "$FOREIGN" = 1 ]; then
    import_foreign "$rootfs"
  else
    tar -C "$rootfs" --numeric-owner -cf - . |
      "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        --change "LABEL io.totrackit.offline.recipe=$(recipe_of debian)" \
        --change "LABEL org.opencontainers.image.description=\"Debian $SUITE minbase (debootstrap), local stand-in for debian:$SUITE-slim\"" \
        - "$BASE_TAG" >/dev/null
  fi
  rm -rf "$rootfs"
  SECONDS_TAKEN[debian]=$(($(date +%s) - t0))
}

# `docker import --platform` is experimental in Docker 20.10 and ignored otherwise, so an image of
# another architecture is made by a BuildKit build of `FROM scratch` + `ADD rootfs.tar`, which
# records the target platform in the image.
import_foreign() {
  local rootfs="$1" ctx="$WORKDIR/ctx/debian"
  rm -rf "$ctx"; mkdir -p "$ctx"
  tar -C "$rootfs" --numeric-owner -cf "$ctx/rootfs.tar" .
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["bash"]
EOF
  "$DOCKER" build "${PLATFORM_ARGS[@]}" --progress plain \
    --label "io.totrackit.offline.recipe=$(recipe_of debian)" \
    --label "org.opencontainers.image.description=Debian $SUITE minbase for $ARCH (debootstrap), local stand-in for debian:$SUITE-slim" \
    -t "$BASE_TAG" "$ctx" >"$WORKDIR/build-debian.log" 2>&1 || {
    tail -n 30 "$WORKDIR/build-debian.log" >&2
    die "importing the $ARCH rootfs as $BASE_TAG failed (full log: $WORKDIR/build-debian.log)"
  }
  rm -rf "$ctx"
}

# ---------------------------------------------------------------------------------------------
# Build contexts: ci/offline-images/<name>/ plus files fetched from this host.
# ---------------------------------------------------------------------------------------------
prepare_context() {
  local name="$1" ctx="$2"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp -a "$OFFLINE_DIR/$name/." "$ctx/"
  case "$name" in
    node)
      # Debian bookworm's nodejs (18) is too old for Vite 8; ship this host's Node instead.
      local node_bin npm_dir
      node_bin="$(readlink -f "$(command -v node)")" || die "node is not installed on this host"
      npm_dir="$(dirname "$node_bin")/../lib/node_modules"
      [ -d "$npm_dir/npm" ] || die "npm not found next to $node_bin (expected $npm_dir/npm)"
      mkdir -p "$ctx/dist/bin" "$ctx/dist/lib/node_modules"
      cp "$node_bin" "$ctx/dist/bin/node"
      cp -a "$npm_dir/npm" "$ctx/dist/lib/node_modules/"
      [ -d "$npm_dir/corepack" ] && cp -a "$npm_dir/corepack" "$ctx/dist/lib/node_modules/"
      info "node $("$node_bin" --version) and npm $(npm --version 2>/dev/null) copied from the host"
      ;;
    swagger-ui)
      info "npm pack swagger-ui-dist@$SWAGGER_UI_VERSION"
      (cd "$ctx" && npm pack --silent "swagger-ui-dist@$SWAGGER_UI_VERSION" >/dev/null 2>&1) ||
        die "npm pack swagger-ui-dist@$SWAGGER_UI_VERSION failed (is the npm registry reachable?)"
      mv "$ctx"/swagger-ui-dist-*.tgz "$ctx/swagger-ui-dist.tgz"
      ;;
    uv)
      # The musllinux wheel carries static binaries, which run in a FROM scratch image.
      local machine=x86_64
      [ "$ARCH" = arm64 ] && machine=aarch64
      info "pip download uv==$UV_VERSION (musllinux wheel for $machine, static binaries)"
      python3 -m pip download --quiet --no-deps --only-binary :all: --python-version 3.11 \
        --platform "musllinux_1_1_$machine" -d "$ctx/wheel" "uv==$UV_VERSION" >"$WORKDIR/pip-uv.log" 2>&1 || {
        cat "$WORKDIR/pip-uv.log" >&2
        die "pip download uv==$UV_VERSION failed (is the package index reachable?)"
      }
      python3 - "$ctx" <<'PY'
import pathlib, sys, zipfile
ctx = pathlib.Path(sys.argv[1])
(wheel,) = (ctx / "wheel").glob("uv-*.whl")
with zipfile.ZipFile(wheel) as zf:
    for member in zf.namelist():
        name = member.rsplit("/", 1)[-1]
        if ".data/scripts/" in member and name in ("uv", "uvx"):
            target = ctx / name
            target.write_bytes(zf.read(member))
            target.chmod(0o755)
PY
      rm -rf "$ctx/wheel"
      [ -x "$ctx/uv" ] && [ -x "$ctx/uvx" ] || die "uv binaries not found in the wheel"
      ;;
  esac
}

build_image() {
  local name="$1" tag="$2" official="$3" target="$4" args=() base
  local ctx="$WORKDIR/ctx/$name"
  base="$BASE_TAG"
  if [ "$FOREIGN" = 1 ] && [ "$name" = distroless-python ]; then
    base="$HOST_BASE_TAG"
    exists "$base" || die "$base is missing: the $ARCH distroless stand-in is collected on it (run ci/offline-images/build.sh --only debian)"
  fi
  prepare_context "$name" "$ctx"
  args=(build "${PLATFORM_ARGS[@]}" --network host --progress plain
    --build-arg "BASE_IMAGE=$base" --build-arg "PREFIX=$PREFIX"
    --label "org.opencontainers.image.description=Local stand-in for $official (ci/offline-images/$name)"
    --label "io.totrackit.offline.stands-in-for=$official"
    --label "io.totrackit.offline.recipe=$(recipe_of "$name")"
    -t "$tag")
  [ -n "$target" ] && args+=(--target "$target")
  # --force means a fresh build (new Debian updates), not a re-tag of cached layers.
  [ "$force" = 1 ] && args+=(--no-cache)
  [ "$name" = uv ] && args+=(-t "$PREFIX/uv:latest")
  "$DOCKER" "${args[@]}" "$ctx" >"$WORKDIR/build-$name.log" 2>&1 || {
    tail -n 30 "$WORKDIR/build-$name.log" >&2
    die "building $tag failed (full log: $WORKDIR/build-$name.log)"
  }
  # The distroless stand-in also gets its root variant (official tag :latest).
  if [ "$name" = distroless-python ]; then
    "$DOCKER" build "${PLATFORM_ARGS[@]}" --network host --build-arg "BASE_IMAGE=$base" --target root \
      --label "io.totrackit.offline.recipe=$(recipe_of "$name")" \
      --label "io.totrackit.offline.stands-in-for=gcr.io/distroless/python3-debian12:latest" \
      -t "$PREFIX/distroless-python3-debian12:latest" "$ctx" >>"$WORKDIR/build-$name.log" 2>&1 ||
      die "building the root variant of $tag failed (log: $WORKDIR/build-$name.log)"
  fi
  rm -rf "$ctx"
}

# ---------------------------------------------------------------------------------------------
# Smoke checks: one quick run per image.
# ---------------------------------------------------------------------------------------------
run() { "$DOCKER" run --rm "${PLATFORM_ARGS[@]}" "$@"; }

# shellcheck disable=SC2016 # the $(...) in these commands run inside the containers
smoke() {
  local name="$1" tag="$2"
  case "$name" in
    debian) run "$tag" sh -c 'echo "debian $(cat /etc/debian_version) $(dpkg --print-architecture), uname -m: $(uname -m)"' ;;
    python) run "$tag" sh -c 'python --version && pip --version | cut -d" " -f1-2 &&
        python3 -m venv /tmp/v && /tmp/v/bin/pip --version | cut -d" " -f1-2 &&
        python -c "import ssl, sqlite3, zoneinfo, ctypes; print(\"stdlib ok\", zoneinfo.ZoneInfo(\"Europe/Paris\"))"' ;;
    distroless-python) run "$tag" -c 'import ssl, sys, zoneinfo, os; import platform; print("python", sys.version.split()[0], platform.machine(), "uid", os.getuid(), zoneinfo.ZoneInfo("UTC"))' ;;
    uv) run "$tag" --version ;;
    node) run "$tag" sh -c 'echo "node $(node --version), npm $(npm --version)"' ;;
    postgres) run "$tag" sh -c 'postgres --version && pg_isready --version && psql --version' ;;
    redis) run "$tag" sh -c 'redis-server --version && redis-cli --version' ;;
    nginx) run "$tag" sh -c 'nginx -t 2>&1 | tail -n1 && nginx -v 2>&1 && envsubst --version | head -n1' ;;
    swagger-ui) run "$tag" sh -c 'ls /usr/share/nginx/html/swagger-ui-bundle.js && nginx -v 2>&1' ;;
    prometheus) run --entrypoint sh "$tag" -c 'prometheus --version 2>&1 | head -n1 && promtool --version 2>&1 | head -n1 && promtool check config /etc/prometheus/prometheus.yml | tail -n1' ;;
    alertmanager) run --entrypoint sh "$tag" -c 'alertmanager --version 2>&1 | head -n1 && amtool check-config /etc/alertmanager/alertmanager.yml | head -n1' ;;
    postgres-exporter) run "$tag" --version 2>&1 | head -n1 ;;
    redis-exporter) run --entrypoint /redis_exporter "$tag" -version 2>&1 | head -n1 ;;
    node-exporter) run "$tag" --version 2>&1 | head -n1 ;;
    caddy) run "$tag" caddy version ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Functional checks (--verify): the behaviours our compose files rely on.
# ---------------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_until() { # seconds command...
  local n="$1"; shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

verify_postgres() {
  local tag="$1" port dir cid out
  port="$(free_port)"; dir="$(mktemp -d)"; chmod 755 "$dir"
  printf "CREATE TABLE init_check (v text);\nINSERT INTO init_check VALUES ('from-initdb');\n" >"$dir/01-init.sql"
  # shellcheck disable=SC2016 # expanded by the container's shell
  printf '#!/bin/sh\necho "init script ran for $POSTGRES_DB"\n' >"$dir/02-note.sh"
  cid="$("$DOCKER" run -d -e POSTGRES_PASSWORD=s3cret -e POSTGRES_USER=app -e POSTGRES_DB=appdb \
    -v "$dir:/docker-entrypoint-initdb.d:ro" -p "127.0.0.1:$port:5432" "$tag" -c max_connections=50)"
  if ! wait_until 60 "$DOCKER" exec "$cid" pg_isready -U app -d appdb -h 127.0.0.1; then
    "$DOCKER" logs "$cid" >&2; "$DOCKER" rm -f "$cid" >/dev/null; die "postgres did not become ready"
  fi
  # A client in the host's network namespace, through the published port, with a password.
  out="$("$DOCKER" run --rm --network host -e PGPASSWORD=s3cret "$tag" \
    psql -h 127.0.0.1 -p "$port" -U app -d appdb -Atc 'SELECT v FROM init_check; SHOW max_connections;')"
  local bad=0
  "$DOCKER" run --rm --network host -e PGPASSWORD=wrong "$tag" \
    psql -h 127.0.0.1 -p "$port" -U app -d appdb -Atc 'SELECT 1' >/dev/null 2>&1 && bad=1
  local ran; ran="$("$DOCKER" logs "$cid" 2>&1 | grep -c 'init script ran for appdb' || true)"
  "$DOCKER" rm -f "$cid" >/dev/null; rm -rf "$dir"
  [ "$out" = "$(printf 'from-initdb\n50')" ] || die "postgres check failed: got '$out'"
  [ "$bad" = 0 ] || die "postgres accepted a wrong password"
  [ "$ran" = 1 ] || die "postgres init .sh script did not run exactly once"
  info "postgres: init .sql + .sh ran, password login over 127.0.0.1:$port ok, wrong password refused, -c args applied"
}

verify_redis() {
  local tag="$1" port cid out
  port="$(free_port)"
  cid="$("$DOCKER" run -d -p "127.0.0.1:$port:6379" "$tag" redis-server --requirepass s3cret --appendonly yes)"
  wait_until 30 "$DOCKER" exec "$cid" redis-cli -a s3cret --no-auth-warning ping || {
    "$DOCKER" logs "$cid" >&2; "$DOCKER" rm -f "$cid" >/dev/null; die "redis did not start"; }
  out="$("$DOCKER" run --rm --network host "$tag" redis-cli -h 127.0.0.1 -p "$port" -a s3cret --no-auth-warning ping)"
  local noauth
  noauth="$("$DOCKER" run --rm --network host "$tag" redis-cli -h 127.0.0.1 -p "$port" ping 2>&1 || true)"
  local aof; aof="$("$DOCKER" exec "$cid" sh -c 'ls /data' | tr '\n' ' ')"
  "$DOCKER" rm -f "$cid" >/dev/null
  [ "$out" = PONG ] || die "redis authenticated PING failed: '$out'"
  case "$noauth" in *NOAUTH*) ;; *) die "redis answered without a password: '$noauth'" ;; esac
  info "redis: AUTH + PING over 127.0.0.1:$port ok, unauthenticated PING refused, /data: $aof"
}

verify_nginx() {
  local tag="$1" port dir cid out
  port="$(free_port)"; dir="$(mktemp -d)"; chmod 755 "$dir"
  cat >"$dir/default.conf.template" <<'EOF'
server {
    listen 80;
    location = /check { default_type text/plain; return 200 "backend=${BACKEND_URL}\n"; }
    location / { root /usr/share/nginx/html; }
}
EOF
  cid="$("$DOCKER" run -d -e BACKEND_URL=http://api:8000 -v "$dir:/etc/nginx/templates:ro" -p "127.0.0.1:$port:80" "$tag")"
  wait_until 20 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/check')" || {
    "$DOCKER" logs "$cid" >&2; "$DOCKER" rm -f "$cid" >/dev/null; die "nginx did not answer"; }
  out="$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/check').read().decode().strip())")"
  local index; index="$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/').status)")"
  "$DOCKER" rm -f "$cid" >/dev/null; rm -rf "$dir"
  [ "$out" = "backend=http://api:8000" ] || die "nginx template check failed: '$out'"
  info "nginx: /etc/nginx/templates/*.template rendered with envsubst, index page $index"
}

verify_swagger_ui() {
  local tag="$1" port dir cid out
  port="$(free_port)"; dir="$(mktemp -d)"; chmod 755 "$dir"
  echo '{"openapi": "3.1.0", "info": {"title": "check", "version": "1"}, "paths": {}}' >"$dir/openapi.json"
  cid="$("$DOCKER" run -d -e SWAGGER_JSON=/spec/openapi.json -e BASE_URL=/docs -v "$dir:/spec:ro" -p "127.0.0.1:$port:8080" "$tag")"
  wait_until 20 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/docs/')" || {
    "$DOCKER" logs "$cid" >&2; "$DOCKER" rm -f "$cid" >/dev/null; die "swagger-ui did not answer"; }
  out="$(python3 - "$port" <<'PY'
import sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/docs/"
init = urllib.request.urlopen(base + "swagger-initializer.js").read().decode()
spec = urllib.request.urlopen(base + "openapi.json").read().decode()
print("ok" if '"./openapi.json"' in init and '"check"' in spec else "bad: " + init)
PY
)"
  "$DOCKER" rm -f "$cid" >/dev/null; rm -rf "$dir"
  [ "$out" = ok ] || die "swagger-ui check failed: $out"
  info "swagger-ui: SWAGGER_JSON + BASE_URL=/docs served on :8080"
}

verify_python() {
  local tag="$1" dir
  dir="$(mktemp -d)"
  # The pattern of the product Dockerfile: venv in a builder stage, copied into the runtime stage,
  # pip reaching the index through the host CA bundle passed as a BuildKit secret.
  cat >"$dir/Dockerfile" <<'EOF'
ARG PYTHON_IMAGE=python:3.12-slim
FROM ${PYTHON_IMAGE} AS builder
RUN python -m venv /opt/venv
RUN --mount=type=secret,id=ca_bundle,target=/run/secrets/ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi; \
    /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check six==1.17.0
FROM ${PYTHON_IMAGE}
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
CMD ["python", "-c", "import six, sys; print('six', six.__version__, 'on', sys.version.split()[0], sys.prefix)"]
EOF
  "$DOCKER" build -q --build-arg "PYTHON_IMAGE=$tag" \
    --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt \
    -t "$PREFIX/verify-python:latest" "$dir" >/dev/null ||
    die "python venv/pip build check failed"
  info "python: $(run "$PREFIX/verify-python:latest")"
  "$DOCKER" rmi "$PREFIX/verify-python:latest" >/dev/null; rm -rf "$dir"
}

# ---------------------------------------------------------------------------------------------
write_env_file() {
  local tmp="$ENV_FILE.tmp" missing=()
  {
    echo "# Local stand-ins for official images, written by ci/offline-images/build.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
    echo "# Machine-specific; git-ignored. Use: set -a; . ./.offline.env; set +a  (or --env-file)."
    image_lines | while IFS='|' read -r n t v o _; do
      # Another architecture's base is not for DEBIAN_IMAGE: the stage that uses it runs on the
      # build machine's platform.
      if [ "$FOREIGN" = 1 ] && [ "$n" = debian ]; then continue; fi
      if exists "$t"; then echo "$v=$t"; fi
    done
  } >"$tmp"
  mv "$tmp" "$ENV_FILE"
  mapfile -t missing < <(image_lines | while IFS='|' read -r n t v _; do selected "$n" && ! exists "$t" && echo "$v"; done)
  log "wrote $ENV_FILE ($(grep -c '=' "$ENV_FILE") variables)"
  [ "${#missing[@]}" -gt 0 ] && warn "not written (image missing): ${missing[*]}"
  return 0
}

summary() {
  log "summary"
  printf '    %-18s %-56s %8s %7s  %s\n' NAME TAG SIZE SECONDS STATUS
  image_lines | while IFS='|' read -r n t v o _; do
    printf '    %-18s %-56s %8s %7s  %s\n' "$n" "$t" "$(size_of "$t")" "${SECONDS_TAKEN[$n]:--}" "${RESULT[$n]:-not selected}"
  done
  [ -n "${SECONDS_TAKEN[debootstrap]:-}" ] && info "(debootstrap alone: ${SECONDS_TAKEN[debootstrap]} s)"
  return 0
}

# ---------------------------------------------------------------------------------------------
main() {
  local start total i=0 n t v o target
  start=$(date +%s)
  [ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and the Docker engine need it)"
  mkdir -p "$WORKDIR"
  exec 9>"$WORKDIR/.lock"
  flock -n 9 || die "another ci/offline-images/build.sh run holds $WORKDIR/.lock"

  # 9>&-: a dockerd started from here must not inherit the lock.
  "$REPO_ROOT/ci/docker-engine.sh" 9>&-
  [ -x "$DOCKER" ] || die "$DOCKER is missing (ci/docker-engine.sh installs Debian's docker.io)"
  if [ "$FOREIGN" = 1 ] && [ "$env_only" = 0 ]; then
    "$REPO_ROOT/ci/qemu-binfmt.sh" "$ARCH" 9>&- ||
      die "$ARCH stand-ins need QEMU user emulation (ci/qemu-binfmt.sh above says what failed)"
  fi

  if [ "$env_only" = 1 ]; then write_env_file; exit 0; fi

  total="$(image_lines | wc -l)"
  while IFS='|' read -r n t v o target; do
    i=$((i + 1))
    if ! selected "$n" && { [ "$n" != debian ] || [ "$FOREIGN" = 1 ] || exists "$t"; }; then
      [ "$n" = debian ] && RESULT[$n]="exists (base)"
      continue
    fi
    local prefix="[$i/$total] $n ($t)"
    local why="" recipe old_id
    recipe="$(recipe_of "$n")"
    old_id="$(image_id "$t")"
    if [ -z "$old_id" ]; then why="missing"
    elif [ "$force" = 1 ] && selected "$n"; then why="--force"
    elif [ "$(recipe_label "$t")" != "$recipe" ]; then why="recipe changed"
    fi
    if [ -z "$why" ]; then
      log "$prefix: up to date, skipped (use --force to rebuild)"
      RESULT[$n]=exists
    else
      log "$prefix: building ($why; stand-in for $o)"
      local t0; t0=$(date +%s)
      if [ "$n" = debian ]; then build_base; else build_image "$n" "$t" "$o" "$target"; SECONDS_TAKEN[$n]=$(($(date +%s) - t0)); fi
      drop_old "$old_id" "$t"
      info "built in ${SECONDS_TAKEN[$n]} s, $(size_of "$t")"
      RESULT[$n]=built
    fi
    if [ "$smoke" = 1 ]; then
      local out
      out="$(smoke "$n" "$t" 2>&1)" || { printf '%s\n' "$out" >&2; die "smoke check of $t failed"; }
      if [ "$FOREIGN" = 1 ]; then
        local built_for; built_for="$("$DOCKER" image inspect -f '{{.Os}}/{{.Architecture}}' "$t")"
        [ "$built_for" = "linux/$ARCH" ] || die "$t is $built_for, not linux/$ARCH"
        out="$out ($built_for)"
      fi
      printf '%s\n' "$out" | sed 's/^/    smoke: /'
      RESULT[$n]="${RESULT[$n]}, smoke ok"
    fi
  done < <(image_lines)

  drop_pending

  if [ "$verify" = 1 ]; then
    log "functional checks (--verify)"
    while IFS='|' read -r n t _; do
      if ! selected "$n" || ! exists "$t"; then continue; fi
      case "$n" in
        postgres) verify_postgres "$t" ;;
        redis) verify_redis "$t" ;;
        nginx) verify_nginx "$t" ;;
        swagger-ui) verify_swagger_ui "$t" ;;
        python) verify_python "$t" ;;
      esac
    done < <(image_lines)
  fi

  write_env_file
  summary
  log "done in $(($(date +%s) - start)) s"
}

main
