# shellcheck shell=bash
# Sourced by build-images.sh, compose.sh and quick-start.sh: the tag of the images they build and
# the compose files run (TOTRACKIT_VERSION, default "local").
#
# Image names do not depend on the compose project, so a second project (another clone, a
# branch, COMPOSE_PROJECT_NAME=other make up) would build and re-tag the very images the first
# one runs. A project other than the default "totrackit" therefore gets its own tag,
# "local-PROJECT". An explicit TOTRACKIT_VERSION (a release, a CI tag) always wins; both are read
# from the environment, then from .env as Compose does.
_env_file_value() { # _env_file_value NAME: its value in .env, if any
  [ -f .env ] && sed -n "s/^$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" .env | tail -1
  return 0
}
if [ -z "${TOTRACKIT_VERSION:-}" ]; then
  _version=$(_env_file_value TOTRACKIT_VERSION)
  _project="${COMPOSE_PROJECT_NAME:-$(_env_file_value COMPOSE_PROJECT_NAME)}"
  if [ -z "$_version" ] && [ -n "$_project" ] && [ "$_project" != totrackit ]; then
    export TOTRACKIT_VERSION="local-$_project"
  fi
  unset _version _project
fi
