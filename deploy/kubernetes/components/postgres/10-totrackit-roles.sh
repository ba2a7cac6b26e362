#!/usr/bin/env bash
# Creates the ToTrackIt database and its roles. The postgres image runs this once, as the
# `postgres` OS user, when it initialises an empty data directory (/docker-entrypoint-initdb.d).
# It is idempotent, so it can also be re-run by hand to repair roles or rotate passwords:
#   docker-compose exec postgres bash /docker-entrypoint-initdb.d/10-totrackit-roles.sh
#
# Roles (least privilege):
#   owner    TOTRACKIT_DB_OWNER_USER   owns the database and the schema; runs the migrations
#                                      (the one-shot `migrate` service). Not a superuser.
#   app      TOTRACKIT_DB_APP_USER     what the api and worker connect as: read and write rows,
#                                      use sequences and functions; cannot create, alter or drop.
#   monitor  TOTRACKIT_DB_MONITOR_USER member of pg_monitor, for the PostgreSQL exporter (optional:
#                                      only created when a password is given).
# Default privileges make every table, sequence and function the owner creates later (in any
# future migration) usable by the app role with no extra GRANT in the migrations.
#
# Passwords come from VAR or VAR_FILE (a Docker secret), never from the command line.
set -Eeuo pipefail

file_env() { # file_env VAR [DEFAULT]: VAR, else the content of the file named by VAR_FILE
  local var="$1" file_var="${1}_FILE" default="${2:-}" value
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo >&2 "10-totrackit-roles: both $var and $file_var are set; set only one"
    exit 1
  fi
  value="$default"
  if [ -n "${!var:-}" ]; then
    value="${!var}"
  elif [ -n "${!file_var:-}" ]; then
    value="$(<"${!file_var}")"
  fi
  printf -v "$var" '%s' "$value"
}

file_env TOTRACKIT_DB_NAME totrackit
file_env TOTRACKIT_DB_OWNER_USER totrackit_owner
file_env TOTRACKIT_DB_OWNER_PASSWORD
file_env TOTRACKIT_DB_APP_USER totrackit_app
file_env TOTRACKIT_DB_APP_PASSWORD
file_env TOTRACKIT_DB_MONITOR_USER totrackit_monitor
file_env TOTRACKIT_DB_MONITOR_PASSWORD

missing=()
[ -n "$TOTRACKIT_DB_OWNER_PASSWORD" ] || missing+=(TOTRACKIT_DB_OWNER_PASSWORD)
[ -n "$TOTRACKIT_DB_APP_PASSWORD" ] || missing+=(TOTRACKIT_DB_APP_PASSWORD)
if [ "${#missing[@]}" -gt 0 ]; then
  echo >&2 "10-totrackit-roles: set ${missing[*]} (or the *_FILE variant pointing at a secret)"
  exit 1
fi

echo "10-totrackit-roles: database '$TOTRACKIT_DB_NAME', owner '$TOTRACKIT_DB_OWNER_USER', app '$TOTRACKIT_DB_APP_USER'"

psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}")

# Roles and database (cluster level). Values travel as psql variables, quoted by %I / %L.
"${psql[@]}" --dbname "${POSTGRES_DB:-postgres}" \
  -v db="$TOTRACKIT_DB_NAME" \
  -v owner="$TOTRACKIT_DB_OWNER_USER" -v owner_pw="$TOTRACKIT_DB_OWNER_PASSWORD" \
  -v app="$TOTRACKIT_DB_APP_USER" -v app_pw="$TOTRACKIT_DB_APP_PASSWORD" \
  -v monitor="$TOTRACKIT_DB_MONITOR_USER" -v monitor_pw="$TOTRACKIT_DB_MONITOR_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner')
\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L', :'owner', :'owner_pw')
\gexec
SELECT format('CREATE ROLE %I', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app')
\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L', :'app', :'app_pw')
\gexec
SELECT format('CREATE ROLE %I', :'monitor')
 WHERE :'monitor_pw' <> '' AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'monitor')
\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L CONNECTION LIMIT 5', :'monitor', :'monitor_pw')
 WHERE :'monitor_pw' <> ''
\gexec
SELECT format('GRANT pg_monitor TO %I', :'monitor') WHERE :'monitor_pw' <> ''
\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'db', :'owner', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db')
\gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', :'app')
\gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'db', :'monitor') WHERE :'monitor_pw' <> ''
\gexec
SQL

# Schema privileges, inside the application database.
"${psql[@]}" --dbname "$TOTRACKIT_DB_NAME" \
  -v owner="$TOTRACKIT_DB_OWNER_USER" -v app="$TOTRACKIT_DB_APP_USER" \
  -v monitor="$TOTRACKIT_DB_MONITOR_USER" -v monitor_pw="$TOTRACKIT_DB_MONITOR_PASSWORD" <<'SQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"owner";
GRANT USAGE ON SCHEMA public TO :"app";
-- Objects that already exist (a re-run after migrations) ...
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO :"app";
-- ... and everything the owner creates from now on.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT EXECUTE ON FUNCTIONS TO :"app";
-- Query statistics for the exporter and for operators (the library is preloaded by
-- deploy/postgres/postgresql.conf; without it this is skipped).
SELECT 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
 WHERE EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_stat_statements')
   AND current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'
\gexec
SQL

echo "10-totrackit-roles: done"
