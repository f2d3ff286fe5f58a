#!/usr/bin/env bash
# nginx in front of PostgREST for the local stack, a project-local process (never the system
# service): nginx.sh start | stop | render DIR
#   render DIR   writes DIR/nginx.conf, DIR/api.conf and DIR/status.conf from db/nginx/*.template (the
#                tests run their own nginx from it on a free port: nginx -e stderr -p DIR -c DIR/nginx.conf);
#                stub_status answers on the Unix socket DIR/status.sock only
source "$(dirname "$0")/common.sh"

NGINX_BIN="${TSDB_NGINX_BIN:-/usr/sbin/nginx}"
NGINX_DIR="$LOCAL/nginx"

render() {  # render DIR: every setting from the environment, with the defaults of the README
  local dir="$1"
  mkdir -p "$dir/tmp" "$LOG_DIR"
  export TSDB_NGINX_USER="$(id -un) $(id -gn)" TSDB_NGINX_PREFIX="$dir" TSDB_NGINX_LOG_DIR="${TSDB_NGINX_LOG_DIR:-$LOG_DIR}"
  export TSDB_PROXY_LISTEN="${TSDB_PROXY_HOST:-127.0.0.1}:$PROXY_PORT"
  export TSDB_POSTGREST_UPSTREAM="${TSDB_POSTGREST_UPSTREAM:-127.0.0.1:$POSTGREST_PORT}"
  export TSDB_PROXY_RATE="${TSDB_PROXY_RATE:-20r/s}" TSDB_PROXY_BURST="${TSDB_PROXY_BURST:-60}"
  export TSDB_PROXY_WRITE_RATE="${TSDB_PROXY_WRITE_RATE:-2r/m}" TSDB_PROXY_WRITE_BURST="${TSDB_PROXY_WRITE_BURST:-100}"
  export TSDB_PROXY_USER_RATE="${TSDB_PROXY_USER_RATE:-10r/s}" TSDB_PROXY_USER_BURST="${TSDB_PROXY_USER_BURST:-30}"
  export TSDB_PROXY_PREMIUM_RATE="${TSDB_PROXY_PREMIUM_RATE:-20r/s}" TSDB_PROXY_PREMIUM_BURST="${TSDB_PROXY_PREMIUM_BURST:-60}"
  export TSDB_PROXY_ENTERPRISE_RATE="${TSDB_PROXY_ENTERPRISE_RATE:-50r/s}" TSDB_PROXY_ENTERPRISE_BURST="${TSDB_PROXY_ENTERPRISE_BURST:-150}"
  export TSDB_PROXY_LOGIN_RATE="${TSDB_PROXY_LOGIN_RATE:-6r/m}" TSDB_PROXY_LOGIN_BURST="${TSDB_PROXY_LOGIN_BURST:-10}"
  export TSDB_PROXY_WORKERS="${TSDB_PROXY_WORKERS:-2}"
  export TSDB_PROXY_CACHE_DIR="$dir/cache" TSDB_PROXY_CACHE_VALID="${TSDB_PROXY_CACHE_VALID:-10s}"
  export TSDB_WEB_ROOT="${TSDB_WEB_ROOT:-$ROOT/db/web}"
  export TSDB_NGINX_STATUS_LISTEN="unix:$dir/status.sock"   # stub_status, read by monitoring.sh's nginx exporter
  # Only our placeholders: nginx's own $variables stay as they are.
  local vars='${TSDB_NGINX_USER} ${TSDB_NGINX_PREFIX} ${TSDB_NGINX_LOG_DIR} ${TSDB_PROXY_LISTEN} ${TSDB_POSTGREST_UPSTREAM} ${TSDB_PROXY_RATE} ${TSDB_PROXY_BURST} ${TSDB_PROXY_WRITE_RATE} ${TSDB_PROXY_WRITE_BURST} ${TSDB_PROXY_USER_RATE} ${TSDB_PROXY_USER_BURST} ${TSDB_PROXY_PREMIUM_RATE} ${TSDB_PROXY_PREMIUM_BURST} ${TSDB_PROXY_ENTERPRISE_RATE} ${TSDB_PROXY_ENTERPRISE_BURST} ${TSDB_PROXY_LOGIN_RATE} ${TSDB_PROXY_LOGIN_BURST} ${TSDB_PROXY_WORKERS} ${TSDB_PROXY_CACHE_DIR} ${TSDB_PROXY_CACHE_VALID} ${TSDB_WEB_ROOT} ${TSDB_NGINX_STATUS_LISTEN}'
  envsubst "$vars" < "$ROOT/db/nginx/nginx.conf.template" > "$dir/nginx.conf"
  envsubst "$vars" < "$ROOT/db/nginx/api.conf.template" > "$dir/api.conf"
  envsubst "$vars" < "$ROOT/db/nginx/status.conf.template" > "$dir/status.conf"
  "$NGINX_BIN" -t -q -e stderr -p "$dir" -c "$dir/nginx.conf" || die "nginx rejects the configuration in $dir"
}

case "${1:-}" in
  start)
    if ss -Hltn "sport = :$PROXY_PORT" | grep -q . && ! svc_pid nginx >/dev/null; then
      die "port $PROXY_PORT is taken by another process; set TSDB_PROXY_PORT"
    fi
    render "$NGINX_DIR"
    # a socket left by a killed nginx would make its bind fail
    svc_pid nginx >/dev/null || rm -f "$NGINX_DIR/status.sock"
    svc_start nginx "$NGINX_BIN" -e stderr -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
    wait_http "http://127.0.0.1:$PROXY_PORT/health" 15 \
      || { tail -n 20 "$LOG_DIR/nginx.log" "$LOG_DIR/nginx-error.log" >&2; die "nginx did not answer on port $PROXY_PORT"; }
    log "nginx running on http://127.0.0.1:$PROXY_PORT/api/ (logs $LOG_DIR/nginx-*.log)"
    ;;
  stop) svc_stop nginx ;;
  render) render "${2:?usage: $0 render DIR}" ;;
  *) die "usage: $0 start|stop|render DIR" ;;
esac
