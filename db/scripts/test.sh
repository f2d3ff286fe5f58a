#!/usr/bin/env bash
# The whole test run of `make test`, on a throwaway database of the project cluster:
#   upgrade (newest release tag from git + data -> deploy HEAD with verify) -> pgTAP (pg_prove)
#   -> Sqitch revert round trip (whose fresh deploy must give the upgraded schema) -> pytest
#   -> compose file check, and one summary line; the compose test (compose_test.sh) runs beside
#   them all. Single suites for development:
#   test.sh pgtap [FILE...]     test.sh pytest [PYTEST ARGS...]
source "$(dirname "$0")/common.sh"
S="$ROOT/db/scripts"
OUT="$LOCAL/test"
mkdir -p "$OUT"

started_cluster=0
if ! bash "$S/cluster.sh" status >/dev/null 2>&1; then
  bash "$S/cluster.sh" start
  started_cluster=1
fi
compose_pid=""
finish() {
  # the compose test cleans up after itself: let it
  if [ -n "$compose_pid" ]; then wait "$compose_pid" 2>/dev/null || true; fi
  if [ "$started_cluster" = 1 ]; then bash "$S/cluster.sh" stop; fi
}
trap finish EXIT

export TSDB_TEST_DB="$TEST_DB" TSDB_POSTGREST_BIN="$POSTGREST_BIN"
TSDB_JWT_SECRET="$(jwt_secret)"; export TSDB_JWT_SECRET

passed=0 failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }
banner() { printf '\n=== %s\n' "$*"; }

# A released change is never edited: every script of the release must still be in the tree,
# as it was or as the @tag copy `sqitch rework` leaves when the change is reworked.
check_released() {  # check_released COMMIT TAG
  local commit="$1" tag="$2" f c edited=0 kept
  while read -r f; do
    git -C "$ROOT" show "$commit:$f" | cmp -s - "$ROOT/$f" && continue
    kept=0
    for c in "$ROOT/${f%.sql}"@*.sql; do
      [ -e "$c" ] && git -C "$ROOT" show "$commit:$f" | cmp -s - "$c" && kept=1
    done
    if [ "$kept" = 0 ]; then
      echo "$f differs from $tag without 'sqitch rework': released changes are never edited"
      edited=$((edited + 1))
    fi
  done < <(git -C "$ROOT" ls-tree -r --name-only "$commit" -- deploy revert verify)
  [ "$edited" = 0 ]
}

# The upgrade a DBA makes: the newest release tag of the plan, deployed from git as it was
# released (with its own deploy script), then HEAD deployed on top with verify.
RELEASE_TAG="" RELEASE_DIR="$OUT/release"
release_from_git() {
  local commit
  RELEASE_TAG="$(grep -oE '^@[^ ]+' "$ROOT/sqitch.plan" | tail -n1)" || true
  commit="$(git -C "$ROOT" log -S"$RELEASE_TAG " --format=%H -- sqitch.plan 2>/dev/null | tail -n1)"
  if [ -z "$RELEASE_TAG" ] || [ -z "$commit" ]; then
    echo "no release tag in sqitch.plan, or no commit of git history that adds it (a shallow clone?)"
    return 1
  fi
  echo "release $RELEASE_TAG: commit $commit"
  check_released "$commit" "$RELEASE_TAG" || return 1
  rm -rf "$RELEASE_DIR" && mkdir -p "$RELEASE_DIR"
  git -C "$ROOT" archive "$commit" | tar -x -C "$RELEASE_DIR"
}
deploy_release() {  # deploy_release [DATA.sql]: a new test database at the release, loaded, then HEAD on top
  dropdb --if-exists --force "$TEST_DB" || return 1
  TSDB_LOCAL_DIR="$LOCAL" TSDB_PGHOST="$PGHOST" TSDB_PGPORT="$PGPORT" \
    bash "$RELEASE_DIR/db/scripts/deploy.sh" "$TEST_DB" > "$OUT/upgrade-release.log" 2>&1 \
    || { tail -n 20 "$OUT/upgrade-release.log"; return 1; }
  if [ -n "${1:-}" ]; then
    psql -qX -d "$TEST_DB" -f "$1" > "$OUT/upgrade-load.log" 2>&1 || { tail -n 20 "$OUT/upgrade-load.log"; return 1; }
    psql -qX -d "$TEST_DB" -f "$ROOT/tests/upgrade/fingerprint.sql" > "$OUT/upgrade-data-before.txt" || return 1
  fi
  bash "$S/deploy.sh" "$TEST_DB" > "$OUT/upgrade-head.log" 2>&1 || { tail -n 20 "$OUT/upgrade-head.log"; return 1; }
}

