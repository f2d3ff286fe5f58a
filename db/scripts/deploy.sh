#!/usr/bin/env bash
# Deploys the Sqitch plan (with verify) to a database of the local cluster, creating the
# database if needed, stores the JWT secret and tells PostgREST to reload its schema cache.
#   deploy.sh [DATABASE]        (default: the dev database)
source "$(dirname "$0")/common.sh"
db="${1:-$DB_NAME}"

if ! psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  log "creating database $db"
  createdb "$db"
fi
(cd "$ROOT" && sqitch deploy --verify "db:pg:$db")
psql -d "$db" -v ON_ERROR_STOP=1 -qX -v secret="$(jwt_secret)" <<'SQL'
INSERT INTO auth.jwt_secret (secret) VALUES (:'secret')
ON CONFLICT (singleton) DO UPDATE SET secret = EXCLUDED.secret, updated_at = now()
WHERE auth.jwt_secret.secret IS DISTINCT FROM EXCLUDED.secret;
NOTIFY pgrst, 'reload schema';
SQL
