#!/usr/bin/env bash
# Start the full ToTrackIt stack (docker-compose.yml) from a fresh clone, and say when it is ready.
#
#   scripts/quick-start.sh              # or: make up
#   scripts/quick-start.sh --no-build   # use the images that exist (totrackit:local, totrackit-ui:local;
#                                       # another COMPOSE_PROJECT_NAME: :local-PROJECT)
#   scripts/quick-start.sh --down       # stop the stack (keeps the data)
#   scripts/quick-start.sh --clean      # stop it and delete its data volumes (`make clean-stack`)
#
# Steps: check the prerequisites (Docker engine, Compose, BuildKit, free ports, disk space), build
# the images (scripts/build-images.sh), start the stack, show each service's health as it comes
# up, then print the URLs and copy-paste examples. When something fails it names the service,
# shows its last log lines and the matching section of docs/troubleshooting.md.
#
# Settings (environment or .env): TOTRACKIT_API_PORT (8080), TOTRACKIT_UI_PORT (3000),
# TOTRACKIT_SWAGGER_PORT (8081), TOTRACKIT_BIND_ADDRESS (127.0.0.1), COMPOSE_PROJECT_NAME
# (totrackit), TOTRACKIT_START_TIMEOUT (seconds, 180), TOTRACKIT_OFFLINE_IMAGES=1 (machines
# without a registry: local stand-in base images, see ci/offline-images/README.md).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  bold=$'\e[1m' green=$'\e[32m' yellow=$'\e[33m' red=$'\e[31m' dim=$'\e[2m' reset=$'\e[0m'
else
  bold='' green='' yellow='' red='' dim='' reset=''
fi
say() { printf '%s\n' "$*"; }
step() { printf '%s==>%s %s\n' "$bold" "$reset" "$*"; }
ok() { printf '  %s✔%s %s\n' "$green" "$reset" "$*"; }
warn() { printf '  %s!%s %s\n' "$yellow" "$reset" "$*"; }
fail() { # fail MESSAGE [TROUBLESHOOTING-ANCHOR]
  printf '  %s✘ %s%s\n' "$red" "$1" "$reset" >&2
  [ -z "${2:-}" ] || printf '  See docs/troubleshooting.md#%s\n' "$2" >&2
  exit 1
}

build=1
case "${1:-}" in
  --no-build) build=0 ;;
  --down) action=down ;;
  --clean) action=clean ;;
  -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
  "") ;;
  *) fail "unknown option $1 (--no-build, --down, --clean, --help)" ;;
esac

# Values from .env count too (Compose reads it); the environment wins, as with Compose.
if [ -f .env ]; then
  while IFS='=' read -r key value; do
    case "$key" in '' | \#*) continue ;; esac
    key="${key// /}"
    [ -n "${!key+x}" ] || export "$key=${value%\"}"
  done < <(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' .env | sed 's/="/=/')
fi
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-totrackit}"
# The project's own image tag, so that a second project never re-tags the first one's images.
# shellcheck source=scripts/image-tag.sh
. scripts/image-tag.sh
api_port="${TOTRACKIT_API_PORT:-8080}" ui_port="${TOTRACKIT_UI_PORT:-3000}"
swagger_port="${TOTRACKIT_SWAGGER_PORT:-8081}" bind="${TOTRACKIT_BIND_ADDRESS:-127.0.0.1}"
host="$bind"; [ "$host" != 0.0.0.0 ] || host=localhost; [ "$host" != 127.0.0.1 ] || host=localhost
timeout="${TOTRACKIT_START_TIMEOUT:-180}"

# ------------------------------------------------------------------------- prerequisites
step "Checking prerequisites"
if [ "${TOTRACKIT_OFFLINE_IMAGES:-0}" = 1 ] && [ -x ci/docker-engine.sh ]; then
  ci/docker-engine.sh >/dev/null 2>&1 || true
fi
[ -x /usr/bin/docker ] && export PATH="/usr/bin:$PATH"   # Debian's client builds with BuildKit
command -v docker >/dev/null || fail "Docker is not installed (https://docs.docker.com/engine/install/)" engine-not-running
if ! docker info >/dev/null 2>&1; then
  fail "the Docker engine is not running, or this user may not use it: $(docker info 2>&1 | grep -m1 -i error || true)" engine-not-running
fi
ok "Docker engine $(docker version -f '{{.Server.Version}}' 2>/dev/null)"
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
else
  fail "Docker Compose is missing: install the compose plugin (docker compose) or docker-compose" engine-not-running
fi
ok "$("${compose[@]}" version 2>/dev/null | head -1)"
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
dc() { "${compose[@]}" -f docker-compose.yml "$@"; }

