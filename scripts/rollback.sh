#!/usr/bin/env bash
# Roll a running compose stack back to a previous ToTrackIt release (docs/releasing.md).
#
#   scripts/rollback.sh [-p PROJECT] [-f FILE]... VERSION
#   make rollback VERSION=0.1.0 [ROLLBACK_ARGS="-p totrackit -f docker-compose.prod.yml"]
#
# Defaults: the project of COMPOSE_PROJECT_NAME (else "totrackit") and the files of
# COMPOSE_FILE (else docker-compose.prod.yml).
#
# What it does:
#   1. checks that the images of VERSION exist (pulls them when they are not local);
#   2. recreates every service of the stack except `migrate` with TOTRACKIT_VERSION=VERSION,
#      keeping each service's replica count and every volume; the migrations are not run: the
#      schema stays as the newer release left it, which the previous release runs on (the
#      expand/contract rule; its health reports the schema as "ahead");
#   3. waits until every recreated container is healthy, then checks that the ToTrackIt
#      containers run VERSION (image label) and that the API's /health reports VERSION.
# It never downgrades the schema. Afterwards set TOTRACKIT_VERSION=VERSION where the stack's
# environment lives (.env) so the next `up` stays on it.
#
# Settings: TOTRACKIT_ROLLBACK_TIMEOUT (seconds to wait for health, default 180).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

log() { printf 'rollback: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

project="${COMPOSE_PROJECT_NAME:-totrackit}"
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    -p) project="${2:?-p needs a project name}"; shift 2 ;;
    -f) files+=(-f "${2:?-f needs a compose file}"); shift 2 ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || usage
version="$1"
[[ "$version" =~ ^[0-9A-Za-z][0-9A-Za-z._-]*$ ]] ||
  die "'$version' is not an image tag: give the release to go back to, e.g. 0.1.0"
if [ "${#files[@]}" -eq 0 ]; then
  IFS=: read -r -a listed <<<"${COMPOSE_FILE:-docker-compose.prod.yml}"
  for file in "${listed[@]}"; do files+=(-f "$file"); done
fi
timeout="${TOTRACKIT_ROLLBACK_TIMEOUT:-180}"

compose() { TOTRACKIT_VERSION="$version" scripts/compose.sh -p "$project" "${files[@]}" "$@"; }
[ -x /usr/bin/docker ] && export PATH="/usr/bin:$PATH"

running="$(compose ps -q 2>/dev/null || true)"
[ -n "$running" ] || die "project '$project' has no containers: start it first (nothing to roll back)"

# The ToTrackIt services: those whose image is tagged with the version variable.
config="$(compose config)" || die "the compose configuration is not valid with TOTRACKIT_VERSION=$version"
mapfile -t images < <(sed -n "s/^ *image: \(.*:$version\)$/\1/p" <<<"$config" | sort -u)
[ "${#images[@]}" -gt 0 ] || die "no service of $project selects its image by TOTRACKIT_VERSION"
for image in "${images[@]}"; do
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    log "pulling $image"
    docker pull -q "$image" >/dev/null || die "image $image does not exist: is $version a release?"
  fi
done

from="$(compose ps -q api 2>/dev/null | head -1)"
[ -z "$from" ] || log "API now runs $(docker inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$from")"

# Every service but the one-shot migrations, each with as many replicas as it runs now.
services=() scale=()
while read -r service; do
  [ "$service" = migrate ] && continue
  services+=("$service")
  count="$(compose ps -q "$service" 2>/dev/null | wc -l)"
  [ "$count" -le 1 ] || scale+=(--scale "$service=$count")
done < <(compose config --services)

log "recreating ${services[*]} on $version (no migrations, volumes kept)"
compose up -d --no-deps --no-build "${scale[@]}" "${services[@]}" >&2

# Health of every recreated container (those without a health check only need to run).
deadline=$((SECONDS + timeout))
while :; do
  pending=()
  for id in $(compose ps -q "${services[@]}"); do
    state="$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")"
    case "$state" in "running healthy" | "running none") ;; *) pending+=("$(docker inspect -f '{{.Name}}' "$id")($state)") ;; esac
  done
  [ "${#pending[@]}" -eq 0 ] && break
  [ "$SECONDS" -lt "$deadline" ] || die "not healthy within ${timeout}s: ${pending[*]} (see: scripts/compose.sh -p $project logs)"
  sleep 2
done

# The version every ToTrackIt container runs, and the one the API reports.
for id in $(compose ps -q "${services[@]}"); do
  image="$(docker inspect -f '{{.Config.Image}}' "$id")"
  case "$image" in *":$version") ;; *) continue ;; esac
  label="$(docker inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$id")"
  [ "$label" = "$version" ] || die "$(docker inspect -f '{{.Name}}' "$id") runs $image labelled $label, not $version"
done
reported="$(compose exec -T api python -c "import json, urllib.request as r; print(json.load(r.urlopen('http://127.0.0.1:8080/health', timeout=5))['version'])")" ||
  die "the API did not answer /health"
[ "$reported" = "$version" ] || die "the API reports version $reported, not $version"

log "project $project runs $version and is healthy; set TOTRACKIT_VERSION=$version in its environment (.env) so the next 'up' stays on it"
