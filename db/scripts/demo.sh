#!/usr/bin/env bash
# Loads the diary's deterministic demo data (db/demo/diary.sql) into the dev database once.
source "$(dirname "$0")/common.sh"
psql -qX -d "${1:-$DB_NAME}" -f "$ROOT/db/demo/diary.sql"
