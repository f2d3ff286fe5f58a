#!/usr/bin/env bash
# PostgREST of the local stack: postgrest.sh start | stop | reload
source "$(dirname "$0")/common.sh"

case "${1:-}" in
  start)
    if ss -Hltn "sport = :$POSTGREST_PORT" | grep -q . && ! svc_pid postgrest >/dev/null; then
      die "port $POSTGREST_PORT is taken by another process; set TSDB_POSTGREST_PORT"
    fi
    api_url="${TSDB_API_URL:-http://${TSDB_PROXY_HOST:-127.0.0.1}:$PROXY_PORT/api}"
    PGRST_DB_URI="postgres://authenticator@/$DB_NAME?host=$PG_RUN_DIR&port=$PGPORT" \
    PGRST_SERVER_PORT="$POSTGREST_PORT" \
    PGRST_JWT_SECRET="$(jwt_secret)" \
    PGRST_OPENAPI_SERVER_PROXY_URI="$api_url" PGRST_APP_SETTINGS_API_URL="$api_url" \
      svc_start postgrest "$POSTGREST_BIN" "$ROOT/db/postgrest.conf"
    wait_http "http://127.0.0.1:$POSTGREST_PORT/" 30 \
      || { tail -n 20 "$LOG_DIR/postgrest.log" >&2; die "PostgREST did not answer on port $POSTGREST_PORT"; }
    log "PostgREST running on http://127.0.0.1:$POSTGREST_PORT/ (log $LOG_DIR/postgrest.log)"
    ;;
  stop) svc_stop postgrest ;;
  *) die "usage: $0 start|stop" ;;
esac