# With representative data (tests/upgrade/load.sql): the data must survive the upgrade, and the
# upgraded schema must be a fresh deploy's (compared by run_roundtrip). Then the suites run on
# the same upgrade without data, since they expect an empty database.
run_upgrade() {
  banner "upgrade: newest tag from git -> data -> deploy HEAD --verify -> data kept"
  local ok=1 changes
  release_from_git || ok=0
  deploy_release "$ROOT/tests/upgrade/load.sql" || return 1
  changes="$(grep -E '^  \+ ' "$OUT/upgrade-head.log" | awk '{ print $2 }' | paste -sd' ')"
  echo "deployed on top of $RELEASE_TAG: ${changes:-nothing (HEAD is the release)}"
  psql -qX -d "$TEST_DB" -f "$ROOT/tests/upgrade/fingerprint.sql" > "$OUT/upgrade-data-after.txt" || return 1
  if diff -u "$OUT/upgrade-data-before.txt" "$OUT/upgrade-data-after.txt"; then
    awk -F'|' '{ printf "%s %s rows, ", $1, $2 } END { print "kept" }' "$OUT/upgrade-data-after.txt"
  else
    echo "the upgrade changed or lost data (before/after above)"; ok=0
  fi
  awk -F'|' '$2 == 0 { print "no " $1 " rows were loaded: the upgrade test checks nothing there"; bad = 1 } END { exit bad }' \
    "$OUT/upgrade-data-before.txt" || ok=0
  dump_schema > "$OUT/schema-upgraded.sql"
  [ "$ok" = 1 ] && count 1 0 || count 0 1
  deploy_release || return 1
  prepare_pgtap
}

# pgTAP and the tests' helpers (schema tests, made anew from tests/pgtap/lib/tests_schema.psql).
prepare_pgtap() {
  psql -qX -d "$TEST_DB" -c 'CREATE EXTENSION IF NOT EXISTS pgtap' 2>/dev/null &&
    psql -qX -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$ROOT/tests/pgtap/lib/tests_schema.psql"
}

run_pgtap() {
  banner "pgTAP"
  local log="$OUT/pg_prove.log" total bad
  pg_prove -d "$TEST_DB" --ext .sql -r "${@:-$ROOT/tests/pgtap}" 2>&1 | tee "$log"
  total="$(sed -n 's/.*Tests=\([0-9]*\).*/\1/p' "$log" | tail -n1)"
  if grep -q '^Result: PASS' "$log"; then
    count "${total:-0}" 0
  else
    # "Failed 3/14 subtests" per file; a file that died before its plan counts as one.
    bad="$(awk '/^Failed [0-9]+\/[0-9]+ subtests/ { split($2, a, "/"); n += a[1] } END { print n + 0 }' "$log")"
    [ -n "$bad" ] && [ "$bad" -gt 0 ] || bad=1
    count $(( ${total:-0} > bad ? ${total:-0} - bad : 0 )) "$bad"
  fi
}

run_pytest() {
  local report="${PYTEST_REPORT:-pytest}" counts
  local xml="$OUT/$report.xml"
  banner "$report"
  (cd "$ROOT" && "$VENV/bin/pytest" --junitxml="$xml" "$@") || true
  counts="$("$VENV/bin/python" - "$xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    s = ET.parse(sys.argv[1]).getroot()
    s = s if s.tag == "testsuite" else s.find("testsuite")
    n, bad, skip = (int(s.get(k, 0)) for k in ("tests", "failures", "skipped"))
    bad += int(s.get("errors", 0))
    print(n - bad - skip, bad if n else 1)
except Exception:
    print(0, 1)
PY
)"
  # shellcheck disable=SC2086
  count $counts
}

# After all other Python tests, as a step of its own: tests/python/last dumps the test database,
# drops it, restores it in place and then deploys it afresh, so whatever ran after it in the same
# pytest run would find its PostgREST's connections cut and its data gone. tests/python/conftest.py
# keeps it out of the main run; its counts go into the summary like the main run's.
run_pytest_last() { PYTEST_REPORT=pytest-last run_pytest "$ROOT/tests/python/last"; }

# pg_dump >= 15.14 brackets its output with a random \restrict key: not part of the schema.
dump_schema() { pg_dump --schema-only -d "$TEST_DB" | grep -vE '^\\(un)?restrict '; }

