#!/usr/bin/env bash
# What the local stack runs and where.
source "$(dirname "$0")/common.sh"
state() { if "$@" >/dev/null 2>&1; then echo running; else echo stopped; fi; }
# The collector's supervisor records each restart (db/scripts/supervise.sh).
collector_restarts() {
  local f="$PID_DIR/collector.state"
  [ -f "$f" ] || return 0
  # shellcheck disable=SC1090
  ( source "$f"; echo " (restarted $restarts times by its supervisor; last exit status $last_exit at $last_exit_at)" )
}

# The cluster's own files live apart when its OS user cannot enter $LOCAL (see common.sh).
cluster_state=""
if [ "$PG_STATE_MOVED" = 1 ]; then
  cluster_state=$'\n'"  the cluster's state is in $PG_STATE_DIR (the OS user $PG_OS_USER cannot enter $LOCAL)"
elif [ "$PG_STATE_DIR" != "$LOCAL" ]; then
  cluster_state=$'\n'"  the cluster's state is in $PG_STATE_DIR (TSDB_PG_STATE_DIR)"
fi

cat <<TXT

traffic-safety database (local stack, state in $LOCAL)$cluster_state
  PostgreSQL 15   $(state bash "$ROOT/db/scripts/cluster.sh" status)  port $PGPORT, socket $PG_RUN_DIR, database $DB_NAME
                  data $PGDATA_DIR
                  log  $PG_LOG_DIR/postgresql.log
  PostgREST       $(state svc_pid postgrest)  http://127.0.0.1:$POSTGREST_PORT/   (OpenAPI document at the root)
                  log  $LOG_DIR/postgrest.log
  VCC simulator   $(state svc_pid simulator)  http://127.0.0.1:${TSDB_SIM_PORT:-8088}/   log  $LOG_DIR/simulator.log
  collector       $(state svc_pid collector)$(collector_restarts)  metrics http://127.0.0.1:${TSDB_COLLECTOR_METRICS_PORT:-9188}/metrics
                  archive ${GCS_BUCKET:+gs://$GCS_BUCKET}${GCS_BUCKET:-$LOCAL/collector/archive}, log  $LOG_DIR/collector.log
  consistency     $(state svc_pid consistency)  every ${TSDB_CONSISTENCY_EVERY_S:-3600} s, hours finished ${TSDB_CONSISTENCY_LAG:-2h} ago; log  $LOG_DIR/consistency.log
                  results: make psql -> SELECT * FROM tsi.archive_consistency_status;
  export          $(state svc_pid export)  finished local days into processed/ of the archive; log  $LOG_DIR/export.log
  history         $(if svc_pid history >/dev/null; then echo generating; elif db_has_history; then echo done; else echo none; fi)  log  $LOG_DIR/history.log
  nginx           $(state svc_pid nginx)  http://127.0.0.1:$PROXY_PORT/api/   (the API through the proxy; legacy /api/v1/…, /health)
                  logs $LOG_DIR/nginx-access.log, $LOG_DIR/nginx-error.log
$(bash "$ROOT/db/scripts/monitoring.sh" status)

  try   curl -s http://127.0.0.1:$PROXY_PORT/api/                       (OpenAPI document)
        curl -s http://127.0.0.1:$PROXY_PORT/api/latest_indices?limit=5
        curl -s 'http://127.0.0.1:$PROXY_PORT/api/rpc/intersections_near?latitude=38.86&longitude=-77.23&radius_m=5000'
        curl -s 'http://127.0.0.1:$PROXY_PORT/api/rpc/intersection_history?intersection_id=156&start_time=2026-11-01&end_time=2026-11-08'
        curl -s http://127.0.0.1:$PROXY_PORT/api/v1/safety/index/        (legacy dashboard URL)
        curl -s http://127.0.0.1:$PROXY_PORT/health
        curl -s http://127.0.0.1:$POSTGREST_PORT/rpc/health              (PostgREST directly)
        curl -s 'http://127.0.0.1:${TSDB_PROMETHEUS_PORT:-9090}/api/v1/query?query=tsdb_engine_processing_lag_seconds'
        make psql                      (superuser)   make psql ROLE=analyst   (read-only analyst)
        psql -h $PG_RUN_DIR -p $PGPORT -U analyst $DB_NAME
  stop  make down
TXT
