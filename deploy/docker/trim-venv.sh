#!/bin/sh
# Shrink a virtual environment for a runtime image without changing what it does.
#   [STRIP=aarch64-linux-gnu-strip] trim-venv.sh /opt/venv
# - strip debug sections from compiled extensions: many wheels ship them (uvloop carries 10 MB);
#   --strip-debug keeps every symbol the dynamic linker needs.
# - delete JavaScript source maps vendored by swagger-ui-bundle: browsers only fetch them when
#   developer tools are open, and the API serves its own Swagger UI without them.
set -eu
venv="${1:?usage: trim-venv.sh VENV}"
before=$(du -sk "$venv" | cut -f1)
# STRIP: the strip of the venv's architecture when it differs from this machine's
# (aarch64-linux-gnu-strip for an arm64 venv built on x86_64).
strip="${STRIP:-strip}"
if command -v "$strip" >/dev/null 2>&1; then
  find "$venv" -type f \( -name '*.so' -o -name '*.so.*' \) -exec "$strip" --strip-debug {} +
else
  echo "trim-venv: $strip not found; keeping debug sections" >&2
fi
find "$venv" -type f -name '*.js.map' -path '*swagger_ui_bundle*' -delete
after=$(du -sk "$venv" | cut -f1)
echo "trim-venv: $venv ${before} KiB -> ${after} KiB"
