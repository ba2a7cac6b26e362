#!/usr/bin/env bash
# Run the UI's end-to-end tests in headless Chromium against a real `totrackit serve`
# (embedded SQLite in a throwaway directory, a free port). Extra arguments go to the runner.
#   scripts/ui-e2e.sh              # the e2e suite
#   SCREENSHOTS=1 scripts/ui-e2e.sh  # also refresh docs/images/*.png
set -euo pipefail
cd "$(dirname "$0")/.."

"$(dirname "$0")/ensure-chromium.sh"
data_dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$data_dir/server.log"

TOTRACKIT_DATA_DIR="$data_dir" python3 -m uv run --frozen totrackit serve --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "server exited:"; cat "$log"; exit 1; fi
  sleep 0.2
done

export TOTRACKIT_E2E_BASE_URL="http://127.0.0.1:$port"
(cd ui && npm run --silent test:e2e -- "$@")
if [ "${SCREENSHOTS:-0}" = 1 ]; then
  (cd ui && SCREENSHOT_DIR=../docs/images npm run --silent screenshots)
fi
