#!/usr/bin/env bash
# The collector of the local stack: collector.sh start | stop
#   With VCC_CLIENT_ID and VCC_CLIENT_SECRET in the environment it collects from the real VCC API
#   (VCC_BASE_URL, default https://vcc.vtti.vt.edu). Without them it starts the VCC simulator on
#   TSDB_SIM_PORT, collects from it, and (when the database has no hourly rollups yet) generates
#   TSDB_HISTORY_DAYS days of simulated history in the background, so hourly and daily rollups have data.
#   The archive goes to GCS_BUCKET when set, else to .local/collector/archive. The collector runs
#   under db/scripts/supervise.sh, which starts it again whenever it exits; its Prometheus metrics
#   are on http://127.0.0.1:${TSDB_COLLECTOR_METRICS_PORT:-9188}/metrics.
source "$(dirname "$0")/common.sh"

SIM_PORT="${TSDB_SIM_PORT:-8088}"
HISTORY_DAYS="${TSDB_HISTORY_DAYS:-2}"
COLLECTOR_DIR="$LOCAL/collector"
export TSDB_DB="$DB_NAME"
export COLLECTOR_ARCHIVE_DIR="${COLLECTOR_ARCHIVE_DIR:-$COLLECTOR_DIR/archive}"
export COLLECTOR_SPOOL_DIR="${COLLECTOR_SPOOL_DIR:-$COLLECTOR_DIR/spool}"

start() {
  mkdir -p "$COLLECTOR_DIR"
  if [ -n "${VCC_CLIENT_ID:-}" ] && [ -n "${VCC_CLIENT_SECRET:-}" ]; then
    log "collecting from ${VCC_BASE_URL:-https://vcc.vtti.vt.edu} (credentials from the environment)"
  else
    if ss -Hltn "sport = :$SIM_PORT" | grep -q . && ! svc_pid simulator >/dev/null; then
      die "port $SIM_PORT is taken by another process; set TSDB_SIM_PORT"
    fi
    svc_start simulator "$VENV/bin/collector" simulate --port "$SIM_PORT"
    wait_http "http://127.0.0.1:$SIM_PORT/sim/stats" 30 \
      || { tail -n 20 "$LOG_DIR/simulator.log" >&2; die "the simulator did not answer on port $SIM_PORT"; }
    log "VCC simulator on http://127.0.0.1:$SIM_PORT/ (log $LOG_DIR/simulator.log)"
    export VCC_BASE_URL="http://127.0.0.1:$SIM_PORT" VCC_CLIENT_ID=simulator VCC_CLIENT_SECRET=simulator-secret
    if ! db_has_history && ! svc_pid history >/dev/null; then
      log "generating $HISTORY_DAYS days of simulated history in the background (log $LOG_DIR/history.log)"
      svc_start history "$VENV/bin/collector" generate-history --days "$HISTORY_DAYS"
    fi
  fi
  # Supervised: a collector that exits (a crash, refused credentials) is started again, as
  # compose's restart policy does; make status shows the restarts.
  svc_start collector bash "$ROOT/db/scripts/supervise.sh" "$PID_DIR/collector.state" "$VENV/bin/collector" run
  sleep 1
  svc_pid collector >/dev/null || { tail -n 20 "$LOG_DIR/collector.log" >&2; die "the collector did not start"; }
  log "collector running (log $LOG_DIR/collector.log, archive ${GCS_BUCKET:+gs://$GCS_BUCKET}${GCS_BUCKET:-$COLLECTOR_ARCHIVE_DIR})"
}

case "${1:-}" in
  start) start ;;
  stop)
    svc_stop collector
    svc_stop history
    svc_stop simulator ;;
  *) die "usage: $0 start|stop" ;;
esac
