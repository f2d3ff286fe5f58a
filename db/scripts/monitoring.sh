#!/usr/bin/env bash
# Prometheus, its exporters (with mtail for nginx's timing log) and Alertmanager for the local
# stack, project-local processes of the Debian packages (never their system services):
#   monitoring.sh start | stop | status | render DIR
#   render DIR   writes DIR/prometheus.yml from monitoring/prometheus.yml.template (the tests run
#                their own Prometheus from it, on free ports and a short interval)
# Ports and settings from the environment, defaults in the README.
source "$(dirname "$0")/common.sh"

MON_DIR="$LOCAL/monitoring"
PROMETHEUS_PORT="${TSDB_PROMETHEUS_PORT:-9090}"
PG_EXPORTER_PORT="${TSDB_PG_EXPORTER_PORT:-9187}"
NGINX_EXPORTER_PORT="${TSDB_NGINX_EXPORTER_PORT:-9113}"
NODE_EXPORTER_PORT="${TSDB_NODE_EXPORTER_PORT:-9100}"
MTAIL_PORT="${TSDB_MTAIL_PORT:-3903}"
ALERTMANAGER_PORT="${TSDB_ALERTMANAGER_PORT:-9093}"
COLLECTOR_METRICS_PORT="${TSDB_COLLECTOR_METRICS_PORT:-9188}"
# The exporter logs in as tsdb_monitor (ops/monitor_role) over the cluster's socket.
PG_EXPORTER_DSN="${TSDB_PG_EXPORTER_DSN:-postgresql://tsdb_monitor@/$DB_NAME?host=$PGHOST&port=$PGPORT&sslmode=disable}"

render() {  # render DIR
  local dir="$1"
  mkdir -p "$dir"
  export TSDB_MONITORING_DIR="$ROOT/monitoring" TSDB_PROMETHEUS_PORT="$PROMETHEUS_PORT" \
    TSDB_PG_EXPORTER_PORT="$PG_EXPORTER_PORT" TSDB_NGINX_EXPORTER_PORT="$NGINX_EXPORTER_PORT" \
    TSDB_NODE_EXPORTER_PORT="$NODE_EXPORTER_PORT" TSDB_MTAIL_PORT="$MTAIL_PORT" TSDB_ALERTMANAGER_PORT="$ALERTMANAGER_PORT" \
    TSDB_COLLECTOR_METRICS_PORT="$COLLECTOR_METRICS_PORT" \
    TSDB_PROMETHEUS_INTERVAL="${TSDB_PROMETHEUS_INTERVAL:-15s}" TSDB_PROMETHEUS_TIMEOUT="${TSDB_PROMETHEUS_TIMEOUT:-10s}"
  local vars='${TSDB_MONITORING_DIR} ${TSDB_PROMETHEUS_PORT} ${TSDB_PG_EXPORTER_PORT} ${TSDB_NGINX_EXPORTER_PORT} ${TSDB_NODE_EXPORTER_PORT} ${TSDB_MTAIL_PORT} ${TSDB_ALERTMANAGER_PORT} ${TSDB_COLLECTOR_METRICS_PORT} ${TSDB_PROMETHEUS_INTERVAL} ${TSDB_PROMETHEUS_TIMEOUT}'
  envsubst "$vars" < "$ROOT/monitoring/prometheus.yml.template" > "$dir/prometheus.yml"
  promtool check config --syntax-only "$dir/prometheus.yml" >/dev/null || die "promtool rejects $dir/prometheus.yml"
}

