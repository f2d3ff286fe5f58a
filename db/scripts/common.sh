# Shared settings of the local tooling; sourced by every script in db/scripts.
# Every value can be overridden from the environment (documented in the README).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="${TSDB_LOCAL_DIR:-$ROOT/.local}"          # git-ignored state: cluster, logs, tools, secrets
VENV="${TSDB_VENV:-$ROOT/.venv}"

# The cluster must not run as root: use the 'postgres' OS user when we are root.
if [ "$(id -u)" = 0 ]; then
  PG_OS_USER="${TSDB_PG_OS_USER:-postgres}"
else
  PG_OS_USER="$(id -un)"
fi

# pg_can_enter PATH: whether the cluster's OS user can enter PATH (or, while PATH does not exist
# yet, its nearest existing parent). True when we are that user, or while that user does not exist.
pg_can_enter() {
  local d="$1"
  until [ -d "$d" ]; do d="$(dirname "$d")"; done
  [ "$(id -un)" = "$PG_OS_USER" ] || ! id -u "$PG_OS_USER" >/dev/null 2>&1 \
    || runuser -u "$PG_OS_USER" -- test -x "$d"
}

# The cluster's own files (data directory, Unix socket, server log) must be reachable by its OS
# user: in $LOCAL when it can enter it, otherwise (a clone under a mode-700 directory such as
# /root) in a directory of its own under /var/lib/trafficsafety, one per checkout.
PG_STATE_MOVED=0
if [ -n "${TSDB_PG_STATE_DIR:-}" ]; then
  PG_STATE_DIR="$TSDB_PG_STATE_DIR"
elif pg_can_enter "$LOCAL"; then
  PG_STATE_DIR="$LOCAL"
else
  PG_STATE_DIR="/var/lib/trafficsafety/$(realpath -m "$LOCAL" | sha256sum | cut -c1-12)"
  PG_STATE_MOVED=1
fi

PGDATA_DIR="${TSDB_PGDATA:-$PG_STATE_DIR/pgdata}"
PG_RUN_DIR="${TSDB_PG_SOCKET_DIR:-$PG_STATE_DIR/run}"   # Unix socket lives here, not in /var/run
PG_LOG_DIR="$PG_STATE_DIR/log"                          # postgresql.log, initdb.log
PG_BIN="${TSDB_PG_BIN:-/usr/lib/postgresql/15/bin}"
LOG_DIR="$LOCAL/log"                                    # the other services' logs
TOOLS_DIR="$LOCAL/tools"
PID_DIR="$LOCAL/pids"

export PGHOST="${TSDB_PGHOST:-$PG_RUN_DIR}"   # a host name for a remote server
export PGPORT="${TSDB_PGPORT:-55432}"
export PGUSER="${TSDB_PGSUPERUSER:-postgres}"
DB_NAME="${TSDB_DB:-trafficsafety}"
# pg_cron 1.4 creates its extension only in cron.database_name (ours) or in a database
# called contrib_regression, its own test hook; the throwaway test database uses that name.
TEST_DB="${TSDB_TEST_DB:-contrib_regression}"

POSTGREST_VERSION="12.0.2"
POSTGREST_BIN="$TOOLS_DIR/postgrest-$POSTGREST_VERSION/postgrest"
POSTGREST_PORT="${TSDB_POSTGREST_PORT:-3000}"
PROXY_PORT="${TSDB_PROXY_PORT:-8080}"             # nginx in front of PostgREST (db/scripts/nginx.sh)
JWT_SECRET_FILE="$LOCAL/jwt_secret"

as_pg_user() {
  if [ "$(id -un)" = "$PG_OS_USER" ]; then "$@"
  # From a directory it cannot enter, pg_ctl and initdb complain "could not change directory".
  elif [ "$PG_STATE_MOVED" = 1 ]; then (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else runuser -u "$PG_OS_USER" -- "$@"; fi
}

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The JWT secret PostgREST verifies with and the database signs with: from the
# environment, or generated once into a git-ignored file.
jwt_secret() {
  if [ -n "${TSDB_JWT_SECRET:-}" ]; then printf '%s' "$TSDB_JWT_SECRET"; return; fi
  if [ ! -s "$JWT_SECRET_FILE" ]; then
    mkdir -p "$LOCAL"
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$JWT_SECRET_FILE")
  fi
  cat "$JWT_SECRET_FILE"
}

# Whether the dev database holds rolled-up history (the simulated history of `make up`, or real
# data): asked of the database itself, so a recreated database gets its history again.
db_has_history() {
  [ "$(psql -qtAX -d "$DB_NAME" -c 'SELECT EXISTS (SELECT FROM tsi.safety_indices_hourly)' 2>/dev/null)" = t ]
}

# Background services of `make up`, each remembered by pid in .local/pids so `make down`
# stops exactly what was started.
svc_pid() { local f="$PID_DIR/$1.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

svc_start() {  # svc_start NAME COMMAND...
  local name="$1"; shift
  if svc_pid "$name" >/dev/null; then log "$name already running (pid $(svc_pid "$name"))"; return 0; fi
  mkdir -p "$PID_DIR" "$LOG_DIR"
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! > "$PID_DIR/$name.pid"
}

svc_stop() {  # svc_stop NAME: TERM to its whole process group (setsid made it a leader), KILL after 10 s
  local name="$1" pid i
  pid="$(svc_pid "$name")" || { rm -f "$PID_DIR/$name.pid"; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_DIR/$name.pid"
  log "$name stopped"
}

# wait_http URL SECONDS: until the URL answers 2xx.
wait_http() {
  local i
  for i in $(seq $(( $2 * 10 ))); do
    curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
