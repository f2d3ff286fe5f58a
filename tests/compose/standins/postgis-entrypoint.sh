#!/usr/bin/env bash
# Stand-in for the official postgres image's docker-entrypoint.sh, the parts our stack relies on:
# as root, own PGDATA and drop to postgres; on an empty PGDATA, initdb with POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_INITDB_ARGS, allow password logins from anywhere, then run the
# init scripts against a temporary server that listens on the Unix socket only (as upstream
# does: a health check over the socket passes before TCP is open), stop it and exec postgres.
set -Eeuo pipefail
[ "${1:0:1}" = - ] && set -- postgres "$@"
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?the stand-in, like upstream, wants POSTGRES_PASSWORD}"
  export POSTGRES_USER="${POSTGRES_USER:-postgres}" POSTGRES_DB="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
  # shellcheck disable=SC2086
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
  printf '\nhost all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  export PGUSER="$POSTGRES_USER" PGPASSWORD="$POSTGRES_PASSWORD"
  [ "$POSTGRES_DB" = postgres ] || psql -v ON_ERROR_STOP=1 -qX -d postgres -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "running $f"; . "$f" ;;
      *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 -qX -d "$POSTGRES_DB" -f "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
