#!/usr/bin/env bash
# Stops a UI build early, with what to do, when Node.js 20.19+ and npm are not installed.
# Called by the Makefile before every npm command.
set -euo pipefail

REQUIRED_MAJOR=20
REQUIRED_MINOR=19

fail() {
  # Builtins only: this must work on a PATH without the usual tools too.
  printf '%s\n' \
    "Building the web UI needs Node.js ${REQUIRED_MAJOR}.${REQUIRED_MINOR}+ with npm: $1." \
    "  - Install Node.js (https://nodejs.org/en/download, or your system's package manager)," \
    "    then run the command again; or" \
    "  - run without building the UI: \`make run NO_UI=1\` (the API and /docs work; / says" \
    "    the UI is missing), or point TOTRACKIT_UI_DIR at a UI built elsewhere." >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node was not found on PATH"
command -v npm >/dev/null 2>&1 || fail "npm was not found on PATH"
version=$(node --version 2>/dev/null || true)  # v20.19.0
IFS=. read -r major minor _ <<<"${version#v}"
if ! [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]]; then
  fail "\`node --version\` printed '${version}'"
fi
if (( major < REQUIRED_MAJOR || (major == REQUIRED_MAJOR && minor < REQUIRED_MINOR) )); then
  fail "found Node.js ${version}"
fi
