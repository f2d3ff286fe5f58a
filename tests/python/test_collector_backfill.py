"""Backfill from the archive the collector wrote reproduces the live database's features and
indices exactly, and running it twice changes nothing; generate-history writes an archive of
simulated days and backfills it into hourly rollups; the CLI's help and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pyarrow.parquet as pq

from collector_fixtures import (  # noqa: F401  (fixture)
    COLLECTOR, ROOT, RunCollector, Sim, collector_env, fresh_site, run_collector, start_sim,
)

Connect = Callable[..., psycopg.Connection]
INDEX_COLUMNS = ("timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb, vehicle_index, vehicle_index_eb,"
                 " traffic_index, traffic_volume, vru_count, vehicle_event_count, vru_event_count, hard_braking_count,"
                 " avg_speed, window_volume, hour_of_day, day_of_week, formula_version, constants_id")


def snapshot(conn: psycopg.Connection, ix: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    features = conn.execute("SELECT * FROM tsi.features_minute WHERE intersection_id = %s ORDER BY minute", (ix,)).fetchall()
    indices = conn.execute(f"SELECT {INDEX_COLUMNS} FROM tsi.safety_indices_realtime WHERE intersection_id = %s"
                           " ORDER BY timestamp", (ix,)).fetchall()
    return features, indices


def same(a: object, b: object) -> bool:
    """Equal, floats to 1e-12 relative: the engine's float sums depend on the order rows are read."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def backfill(env: dict[str, str], start: dt.datetime, end: dt.datetime) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COLLECTOR, "backfill", "--from", start.isoformat(), "--to", end.isoformat()],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_backfill_from_the_collectors_archive_reproduces_the_live_indices(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect,
        run_collector: RunCollector) -> None:
    ix, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "8", "--seed", "31")
    env = collector_env(test_db, sim, tmp_path)
    start = dt.datetime.now(dt.timezone.utc)
    proc = run_collector(env, tmp_path / "collector.log")
    time.sleep(8)
    assert proc.stop() == 0, proc.text()
    end = dt.datetime.now(dt.timezone.utc)

    with connect(autocommit=True) as conn:
        for _ in range(20):  # what pg_cron does live, every minute
            if conn.execute("CALL tsi.process_pending(240, NULL)").fetchone()[0] == 0:
                break
        live = snapshot(conn, ix)
        assert live[0] and live[1], "the live run produced features and indices"
        assert conn.execute("SELECT count(*) FROM tsi.safety_indices_realtime WHERE intersection_id = %s"
                            " AND combined_index_eb IS NOT NULL", (ix,)).fetchone()[0] == len(live[1])
        # The database loses everything of this intersection but its MapData row.
        for table in ("bsm_messages", "psm_messages"):
            conn.execute(f"DELETE FROM tsi.{table} WHERE rsu_name = %s", (rsu,))
        for table in ("features_minute", "safety_indices_realtime"):
            conn.execute(f"DELETE FROM tsi.{table} WHERE intersection_id = %s", (ix,))
        assert snapshot(conn, ix) == ([], [])

        for run in (1, 2):
            done = backfill(env, start, end)
            assert done.returncode == 0, done.stderr
            assert "rows/s" in done.stderr and "ETA" in done.stderr, "progress with rate and ETA"
            assert same(snapshot(conn, ix), live), f"backfill run {run} gives the live features and indices"
        final = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")][-1]
        signals = sum(pq.read_metadata(f).num_rows for kind in ("mapdata", "spat")
                      for f in (tmp_path / "archive" / "raw" / kind).rglob("*.parquet"))
        # valid MapData and SPaT always count as landed (upserted, or kept once)
        assert final["event"] == "backfill done" and final["landed"] == signals and final["duplicates"] > 0, \
            "the second run finds every vehicle message landed already"


def test_generate_history_fills_the_archive_and_the_hourly_rollup(test_db: str, tmp_path: Path, connect: Connect) -> None:
    ix, spec, _ = fresh_site()
    env = collector_env(test_db, None, tmp_path)
    end = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    if end - dt.timedelta(days=0.1) < end.replace(hour=0):
        # within one UTC day: constants are per day, and a day holding only the history's last
        # minutes before midnight is rightly scored with bootstrap constants (CI at 03:03 UTC)
        end = end.replace(hour=0)
    done = subprocess.run([*COLLECTOR, "generate-history", "--days", "0.1", "--end", end.isoformat(),
                           "--intersections", spec, "--vehicles", "3", "--profile", "flat",
                           "--seed", str(ix)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    files = list((tmp_path / "archive" / "raw").rglob("*.parquet"))
    assert {f.parts[-5] for f in files} == {"bsm", "psm", "mapdata", "spat"}
    with connect() as conn:
        hours = conn.execute("SELECT count(*), min(total_volume) FROM tsi.safety_indices_hourly"
                             " WHERE intersection_id = %s", (ix,)).fetchone()
        minutes = conn.execute("SELECT count(*) FROM tsi.safety_indices_realtime WHERE intersection_id = %s"
                               " AND timestamp < %s", (ix, end)).fetchone()[0]
        bootstrap_scored = conn.execute(
            "SELECT count(*) FROM tsi.safety_indices_realtime r JOIN tsi.normalization_constants k ON k.id = r.constants_id"
            " WHERE r.intersection_id = %s AND k.is_bootstrap", (ix,)).fetchone()[0]
        pending = conn.execute("SELECT count(*) FROM tsi.pending_minutes WHERE minute >= %s AND minute < %s",
                               (end - dt.timedelta(days=0.1, minutes=1), end)).fetchone()[0]
    assert hours[0] >= 2 and hours[1] > 0, "2.4 h of history roll up into hours with traffic"
    assert minutes >= 140, "every minute of the history is scored"
    assert pending == 0, "the backfill leaves no minute of its range pending (the first one included)"
    assert bootstrap_scored == 0, "generate-history ends with the constants following the history it landed"


def test_every_command_has_help_and_errors_have_their_exit_codes(tmp_path: Path, start_sim: Callable[..., Sim],
                                                                 test_db: str) -> None:
    for command in ("run", "simulate", "backfill", "generate-history"):
        shown = subprocess.run([*COLLECTOR, command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0 and "usage: collector " + command in shown.stdout
    assert subprocess.run([*COLLECTOR, "fly"], cwd=ROOT, capture_output=True, timeout=60).returncode == 2
    env = collector_env(test_db, None, tmp_path, VCC_MODE="sometimes")
    bad = subprocess.run([*COLLECTOR, "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "VCC_MODE" in bad.stderr
    sim = start_sim("--intersections", fresh_site()[1])
    env = collector_env(test_db, sim, tmp_path, VCC_CLIENT_SECRET="not-the-secret")
    refused = subprocess.run([*COLLECTOR, "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 3, refused.stderr
    assert "not-the-secret" not in refused.stderr
