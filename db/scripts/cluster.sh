#!/usr/bin/env bash
# The project-owned PostgreSQL 15 cluster: data directory, socket and log in the project's
# .local/, or, when its OS user cannot enter that, in /var/lib/trafficsafety/<hash> (common.sh).
#   cluster.sh start | stop | status
source "$(dirname "$0")/common.sh"

PG_LOG="$PG_LOG_DIR/postgresql.log"

pg_ctl() { as_pg_user "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" "$@"; }

is_running() { pg_ctl status >/dev/null 2>&1; }

prepare_dirs() {
  if [ "$PG_STATE_DIR" = "$LOCAL" ]; then
    [ -d "$LOCAL" ] || mkdir -p -m 0755 "$LOCAL"   # enterable whatever the umask
  elif [ ! -d "$PG_STATE_DIR" ]; then
    mkdir -p -m 0755 "$(dirname "$PG_STATE_DIR")"
    install -d -m 0700 -o "$PG_OS_USER" "$PG_STATE_DIR"
  fi
  if [ "$PG_STATE_MOVED" = 1 ]; then
    # Which checkout a directory under /var/lib/trafficsafety belongs to, for whoever cleans up.
    [ -f "$PG_STATE_DIR/CHECKOUT" ] || printf '%s\n' \
      "State (pgdata, run, log) of the PostgreSQL cluster of the traffic-safety checkout whose" \
      "local directory is $LOCAL (the OS user $PG_OS_USER cannot enter it)." \
      "Remove this directory after \`make down\` there, or once that checkout is gone." > "$PG_STATE_DIR/CHECKOUT"
    [ -f "$PGDATA_DIR/PG_VERSION" ] \
      || log "the OS user '$PG_OS_USER' cannot enter $LOCAL: the cluster's state goes to $PG_STATE_DIR"
    if [ -z "${TSDB_PGDATA:-}" ] && [ -f "$LOCAL/pgdata/PG_VERSION" ]; then
      log "note: the earlier cluster in $LOCAL/pgdata is not used ('$PG_OS_USER' cannot enter it)"
    fi
  fi
  as_pg_user test -x "$PG_STATE_DIR" \
    || die "the OS user '$PG_OS_USER' cannot enter $PG_STATE_DIR; set TSDB_PG_STATE_DIR to a directory it can enter"
  mkdir -p "$LOG_DIR" "$PG_LOG_DIR"
  install -d -m 0700 -o "$PG_OS_USER" "$PG_RUN_DIR"
  [ -e "$PG_LOG" ] || install -m 0640 -o "$PG_OS_USER" /dev/null "$PG_LOG"
}

init_cluster() {
  [ -f "$PGDATA_DIR/PG_VERSION" ] && return 0
  log "initialising a new cluster in $PGDATA_DIR"
  install -d -m 0700 -o "$PG_OS_USER" "$PGDATA_DIR"
  as_pg_user "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_LOG_DIR/initdb.log"
  printf "\n# traffic-safety settings\ninclude 'tsdb.conf'\ninclude 'tsdb-local.conf'\n" \
    | as_pg_user tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

# The settings are copied in at every start, so a change to db/ takes effect at the next restart.
write_settings() {
  as_pg_user tee "$PGDATA_DIR/pg_hba.conf" <"$ROOT/db/pg_hba.conf" >/dev/null
  as_pg_user tee "$PGDATA_DIR/tsdb.conf" <"$ROOT/db/postgresql.conf" >/dev/null
  as_pg_user tee "$PGDATA_DIR/tsdb-local.conf" >/dev/null <<CONF
# Written by db/scripts/cluster.sh: where this cluster listens.
port = $PGPORT
unix_socket_directories = '$PG_RUN_DIR'
unix_socket_permissions = 0700
listen_addresses = '127.0.0.1'
cron.database_name = '$DB_NAME'
CONF
}

# After a crash postmaster.pid can name a dead process or one that reused its pid.
clear_stale_pid() {
  local pidfile="$PGDATA_DIR/postmaster.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(head -n1 "$pidfile")"
  if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$PG_BIN/postgres" ]; then
    return 0
  fi
  log "removing stale postmaster.pid (pid $pid is not a running postgres)"
  rm -f "$pidfile" "$PG_RUN_DIR/.s.PGSQL.$PGPORT" "$PG_RUN_DIR/.s.PGSQL.$PGPORT.lock"
}

start() {
  prepare_dirs
  init_cluster
  if is_running; then log "cluster already running (port $PGPORT)"; return 0; fi
  clear_stale_pid
  write_settings
  if ! pg_ctl -l "$PG_LOG" -w -t 60 start >/dev/null; then
    tail -n 20 "$PG_LOG" >&2
    die "the cluster did not start (is port $PGPORT taken? set TSDB_PGPORT)"
  fi
  log "cluster running: port $PGPORT, socket $PG_RUN_DIR, log $PG_LOG"
}

stop() {
  if [ -f "$PGDATA_DIR/PG_VERSION" ] && is_running; then
    pg_ctl -m fast -w stop >/dev/null
    log "cluster stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo running; else echo stopped; exit 3; fi ;;
  *) die "usage: $0 start|stop|status" ;;
esac
