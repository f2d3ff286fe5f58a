#!/usr/bin/env bash
# psql on the dev database of the local cluster: psql.sh [ROLE] [psql options...]
source "$(dirname "$0")/common.sh"
role="${1:-$PGUSER}"; shift || true
exec psql -d "$DB_NAME" -U "$role" "$@"