if [ "${action:-}" = clean ]; then
  # Only what this project created: `down -v` on a project that never ran prints "not found"
  # for every volume and network it would have had.
  label="label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"
  found=$( { docker ps -aq --filter "$label"; docker volume ls -q --filter "$label"; docker network ls -q --filter "$label"; } | wc -l)
  if [ "$found" -eq 0 ]; then
    ok "nothing to delete: project $COMPOSE_PROJECT_NAME has no containers, volumes or networks"
    exit 0
  fi
  step "Stopping the stack (project $COMPOSE_PROJECT_NAME) and deleting its data volumes"
  "${compose[@]}" -f docker-compose.yml -f docker-compose.monitoring.yml down -v --remove-orphans 2>&1 | grep -v ' not found' || true
  ok "deleted"
  exit 0
fi

if [ "${action:-}" = down ]; then
  step "Stopping the stack (project $COMPOSE_PROJECT_NAME; the data volumes stay)"
  dc down --remove-orphans
  exit 0
fi

if [ "${TOTRACKIT_OFFLINE_IMAGES:-0}" = 1 ]; then
  ci/offline-images/build.sh >/tmp/totrackit-offline-images.log 2>&1 || fail "ci/offline-images/build.sh failed (see /tmp/totrackit-offline-images.log)"
  set -a
  # shellcheck disable=SC1091
  . ./.offline.env
  set +a
  ok "offline stand-in base images (.offline.env)"
fi

port_in_use() { # port_in_use PORT: true when something listens on it
  if command -v ss >/dev/null; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
ours=$(dc ps -q 2>/dev/null | wc -l)
for entry in "API:$api_port:TOTRACKIT_API_PORT" "web UI:$ui_port:TOTRACKIT_UI_PORT" "Swagger UI:$swagger_port:TOTRACKIT_SWAGGER_PORT"; do
  IFS=: read -r name port variable <<<"$entry"
  if [ "$ours" -eq 0 ] && port_in_use "$port"; then
    fail "port $port ($name) is in use; free it or choose another one: $variable=NNNN make up" port-already-in-use
  fi
done
ok "ports $api_port, $ui_port and $swagger_port are free"
free_kb=$(df -Pk /var/lib/docker 2>/dev/null | awk 'NR==2 {print $4}' || true)
if [ -n "$free_kb" ] && [ "$free_kb" -lt 2097152 ]; then
  warn "less than 2 GB free for Docker's data ($((free_kb / 1024)) MB)"
fi

# ------------------------------------------------------------------------- build and start
if [ "$build" = 1 ]; then
  step "Building the images, tag ${TOTRACKIT_VERSION:-local} (the first build takes a few minutes; later ones seconds)"
  scripts/build-images.sh api ui || fail "the image build failed (log above)" image-build-fails
fi

step "Starting the stack (project $COMPOSE_PROJECT_NAME)"
# Containers left from an earlier run keep their old state until `up` starts them again.
before=""
for container in $(dc ps -q 2>/dev/null); do
  before="$before
$container $(docker inspect -f '{{.State.StartedAt}} {{.RestartCount}}' "$container" 2>/dev/null)"
done
started=$(date +%s)
uplog=$(mktemp); trap 'rm -f "$uplog"' EXIT
dc up -d --no-build --remove-orphans >"$uplog" 2>&1 &
up_pid=$!

anchor_for() { # anchor_for SERVICE LOGTEXT EXITCODE OOM
  local text="$2"
  if [ "$4" = true ] || [ "$3" = 137 ]; then echo out-of-memory-or-slow-responses
  elif grep -qiE 'address already in use|port is already allocated' <<<"$text"; then echo port-already-in-use
  elif grep -qiE 'permission denied|operation not permitted|read-only file system' <<<"$text"; then echo volume-permissions
  elif grep -qiE 'lock ?timeout|could not obtain lock|LockNotAvailable|advisory lock' <<<"$text"; then echo migration-lock-held
  elif grep -qiE 'Cannot connect to the Docker daemon' <<<"$text"; then echo engine-not-running
  elif grep -qiE 'pull access denied|manifest unknown|no such image' <<<"$text"; then echo image-build-fails
  elif grep -qiE 'Configuration error' <<<"$text"; then echo configuration-errors
  else echo database-unreachable
  fi
}

explain_failure() { # explain_failure SERVICE REASON
  local service="$1" reason="$2" container logs code oom
  container=$(dc ps -q "$service" 2>/dev/null | head -1)
  printf '\n%s✘ %s: %s%s\n' "$red" "$service" "$reason" "$reset" >&2
  if [ -n "$container" ]; then
    logs=$(docker logs --tail 25 "$container" 2>&1 || true)
    code=$(docker inspect -f '{{.State.ExitCode}}' "$container" 2>/dev/null || echo "")
    oom=$(docker inspect -f '{{.State.OOMKilled}}' "$container" 2>/dev/null || echo false)
    printf '%sLast log lines of %s:%s\n%s\n' "$dim" "$service" "$reset" "$logs" >&2
  else
    logs=$(cat "$uplog"); code="" oom=false
    printf '%s\n' "$logs" >&2
  fi
  printf '\nTroubleshooting: docs/troubleshooting.md#%s\n' "$(anchor_for "$service" "$logs" "$code" "$oom")" >&2
  printf 'Everything: %s logs %s | less\n' "${compose[*]}" "$service" >&2
  exit 1
}

# service=status lines (plain strings: macOS still ships bash 3.2, without associative arrays)
states=""
state_of() { printf '%s\n' "$states" | sed -n "s/^$1=//p" | tail -1; }
ready=0
while :; do
  now=$(( $(date +%s) - started ))
  for container in $(dc ps -q 2>/dev/null); do
    service=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$container" 2>/dev/null) || continue
    state=$(docker inspect -f '{{.State.Status}}{{if .State.Health}}/{{.State.Health.Status}}{{end}} {{.State.ExitCode}} {{.RestartCount}}' "$container" 2>/dev/null) || continue
    read -r status code restarts <<<"$state"
    read -r _ old_start old_restarts <<<"$(printf '%s\n' "$before" | grep "^$container " || true)"
    if [ -n "${old_start:-}" ]; then
      [ "$(docker inspect -f '{{.State.StartedAt}}' "$container")" != "$old_start" ] || continue  # stale
      restarts=$((restarts - old_restarts))
    fi
    if [ "$(state_of "$service")" != "$status" ]; then
      states="$states
$service=$status"
      case "$status" in
        */healthy | exited*) [[ "$status" == exited* ]] && [ "$code" != 0 ] && color=$red || color=$green ;;
        */unhealthy | restarting*) color=$red ;;
        *) color=$yellow ;;
      esac
      printf '  %s[%3ss]%s %-12s %s%s%s\n' "$dim" "$now" "$reset" "$service" "$color" "$status" "$reset"
    fi
    if [[ "$status" == exited* ]] && [ "$code" != 0 ]; then explain_failure "$service" "exited with status $code"; fi
    if [ "$restarts" -gt 2 ]; then explain_failure "$service" "restarted $restarts times"; fi
    if [[ "$status" == running/unhealthy ]]; then explain_failure "$service" "health check failing"; fi
  done
  if ! kill -0 "$up_pid" 2>/dev/null; then
    if ! wait "$up_pid"; then
      failed=$(grep -oE 'for [a-z0-9_-]+ ' "$uplog" | tail -1 | awk '{print $2}')
      explain_failure "${failed:-compose}" "$(grep -m1 -iE 'error|unhealthy' "$uplog" || tail -1 "$uplog")"
    fi
    if curl -fsS -o /dev/null "http://$host:$api_port/health/ready" 2>/dev/null \
      || python3 -c "import urllib.request as r; r.urlopen('http://$host:$api_port/health/ready', timeout=3)" 2>/dev/null; then
      ready=1
    fi
  fi
  [ "$ready" = 1 ] && break
  if [ "$now" -ge "$timeout" ]; then
    slow=$(for s in $(printf '%s\n' "$states" | cut -d= -f1 | sort -u); do
      case "$(state_of "$s")" in */healthy | exited) ;; *) echo "$s" ;; esac
    done | head -1)
    explain_failure "${slow:-api}" "not ready after ${timeout}s"
  fi
  sleep 1
