#!/usr/bin/env bash
# Backups of the compose database (seed B §9), run by docker-compose.yml's `backup` service:
#   backup.sh daily          at BACKUP_AT (UTC, default 02:30) every day: `once`, then prune
#   backup.sh once           pg_dump -Fc of the database and a pg_basebackup (tar, gzip, with the
#                            WAL it needs) of the cluster into BACKUP_DIR
#   backup.sh restore [FILE] drop the database and restore it from a dump (default: the newest);
#                            stop postgrest and the collector first, restart db afterwards (pg_cron's
#                            scheduler stops for good when its database is dropped)
# The database writes every WAL segment to its archive (volume db_wal_archive, mounted here at
# WAL_ARCHIVE_DIR): a base backup and the segments after it restore to any point in time.
# BACKUP_KEEP_DAYS (14): older dumps, base backups and archived segments are removed.
# Connection: PGHOST/PGPORT/PGUSER/PGPASSWORD and PGSSLMODE/PGSSLROOTCERT, as for migrate.
source "$(dirname "$0")/common.sh"
BACKUP_DIR="${BACKUP_DIR:-/backups}"
WAL_ARCHIVE_DIR="${WAL_ARCHIVE_DIR:-/wal_archive}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
AT="${BACKUP_AT:-02:30}"

once() {
  local ts; ts="$(date -u +%Y%m%dT%H%M%SZ)"
  pg_dump -Fc -d "$DB_NAME" -f "$BACKUP_DIR/$DB_NAME-$ts.dump.partial"
  mv "$BACKUP_DIR/$DB_NAME-$ts.dump.partial" "$BACKUP_DIR/$DB_NAME-$ts.dump"
  pg_basebackup -D "$BACKUP_DIR/base-$ts.partial" -Ft -z -X fetch --checkpoint=fast
  mv "$BACKUP_DIR/base-$ts.partial" "$BACKUP_DIR/base-$ts"
  log "backed up: $DB_NAME-$ts.dump ($(du -h "$BACKUP_DIR/$DB_NAME-$ts.dump" | cut -f1)), base-$ts ($(du -sh "$BACKUP_DIR/base-$ts" | cut -f1))"
}

# Segments older than the oldest base backup kept are of no use to it.
prune() {
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -mtime +"$KEEP_DAYS" -exec rm -rf {} +
  [ ! -d "$WAL_ARCHIVE_DIR" ] || find "$WAL_ARCHIVE_DIR" -mindepth 1 -maxdepth 1 -type f -mtime +"$KEEP_DAYS" -delete
}

daily() {
  trap 'exit 0' TERM INT
  local now next
  log "daily backups at $AT UTC into $BACKUP_DIR, kept $KEEP_DAYS days"
  while :; do
    now="$(date -u +%s)"; next="$(date -u -d "today $AT" +%s)"
    [ "$next" -gt "$now" ] || next="$(date -u -d "tomorrow $AT" +%s)"
    sleep "$((next - now))" & wait $!
    once || log "error: the backup failed"
    prune
  done
}

restore() {
  local file="${1:-$(ls -1t "$BACKUP_DIR"/"$DB_NAME"-*.dump 2>/dev/null | head -n1)}"
  [ -s "$file" ] || die "no dump to restore in $BACKUP_DIR"
  log "restoring $DB_NAME from $file"
  dropdb --force --if-exists --maintenance-db=postgres "$DB_NAME"
  pg_restore --create --exit-on-error -d postgres "$file"
  log "restored; now restart the db service so that pg_cron schedules the database's jobs again"
}

case "${1:-}" in
  daily) daily ;;
  once) once ;;
  restore) shift; restore "$@" ;;
  *) die "usage: $0 daily | once | restore [FILE]" ;;
esac
