#!/usr/bin/env bash
# Entrypoint of the postgres stand-in: the documented behaviour of the official postgres image.
#   - `docker run IMG -c key=value` runs `postgres -c key=value`
#   - started as root: prepares PGDATA and the socket dir, then re-executes itself as `postgres`
#   - empty PGDATA: initdb (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_INITDB_ARGS,
#     POSTGRES_INITDB_WALDIR, POSTGRES_HOST_AUTH_METHOD), create POSTGRES_DB, run
#     /docker-entrypoint-initdb.d/* in sorted order, with a temporary server on the socket only
#   - finally `exec postgres "$@"` so the server is pid 1
set -Eeo pipefail

# VAR_FILE=/run/secrets/x  ->  VAR=$(cat /run/secrets/x)
file_env() {
  local var="$1" file_var="${1}_FILE" def="${2:-}"
  if [ "${!var:-}" ] && [ "${!file_var:-}" ]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  local val="$def"
  if [ "${!var:-}" ]; then
    val="${!var}"
  elif [ "${!file_var:-}" ]; then
    val="$(<"${!file_var}")"
  fi
  export "$var"="$val"
  unset "$file_var"
}

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"; }

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  DATABASE_ALREADY_EXISTS=
  if [ -s "$PGDATA/PG_VERSION" ]; then DATABASE_ALREADY_EXISTS=true; fi
}

create_db_directories() {
  local user
  user="$(id -u)"
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql || :
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    if [ "$user" = 0 ]; then find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +; fi
    chmod 700 "$POSTGRES_INITDB_WALDIR"
  fi
  if [ "$user" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
  fi
}

verify_minimum_env() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "trust" != "$POSTGRES_HOST_AUTH_METHOD" ]; then
    cat >&2 <<'EOF'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
EOF
    exit 1
  fi
  if [ "trust" = "$POSTGRES_HOST_AUTH_METHOD" ]; then
    echo >&2 'WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust"; all connections need no password.'
  fi
}

init_database_dir() {
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    set -- --waldir "$POSTGRES_INITDB_WALDIR" "$@"
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words on purpose
  eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"' "$@"'
}

# Local (socket) connections trust, everything else uses POSTGRES_HOST_AUTH_METHOD.
setup_hba_conf() {
  local auth="${POSTGRES_HOST_AUTH_METHOD:-}"
  if [ "${1:-}" = 'postgres' ]; then shift; fi
  if [ -z "$auth" ]; then
    auth="$(postgres -C password_encryption "$@")"
  fi
  {
    printf '\n'
    if [ 'trust' = "$auth" ]; then
      printf '# warning trust is enabled for all connections\n'
    fi
    printf 'host all all all %s\n' "$auth"
  } >>"$PGDATA/pg_hba.conf"
}

temp_server_start() {
  if [ "$1" = 'postgres' ]; then shift; fi
  # Only the unix socket, so nothing outside sees the half-initialised database.
  set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
  PGUSER="${PGUSER:-$POSTGRES_USER}" \
    pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@")" -w start
}

temp_server_stop() {
  PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

psql_cmd() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

setup_db() {
  local exists
  exists="$(echo "SELECT 1 FROM pg_database WHERE datname = :'db' ;" |
    psql_cmd --dbname postgres --set db="$POSTGRES_DB" --tuples-only)"
  if [ -z "$exists" ]; then
    echo 'CREATE DATABASE :"db" ;' | psql_cmd --dbname postgres --set db="$POSTGRES_DB"
    printf '\n'
  fi
}

process_init_files() {
  local f
  for f; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          log "running $f"; "$f"
        else
          log "sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql) log "running $f"; psql_cmd --dbname "$POSTGRES_DB" -f "$f"; printf '\n' ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | psql_cmd --dbname "$POSTGRES_DB"; printf '\n' ;;
      *.sql.xz) log "running $f"; xzcat "$f" | psql_cmd --dbname "$POSTGRES_DB"; printf '\n' ;;
      *.sql.zst) log "running $f"; zstd -dc "$f" | psql_cmd --dbname "$POSTGRES_DB"; printf '\n' ;;
      *) log "ignoring $f" ;;
    esac
    printf '\n'
  done
}

# True when the arguments only ask postgres for information (--help, --version, -C ...).
is_info_only() {
  local arg
  for arg; do
    case "$arg" in
      -'?' | --help | --describe-config | -V | --version | -C*) return 0 ;;
    esac
  done
  return 1
}

main() {
  if [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
  fi

  if [ "$1" = 'postgres' ] && ! is_info_only "$@"; then
    setup_env
    create_db_directories
    if [ "$(id -u)" = '0' ]; then
      HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
    fi

    if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
      verify_minimum_env
      ls /docker-entrypoint-initdb.d/ >/dev/null
      init_database_dir
      setup_hba_conf "$@"

      # The temporary server and psql use the socket; PGPASSWORD covers a non-trust local method.
      export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
      temp_server_start "$@"
      setup_db
      shopt -s nullglob
      process_init_files /docker-entrypoint-initdb.d/*
      shopt -u nullglob
      temp_server_stop
      unset PGPASSWORD
      printf '\nPostgreSQL init process complete; ready for start up.\n\n'
    else
      printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
    fi
  fi

  exec "$@"
}

main "$@"