done
elapsed=$(( $(date +%s) - started ))

# ------------------------------------------------------------------------- ready
cat <<EOF

${green}${bold}ToTrackIt is ready${reset} (${elapsed}s after start).

  API ............ http://$host:$api_port          (OpenAPI: /openapi.json, docs: /docs)
  Web UI ......... http://$host:$ui_port
  Swagger UI ..... http://$host:$swagger_port
  Health ......... http://$host:$api_port/health/ready
  Metrics ........ http://$host:$api_port/metrics

Try it (copy and paste):

  curl --fail-with-body -sS -X POST http://$host:$api_port/processes/account-activation \\
    -H 'Content-Type: application/json' \\
    -d "{\"id\": \"run-001\", \"deadline\": \$(( \$(date +%s) + 3600 )), \"tags\": [{\"key\": \"country\", \"value\": \"DE\"}]}"
  curl --fail-with-body -sS http://$host:$api_port/processes/account-activation/run-001
  curl --fail-with-body -sS -X PUT http://$host:$api_port/processes/account-activation/run-001/complete \\
    -H 'Content-Type: application/json' -d '{"status": "COMPLETED"}'
  curl --fail-with-body -sS http://$host:$api_port/analytics/summary

Status:   ${compose[*]} -p $COMPOSE_PROJECT_NAME ps
Logs:     ${compose[*]} -p $COMPOSE_PROJECT_NAME logs -f api worker
Stop:     make down (keeps data)    Delete the data too: make clean-stack
Monitoring (Prometheus, Alertmanager): make up-monitoring
EOF
