#!/usr/bin/env bash
# `make bench`: benchmarks on a freshly deployed throwaway database (the test database's name,
# so pg_cron installs there too; do not run it alongside `make test`). Prints figures.
source "$(dirname "$0")/common.sh"
S="$ROOT/db/scripts"
started_cluster=0
if ! bash "$S/cluster.sh" status >/dev/null 2>&1; then bash "$S/cluster.sh" start; started_cluster=1; fi
finish() { if [ "$started_cluster" = 1 ]; then bash "$S/cluster.sh" stop; fi; }
trap finish EXIT

dropdb --if-exists --force "$TEST_DB"
bash "$S/deploy.sh" "$TEST_DB" >/dev/null
TSDB_BENCH_DB="$TEST_DB" "$VENV/bin/python" -u "$ROOT/tests/bench/bench_tsi.py"
TSDB_BENCH_DB="$TEST_DB" "$VENV/bin/python" -u "$ROOT/tests/bench/bench_rescore.py"
TSDB_BENCH_DB="$TEST_DB" "$VENV/bin/python" -u "$ROOT/tests/bench/bench_collector.py"
TSDB_BENCH_DB="$TEST_DB" "$VENV/bin/python" -u "$ROOT/tests/bench/bench_archive_ops.py"
TSDB_BENCH_DB="$TEST_DB" "$VENV/bin/python" -u "$ROOT/tests/bench/bench_diary.py"
TSDB_BENCH_DB="$TEST_DB" TSDB_POSTGREST_BIN="$POSTGREST_BIN" TSDB_JWT_SECRET="$(jwt_secret)" "$VENV/bin/python" -u "$ROOT/tests/bench/bench_api.py"
dropdb --force "$TEST_DB"
