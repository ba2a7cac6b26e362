#!/bin/sh
# Entrypoint of the redis stand-in, mirroring the official redis image.
set -e

# `docker run IMG --appendonly yes` or `docker run IMG /path/redis.conf` runs redis-server.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ]; then
  # The official image is compiled with protected mode off; Debian's build has it on, which would
  # refuse clients from other containers when no password is set. Turn it off unless the user
  # passed a config file (which then decides) or the option itself.
  has_conf=0 has_pm=0
  for arg; do
    case "$arg" in
      *.conf) has_conf=1 ;;
      --protected-mode) has_pm=1 ;;
    esac
  done
  if [ "$has_conf" = 0 ] && [ "$has_pm" = 0 ]; then
    shift
    set -- redis-server --protected-mode no "$@"
  fi

  if [ "$(id -u)" = '0' ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
fi

# Files created by Redis are readable by its user only (as in the official image).
um="$(umask)"
if [ "$um" = '0022' ]; then
  umask 0077
fi

exec "$@"