# The database's TLS certificate, when the server has TLS on and its file is readable here, as a
# metric of node-exporter's textfile collector (TsdbDbTlsCertificateExpiring); no file without TLS.
write_tls_metric() {
  local out="$MON_DIR/textfile/tls.prom" cert end
  rm -f "$out"
  [ "$(psql -qtAX -d "$DB_NAME" -c 'SHOW ssl' 2>/dev/null)" = on ] || return 0
  cert="$(psql -qtAX -d "$DB_NAME" -c 'SHOW ssl_cert_file')"
  [[ "$cert" = /* ]] || cert="$PGDATA_DIR/$cert"
  end="$(openssl x509 -enddate -noout -in "$cert" 2>/dev/null | cut -d= -f2)" || { log "warning: cannot read $cert"; return 0; }
  printf '# HELP tsdb_db_tls_cert_not_after_seconds When the database server'"'"'s TLS certificate expires.\n# TYPE tsdb_db_tls_cert_not_after_seconds gauge\ntsdb_db_tls_cert_not_after_seconds{file="%s"} %s\n' \
    "$cert" "$(date -d "$end" +%s)" > "$out"
}

port_free_or_ours() {  # port_free_or_ours PORT NAME VAR
  if ss -Hltn "sport = :$1" | grep -q . && ! svc_pid "$2" >/dev/null; then
    die "port $1 is taken by another process; set $3"
  fi
}

start() {
  port_free_or_ours "$PROMETHEUS_PORT" prometheus TSDB_PROMETHEUS_PORT
  port_free_or_ours "$PG_EXPORTER_PORT" postgres-exporter TSDB_PG_EXPORTER_PORT
  port_free_or_ours "$NGINX_EXPORTER_PORT" nginx-exporter TSDB_NGINX_EXPORTER_PORT
  port_free_or_ours "$NODE_EXPORTER_PORT" node-exporter TSDB_NODE_EXPORTER_PORT
  port_free_or_ours "$MTAIL_PORT" mtail TSDB_MTAIL_PORT
  port_free_or_ours "$ALERTMANAGER_PORT" alertmanager TSDB_ALERTMANAGER_PORT
  mkdir -p "$MON_DIR/textfile" "$MON_DIR/alertmanager" "$MON_DIR/prometheus-data"
  render "$MON_DIR"
  write_tls_metric
  DATA_SOURCE_NAME="$PG_EXPORTER_DSN" svc_start postgres-exporter /usr/bin/prometheus-postgres-exporter \
    --extend.query-path="$ROOT/monitoring/queries.yaml" --web.listen-address="127.0.0.1:$PG_EXPORTER_PORT"
  svc_start nginx-exporter /usr/bin/prometheus-nginx-exporter \
    -nginx.scrape-uri="unix:$LOCAL/nginx/status.sock:/stub_status" -web.listen-address="127.0.0.1:$NGINX_EXPORTER_PORT"
  svc_start node-exporter /usr/bin/prometheus-node-exporter --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT" \
    --collector.disable-defaults --collector.filesystem --collector.cpu --collector.meminfo --collector.loadavg \
    --collector.diskstats --collector.textfile --collector.textfile.directory="$MON_DIR/textfile"
  touch "$LOG_DIR/nginx-timing.log"   # nginx writes it (db/nginx/nginx.conf.template)
  svc_start mtail /usr/bin/mtail -progs "$ROOT/monitoring/mtail" -logs "$LOG_DIR/nginx-timing.log" \
    -address 127.0.0.1 -port "$MTAIL_PORT" -logtostderr
  svc_start alertmanager /usr/bin/prometheus-alertmanager --config.file="$ROOT/monitoring/alertmanager.yml" \
    --storage.path="$MON_DIR/alertmanager" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address=
  svc_start prometheus /usr/bin/prometheus --config.file="$MON_DIR/prometheus.yml" \
    --storage.tsdb.path="$MON_DIR/prometheus-data" --storage.tsdb.retention.time="${TSDB_PROMETHEUS_RETENTION:-15d}" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle
  local name url
  for name in postgres-exporter:"$PG_EXPORTER_PORT/metrics" nginx-exporter:"$NGINX_EXPORTER_PORT/metrics" \
              node-exporter:"$NODE_EXPORTER_PORT/metrics" mtail:"$MTAIL_PORT/metrics" alertmanager:"$ALERTMANAGER_PORT/-/ready" prometheus:"$PROMETHEUS_PORT/-/ready"; do
    url="http://127.0.0.1:${name#*:}"
    wait_http "$url" 30 || { tail -n 20 "$LOG_DIR/${name%%:*}.log" >&2; die "${name%%:*} did not answer on $url"; }
  done
  log "Prometheus on http://127.0.0.1:$PROMETHEUS_PORT/ (targets: /targets, alerts: /alerts), Alertmanager on http://127.0.0.1:$ALERTMANAGER_PORT/"
}

stop() {
  local name
  for name in prometheus alertmanager mtail node-exporter nginx-exporter postgres-exporter; do svc_stop "$name"; done
}

state() { if svc_pid "$1" >/dev/null; then echo running; else echo stopped; fi; }

status() {
  cat <<TXT
  Prometheus      $(state prometheus)  http://127.0.0.1:$PROMETHEUS_PORT/targets   (rules monitoring/rules, log $LOG_DIR/prometheus.log)
  Alertmanager    $(state alertmanager)  http://127.0.0.1:$ALERTMANAGER_PORT/
  exporters       postgres $(state postgres-exporter) :$PG_EXPORTER_PORT, nginx $(state nginx-exporter) :$NGINX_EXPORTER_PORT, node $(state node-exporter) :$NODE_EXPORTER_PORT,
                  mtail (API latency from nginx's timing log) $(state mtail) :$MTAIL_PORT; collector /metrics :$COLLECTOR_METRICS_PORT
TXT
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  render) render "${2:?usage: $0 render DIR}" ;;
  *) die "usage: $0 start|stop|status|render DIR" ;;
esac
