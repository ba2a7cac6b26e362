#!/usr/bin/env bash
# Make sure a Docker engine is running on this machine (Debian 12, root, no systemd).
#
#   ci/docker-engine.sh              ensure the engine runs; print what was done
#   ci/docker-engine.sh --print-env  same, then print `export ...` lines on stdout:
#                                         eval "$(ci/docker-engine.sh --print-env)"
#   ci/docker-engine.sh --status     report only; exit 1 when the engine is not reachable
#
# Idempotent: when `docker info` already works this is a no-op (apart from the report).
# Otherwise it installs Debian's docker.io and docker-compose (apt-get, noninteractive),
# starts `dockerd` in the background with its log in $DOCKERD_LOG and waits for it.
#
# Builds must use Debian's client /usr/bin/docker (20.10, with BuildKit). A newer client may be
# first on PATH (/usr/local/bin/docker) without the buildx plugin, which makes BuildKit builds
# fail. Callers therefore put /usr/bin first on PATH; --print-env prints exactly that.
#
# Environment:
#   DOCKERD_LOG          dockerd log file            (default /var/log/dockerd.log)
#   DOCKER_WAIT_SECONDS  how long to wait for dockerd (default 90)
#   DOCKERD_ARGS         extra arguments for dockerd (default none)
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKER_WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-90}"
DOCKERD_ARGS="${DOCKERD_ARGS:-}"
DEBIAN_DOCKER=/usr/bin/docker

mode=ensure
case "${1:-}" in
  "") ;;
  --print-env) mode=print-env ;;
  --status) mode=status ;;
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) echo "docker-engine: unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

# All progress goes to stderr so that stdout stays clean for --print-env.
log() { printf 'docker-engine: %s\n' "$*" >&2; }
die() { printf 'docker-engine: ERROR: %s\n' "$*" >&2; exit 1; }

# The client used for probing: Debian's when present (it matches the daemon's API version).
client() {
  if [ -x "$DEBIAN_DOCKER" ]; then "$DEBIAN_DOCKER" "$@"; else docker "$@"; fi
}

engine_up() { client info >/dev/null 2>&1; }

report() {
  local server
  server="$(client version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
  log "engine is running (server ${server}, storage $(client info --format '{{.Driver}}' 2>/dev/null || echo '?'))"
  if [ -x "$DEBIAN_DOCKER" ]; then
    log "build client: $DEBIAN_DOCKER ($("$DEBIAN_DOCKER" version --format '{{.Client.Version}}' 2>/dev/null || echo '?'), BuildKit capable)"
  else
    log "WARNING: $DEBIAN_DOCKER is missing; BuildKit builds need Debian's docker.io client"
  fi
  local first
  first="$(command -v docker || true)"
  if [ -n "$first" ] && [ "$first" != "$DEBIAN_DOCKER" ]; then
    log "note: '$first' comes first on PATH and has no buildx; for builds use"
    log "      export PATH=/usr/bin:\$PATH DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1"
  fi
  if command -v docker-compose >/dev/null 2>&1; then
    log "compose: $(docker-compose version --short 2>/dev/null || echo '?') ($(command -v docker-compose))"
  fi
}

print_env() {
  printf 'export PATH=/usr/bin:%s\n' "$PATH"
  printf 'export DOCKER_BUILDKIT=1\n'
  printf 'export COMPOSE_DOCKER_CLI_BUILD=1\n'
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  [ -x "$DEBIAN_DOCKER" ] || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [ "${#missing[@]}" -eq 0 ] && { log "docker.io and docker-compose are installed"; return; }
  [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
  # de-duplicate
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]} from Debian (apt-get update first)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null >&2
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >&2
  log "installed: $(dpkg-query -W -f='${Package} ${Version}  ' docker.io docker-compose 2>/dev/null)"
}

dockerd_pid() {
  local pid
  [ -s /var/run/docker.pid ] || return 1
  pid="$(cat /var/run/docker.pid)"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start_dockerd() {
  local pid
  if pid="$(dockerd_pid)"; then
    log "dockerd is already running (pid $pid) but not answering yet; waiting for it"
    return
  fi
  [ "$(id -u)" -eq 0 ] || die "starting dockerd needs root"
  rm -f /var/run/docker.pid
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  log "starting dockerd in the background (log: $DOCKERD_LOG)"
  # setsid + nohup: the daemon must outlive this script and its process group. It must not
  # inherit our other open file descriptors either (a caller's lock file would stay locked).
  (
    for fd in /proc/self/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    # shellcheck disable=SC2086 # DOCKERD_ARGS is a list of words on purpose
    exec setsid nohup dockerd $DOCKERD_ARGS >>"$DOCKERD_LOG" 2>&1 </dev/null
  ) &
  log "dockerd started (pid $!)"
}

wait_for_engine() {
  local waited=0
  while ! engine_up; do
    if [ "$waited" -ge "$DOCKER_WAIT_SECONDS" ]; then
      log "last lines of $DOCKERD_LOG:"
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      die "dockerd did not answer 'docker info' within ${DOCKER_WAIT_SECONDS}s"
    fi
    if ! dockerd_pid >/dev/null && [ "$waited" -ge 5 ]; then
      log "last lines of $DOCKERD_LOG:"
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      die "dockerd exited during start-up (see $DOCKERD_LOG)"
    fi
    sleep 1
    waited=$((waited + 1))
    [ $((waited % 10)) -eq 0 ] && log "waiting for dockerd ... ${waited}s"
  done
  log "engine answered after ${waited}s"
}

case "$mode" in
  status)
    if engine_up; then report; exit 0; fi
    log "engine is NOT reachable"; exit 1 ;;
esac

if engine_up; then
  log "docker info works: nothing to start"
  [ -x "$DEBIAN_DOCKER" ] || install_packages
else
  install_packages
  start_dockerd
  wait_for_engine
fi
report
if [ "$mode" = print-env ]; then print_env; fi
