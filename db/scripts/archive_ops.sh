#!/usr/bin/env bash
# The archive's scheduled operations of the local stack: archive_ops.sh start | stop
#   consistency  `collector check-consistency --every TSDB_CONSISTENCY_EVERY_S --lag TSDB_CONSISTENCY_LAG`:
#                each finished hour's archive against the database (tsi.archive_consistency)
#   export       `collector export --every TSDB_EXPORT_EVERY_S --days TSDB_EXPORT_DAYS`: each finished
#                local day's features and indices into the archive's processed/ (as the analyst role)
#   The archive is the collector's: GCS_BUCKET when set, else .local/collector/archive.
source "$(dirname "$0")/common.sh"

export TSDB_DB="$DB_NAME"
export COLLECTOR_ARCHIVE_DIR="${COLLECTOR_ARCHIVE_DIR:-$LOCAL/collector/archive}"

case "${1:-}" in
  start)
    mkdir -p "$COLLECTOR_ARCHIVE_DIR"
    svc_start consistency "$VENV/bin/collector" check-consistency \
      --every "${TSDB_CONSISTENCY_EVERY_S:-3600}" --lag "${TSDB_CONSISTENCY_LAG:-2h}"
    svc_start export "$VENV/bin/collector" export --every "${TSDB_EXPORT_EVERY_S:-3600}" --days "${TSDB_EXPORT_DAYS:-3}"
    sleep 1
    for s in consistency export; do
      svc_pid "$s" >/dev/null || { tail -n 20 "$LOG_DIR/$s.log" >&2; die "the $s service did not start"; }
    done
    log "consistency check every ${TSDB_CONSISTENCY_EVERY_S:-3600} s (log $LOG_DIR/consistency.log), daily export (log $LOG_DIR/export.log)" ;;
  stop)
    svc_stop export
    svc_stop consistency ;;
  *) die "usage: $0 start|stop" ;;
esac
