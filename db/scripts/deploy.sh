#!/usr/bin/env bash
# Deploys the Sqitch plan (with verify) to a database, creating the database if needed;
# stores the JWT secret, sets the login passwords given in the environment
# (TSDB_AUTHENTICATOR_PASSWORD, TSDB_COLLECTOR_PASSWORD, TSDB_ANALYST_PASSWORD, TSDB_MONITOR_PASSWORD) and tells
# PostgREST to reload its schema cache. Used by `make up`, `make test` and the compose
# `migrate` service.
#   deploy.sh [DATABASE]        (default: the dev database)
source "$(dirname "$0")/common.sh"
db="${1:-$DB_NAME}"

if ! psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  log "creating database $db"
  createdb "$db"
fi
# deploy --verify checks what it deploys; verify re-checks what was deployed before, so a
# role or object lost since (for example dropped by hand) is reported here.
(cd "$ROOT" && sqitch deploy --verify "db:pg:$db" && sqitch verify "db:pg:$db" >/dev/null)
psql -d "$db" -v ON_ERROR_STOP=1 -qX \
  -v secret="$(jwt_secret)" \
  -v authenticator_pw="${TSDB_AUTHENTICATOR_PASSWORD:-}" \
  -v collector_pw="${TSDB_COLLECTOR_PASSWORD:-}" \
  -v analyst_pw="${TSDB_ANALYST_PASSWORD:-}" \
  -v monitor_pw="${TSDB_MONITOR_PASSWORD:-}" <<'SQL'
INSERT INTO auth.jwt_secret (secret) VALUES (:'secret')
ON CONFLICT (singleton) DO UPDATE SET secret = EXCLUDED.secret, updated_at = now()
WHERE auth.jwt_secret.secret IS DISTINCT FROM EXCLUDED.secret;
-- An empty password leaves the role as it is (the local cluster uses its socket).
SELECT format('ALTER ROLE %I PASSWORD %L', role, pw)
FROM (VALUES ('authenticator', :'authenticator_pw'), ('collector', :'collector_pw'),
             ('analyst', :'analyst_pw'), ('tsdb_monitor', :'monitor_pw')) AS t(role, pw)
WHERE pw <> '' \gexec
NOTIFY pgrst, 'reload schema';
SQL

# pg_cron's scheduler stops for good when its database is dropped (dropdb --force ends it
# cleanly, so the postmaster does not restart it): the jobs of a recreated database would
# silently never run.
if [ "$db" = "$(psql -d "$db" -AtqXc 'SHOW cron.database_name')" ] \
   && ! psql -d "$db" -AtqXc "SELECT 1 FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'" | grep -q 1; then
  log "warning: pg_cron's scheduler is not running, so the jobs of $db will not run: restart the cluster (make db-stop db-start)"
fi
