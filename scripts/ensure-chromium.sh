#!/usr/bin/env bash
# Make sure a headless Chromium exists for the UI's end-to-end tests (Debian's package).
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Chromium is missing: install it with 'sudo apt-get install -y chromium' or set CHROMIUM_PATH." >&2
  exit 1
fi
echo "Installing Chromium for the end-to-end tests (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "Chromium: $(/usr/bin/chromium --version)"
