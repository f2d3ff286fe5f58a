#!/usr/bin/env bash
# `make report`: a PNG and a text summary of the last TSDB_REPORT_DAYS (2) days of the dev
# database, read as the analyst, into .local/report/ (collector report; see the README).
source "$(dirname "$0")/common.sh"
bash "$ROOT/db/scripts/cluster.sh" status >/dev/null 2>&1 || die "the cluster is not running: make up (or make db-start)"
out="$LOCAL/report"
TSDB_DB="$DB_NAME" "$VENV/bin/collector" report --days "${TSDB_REPORT_DAYS:-2}" --out "$out" \
  --database-url "dbname=$DB_NAME user=analyst"
