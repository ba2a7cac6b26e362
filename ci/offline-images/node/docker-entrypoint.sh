#!/bin/sh
set -e
# As in the official image: `docker run IMG -e "..."` or `docker run IMG app.js` runs node.
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