# Every verify must raise once its change is reverted, and revert-all then deploy-all
# must give the schema it started from: the upgraded release's, so an upgrade and a fresh
# deploy give the same schema.
run_roundtrip() {
  banner "Sqitch round trip: dump -> revert one by one (verify must fail) -> deploy -> dump"
  local target="db:pg:$TEST_DB" changes i change vacuous=0
  local PGOPTIONS="-c client_min_messages=warning"; export PGOPTIONS
  # pgTAP and the schema tests are the harness's, not the plan's: out of the comparison.
  psql -qX -d "$TEST_DB" -c 'DROP EXTENSION IF EXISTS pgtap' -c 'DROP SCHEMA IF EXISTS tests CASCADE'
  dump_schema > "$OUT/schema-before.sql"
  mapfile -t changes < <(cd "$ROOT" && sqitch plan --format format:%n --no-headers "$target")
  for ((i = ${#changes[@]} - 1; i >= 0; i--)); do
    change="${changes[$i]}"
    if [ "$i" -gt 0 ]; then
      (cd "$ROOT" && sqitch revert -y --to "@HEAD^" "$target" >/dev/null)
    else
      (cd "$ROOT" && sqitch revert -y "$target" >/dev/null)
    fi
    # Cluster-wide roles may outlive the revert when another database of the cluster uses
    # them; a reworked change leaves its earlier version behind.
    [ "$change" = core/roles ] && continue
    printf '%s\n' "${changes[@]:0:$i}" | grep -qxF "$change" && continue
    if psql -qX -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$ROOT/verify/$change.sql" >/dev/null 2>&1; then
      echo "verify/$change.sql passes although $change is reverted: it checks nothing"
      vacuous=$((vacuous + 1))
    fi
  done
  # deploy.sh, not a bare sqitch deploy: it also stores the JWT secret the later suites sign with.
  bash "$S/deploy.sh" "$TEST_DB" >/dev/null
  dump_schema > "$OUT/schema-after.sql"
  if [ "$vacuous" = 0 ] && diff -u "$OUT/schema-before.sql" "$OUT/schema-after.sql" > "$OUT/schema.diff" \
     && diff -u "$OUT/schema-upgraded.sql" "$OUT/schema-after.sql" >> "$OUT/schema.diff"; then
    echo "every verify failed once reverted; schema identical after revert and redeploy, and to the upgrade's with data"
    count 1 0
  else
    head -n 60 "$OUT/schema.diff"
    count 0 1
  fi
  prepare_pgtap
}

run_compose_check() {
  banner "docker-compose config (every profile)"
  if DB_PASSWORD=x AUTHENTICATOR_PASSWORD=x COLLECTOR_PASSWORD=x MONITOR_PASSWORD=x JWT_SECRET=x \
     docker-compose -f "$ROOT/docker-compose.yml" --profile dev --profile monitoring config -q; then
    echo "compose file valid"; count 1 0
  else
    count 0 1
  fi
}

# The production path started under podman (compose_test.sh): it needs neither the cluster nor the
# other suites, so it runs beside them from the start (~2.5 min with its images cached, ~6 from
# nothing). TSDB_COMPOSE_TEST=0 leaves it out, and says so.
start_compose_test() {
  [ "${TSDB_COMPOSE_TEST:-1}" = 0 ] && return 0
  bash "$S/compose_test.sh" > "$OUT/compose.log" 2>&1 &
  compose_pid=$!
}
run_compose_test() {
  if [ -z "$compose_pid" ]; then
    banner "compose test: left out (TSDB_COMPOSE_TEST=0)"; return 0
  fi
  banner "compose test: docker-compose.yml under podman with stand-in images (log $OUT/compose.log)"
  wait "$compose_pid" || true
  compose_pid=""
  grep -vE '^(STEP [0-9]|--> |Successfully|COMMIT|\[compose_images\])' "$OUT/compose.log" | tail -n 40
  # shellcheck disable=SC2046
  count $(sed -nE 's/^compose: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$OUT/compose.log" | tail -n1 | grep . || echo 0 1)
}

summary() {
  echo
  echo "summary: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}

case "${1:-all}" in
  all)
    start_compose_test
    run_upgrade || { count 0 1; run_compose_test; summary; exit 1; }
    run_pgtap
    run_roundtrip
    run_pytest
    run_pytest_last
    run_compose_check
    run_compose_test
    [ "$failed" = 0 ] && dropdb --force "$TEST_DB"
    summary ;;
  pgtap) shift; bash "$S/deploy.sh" "$TEST_DB" >/dev/null; prepare_pgtap; run_pgtap "$@"; summary ;;
  pytest) shift; bash "$S/deploy.sh" "$TEST_DB" >/dev/null; run_pytest "$@"; [ $# -gt 0 ] || run_pytest_last; summary ;;
  *) die "usage: $0 [all | pgtap [FILE...] | pytest [ARGS...]]" ;;
esac
