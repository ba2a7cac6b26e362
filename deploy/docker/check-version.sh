#!/bin/sh
# check-version PYTHON VERSION: the installed package is VERSION (0.0.0+local: not given).
set -eu
installed="$("$1" -c 'import importlib.metadata as m; print(m.version("totrackit"))')"
if [ "$2" != "0.0.0+local" ] && [ "$2" != "$installed" ]; then
  echo "VERSION=$2, but the package is $installed (pyproject.toml): build with the package's version (scripts/build-images.sh reads it)" >&2
  exit 1
fi
