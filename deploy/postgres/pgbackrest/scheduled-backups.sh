#!/bin/sh
# The pgbackrest service of docker-compose.prod.yml: creates the stanza once the database
# answers, checks that WAL archiving works, then takes a full backup every
# PITR_FULL_EVERY backups and a differential one otherwise, every PITR_BACKUP_INTERVAL
# seconds. Continuous WAL archiving (archive_command) covers the time in between, so the
# cluster can be restored to any moment since the oldest full backup kept.
set -eu

stanza="${PGBACKREST_STANZA:-totrackit}"
interval="${PITR_BACKUP_INTERVAL:-86400}"
full_every="${PITR_FULL_EVERY:-7}"
stamp=/tmp/last-successful-backup

log() { printf '%s scheduled-backups: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"; }

until pg_isready -q -h /var/run/postgresql; do
  log "waiting for PostgreSQL"
  sleep 2
done
pgbackrest --stanza="$stanza" stanza-create
pgbackrest --stanza="$stanza" check

taken=0
while :; do
  if [ $((taken % full_every)) -eq 0 ]; then kind="full"; else kind="diff"; fi
  log "taking a $kind backup"
  if pgbackrest --stanza="$stanza" --type="$kind" backup; then
    touch "$stamp"
    taken=$((taken + 1))
    log "$kind backup done; next in ${interval}s"
  else
    log "the $kind backup FAILED; retrying in ${interval}s (pgbackrest info shows what is kept)"
  fi
  sleep "$interval"
done
