"""Archive operations against the real database and a real archive (a local directory and
gcp-storage-emulator): the dual-write consistency check finds exactly a deliberately missing
archive file and a deliberately missing batch in the database and nothing when both agree; the
lifecycle command sets the design's rules once; the daily export writes each finished local
day's features and indices once and never replaces them."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pyarrow.parquet as pq
import pytest

from collector.archive import Archive, GcsArchive, LocalArchive, to_parquet
from collector.db import Database
from collector.lifecycle import RULES
from collector.messages import Batch, Message
from collector_fixtures import COLLECTOR, ROOT, gcs_emulator  # noqa: F401  (fixture)
from tsi_fixtures import drop_day_partitions

Connect = Callable[..., psycopg.Connection]


def bsm(vehicle: int, ts: dt.datetime, cnt: int) -> str:
    return json.dumps({"timestamp": int(ts.timestamp() * 1000), "rsuName": "consistency",
                       "bsmJson": {"coreData": {"id": vehicle, "msgCnt": cnt, "secMark": ts.second * 1000,
                                                "lat": 38.9, "lon": -77.1, "speed": 5.0, "heading": 90.0}}})


def psm(pid: int, ts: dt.datetime, cnt: int) -> str:
    return json.dumps({"timestamp": int(ts.timestamp() * 1000),
                       "psmJson": {"basicType": 1, "id": pid, "msgCnt": cnt, "secMark": ts.second * 1000,
                                   "position": {"lat": 38.9, "lon": -77.1}, "speed": 1.4}})


def batch(kind: str, start: dt.datetime, n: int, first_id: int, extra: list[str] = ()) -> Batch:  # type: ignore[assignment]
    make = bsm if kind == "bsm" else psm
    msgs = [Message(kind, start + dt.timedelta(seconds=i, milliseconds=300),
                    make(first_id + i, start + dt.timedelta(seconds=i), i % 128)) for i in range(n)]
    msgs += [Message(kind, start + dt.timedelta(seconds=n, milliseconds=500), raw) for raw in extra]
    return Batch(uuid.uuid4(), kind, msgs)


@pytest.fixture(params=["local", "gcs"])
def where(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) \
        -> Iterator[tuple[Archive, dict[str, str]]]:
    """The archive, and the environment that points the collector's commands at it."""
    if request.param == "local":
        yield LocalArchive(tmp_path / "archive"), {"COLLECTOR_ARCHIVE_DIR": str(tmp_path / "archive")}
    else:
        host = "http://" + request.getfixturevalue("gcs_emulator")
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", host)
        yield GcsArchive("archive"), {"STORAGE_EMULATOR_HOST": host, "GCS_BUCKET": "archive"}


@pytest.fixture
def hour(connect: Connect) -> Iterator[dt.datetime]:
    """An hour of a day of its own in 2030 (no other test's messages): its partitions are dropped after."""
    day = dt.date(2030, 1, 1) + dt.timedelta(days=random.randrange(300))
    yield dt.datetime.combine(day, dt.time(10), dt.timezone.utc)
    with connect(autocommit=True) as conn:
        drop_day_partitions(conn, day.isoformat(), day.isoformat())
        conn.execute("DELETE FROM tsi.quarantine WHERE received_at >= %s AND received_at < %s::date + 1", (day, day))
        conn.execute("DELETE FROM tsi.archive_consistency WHERE hour >= %s AND hour < %s::date + 1", (day, day))
        conn.execute("DELETE FROM tsi.data_quality_log WHERE issue_type LIKE 'archive%%' AND data_time >= %s"
                     " AND data_time < %s::date + 1", (day, day))


def store(archive: Archive, db: Database | None, b: Batch) -> str:
    """Archive the batch and (db given) land it, as the collector does."""
    name = archive.put(b, to_parquet(b))
    if db is not None:
        db.land(b)
    return name


def remove(archive: Archive, name: str) -> None:
    if isinstance(archive, LocalArchive):
        (archive.root / name).unlink()
    else:
        assert isinstance(archive, GcsArchive)
        archive.bucket.blob(name).delete()


def check(test_db: str, env: dict[str, str], start: dt.datetime, end: dt.datetime) -> subprocess.CompletedProcess[str]:
    import os
    return subprocess.run([*COLLECTOR, "check-consistency", "--from", start.isoformat(), "--to", end.isoformat()],
                          cwd=ROOT, env={**os.environ, "TSDB_DATABASE_URL": f"dbname={test_db} user=collector", **env},
                          capture_output=True, text=True, timeout=120)


def results(conn: psycopg.Connection, start: dt.datetime, end: dt.datetime) -> dict[tuple[dt.datetime, str], tuple[int, ...]]:
    return {(h, t): tuple(rest) for h, t, *rest in conn.execute(
        "SELECT hour, msg_type, archived, archived_distinct, in_database, missing_in_database, missing_in_archive"
        " FROM tsi.archive_consistency WHERE hour >= %s AND hour < %s", (start, end))}


@pytest.fixture
def collector_db(test_db: str) -> Iterator[Database]:
    db = Database(f"dbname={test_db} user=collector")
    db.open(wait=True)
    yield db
    db.close()


def test_archive_and_database_that_agree_have_no_differences(
        where: tuple[Archive, dict[str, str]], hour: dt.datetime, test_db: str, connect: Connect,
        collector_db: Database) -> None:
    archive, env = where
    bad = '{"run": "%s", "bsmJson": {"coreData": {"id": ' % uuid.uuid4()    # not JSON: quarantined
    first = batch("bsm", hour + dt.timedelta(minutes=5), 12, 100, [bad])
    # the same six messages delivered again in a later batch (stream and poll): archived twice, landed once
    again = Batch(uuid.uuid4(), "bsm", [Message("bsm", m.received_at + dt.timedelta(seconds=30), m.raw)
                                        for m in first.messages[:6]])
    for b in (first, again, batch("psm", hour + dt.timedelta(minutes=50), 4, 500)):
        store(archive, collector_db, b)

    r = check(test_db, env, hour, hour + dt.timedelta(hours=2))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 hour(s) checked, 0 difference(s)" in r.stdout
    with connect() as conn:
        got = results(conn, hour, hour + dt.timedelta(hours=2))
    # archived (repeats counted), distinct, in the database, not in the database, not in the archive
    assert got[(hour, "bsm")] == (19, 13, 13, 0, 0), "12 messages + 1 quarantined, 6 of them archived twice"
    assert got[(hour, "psm")] == (4, 4, 4, 0, 0)
    assert got[(hour + dt.timedelta(hours=1), "bsm")] == (0, 0, 0, 0, 0)


def test_a_missing_archive_file_and_a_missing_batch_in_the_database_are_reported_exactly(
        where: tuple[Archive, dict[str, str]], hour: dt.datetime, test_db: str, connect: Connect,
        collector_db: Database) -> None:
    archive, env = where
    lost_file = store(archive, collector_db, batch("bsm", hour + dt.timedelta(minutes=1), 10, 1000))
    store(archive, collector_db, batch("bsm", hour + dt.timedelta(minutes=2), 7, 2000))
    not_landed = batch("psm", hour + dt.timedelta(minutes=70), 5, 3000)
    store(archive, None, not_landed)          # archived, never landed: the database misses a batch
    remove(archive, lost_file)                # landed, its archive file gone

    end = hour + dt.timedelta(hours=3)
    r = check(test_db, env, hour, end)
    assert r.returncode == 6, r.stdout + r.stderr
    assert "3 hour(s) checked, 15 difference(s)" in r.stdout
    with connect() as conn:
        got = results(conn, hour, end)
        assert got[(hour, "bsm")] == (7, 7, 17, 0, 10), "the lost file's 10 messages, nothing else"
        assert got[(hour + dt.timedelta(hours=1), "psm")] == (5, 5, 0, 5, 0), "the batch that never landed"
        assert sum(v[3] + v[4] for v in got.values()) == 15, "no other difference"
        log = conn.execute("SELECT issue_type, severity, (metadata ->> 'count')::int, data_time FROM tsi.data_quality_log"
                           " WHERE issue_type LIKE 'archive%%' AND data_time >= %s AND data_time < %s ORDER BY data_time",
                           (hour, end)).fetchall()
        assert log == [("archive_bsm_not_in_archive", "error", 10, hour),
                       ("archive_psm_not_in_database", "error", 5, hour + dt.timedelta(hours=1))]
        examples = conn.execute("SELECT examples FROM tsi.archive_consistency WHERE hour = %s AND msg_type = 'psm'",
                                (hour + dt.timedelta(hours=1),)).fetchone()
        assert examples is not None and len(examples[0]["not_in_database"]) == 5
        status = dict(conn.execute("SELECT msg_type, differences FROM tsi.archive_consistency_status").fetchall())
        assert status["bsm"] >= 10 and status["psm"] >= 5, "the monitoring's view counts them"

    # the missing batch lands (as a backfill would): checked again, only the lost file remains
    collector_db.land(not_landed)
    r = check(test_db, env, hour, end)
    assert r.returncode == 6 and "3 hour(s) checked, 10 difference(s)" in r.stdout, r.stdout + r.stderr
    with connect() as conn:
        assert results(conn, hour, end)[(hour + dt.timedelta(hours=1), "psm")] == (5, 5, 5, 0, 0)


def test_check_consistency_refuses_bad_arguments(test_db: str, tmp_path: Path) -> None:
    r = check(test_db, {"COLLECTOR_ARCHIVE_DIR": str(tmp_path)}, dt.datetime(2030, 1, 2, tzinfo=dt.timezone.utc),
              dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
    assert r.returncode == 2 and "--from must be before --to" in r.stderr


# --- lifecycle -----------------------------------------------------------------------------------

def run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os
    return subprocess.run([*COLLECTOR, *cmd], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120)


def test_lifecycle_rules_are_set_on_the_bucket_once(gcs_emulator: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    env = {"STORAGE_EMULATOR_HOST": "http://" + gcs_emulator, "GCS_BUCKET": "archive"}
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", env["STORAGE_EMULATOR_HOST"])
    bucket = GcsArchive("archive").bucket
    r = run(["archive-lifecycle"], env)
    assert r.returncode == 0 and "lifecycle rules set" in r.stdout, r.stdout + r.stderr
    bucket.reload()
    assert [dict(x) for x in bucket.lifecycle_rules] == RULES
    assert RULES[0]["condition"] == {"age": 30, "matchesPrefix": ["raw/"]}
    generation = bucket.metageneration
    r = run(["archive-lifecycle"], env)
    assert r.returncode == 0 and "already in place" in r.stdout, r.stdout + r.stderr
    bucket.reload()
    assert bucket.metageneration == generation, "run again: the bucket is not patched"


def test_lifecycle_of_a_local_archive_deletes_old_processed_files_only(tmp_path: Path) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    old, recent = today - dt.timedelta(days=740), today - dt.timedelta(days=40)
    files = [f"processed/features/{old:%Y/%m/%d}/features_{old}.parquet",
             f"processed/indices/{recent:%Y/%m/%d}/indices_{recent}.parquet",
             f"raw/bsm/{old:%Y/%m/%d}/bsm_{old}_000000.parquet",
             f"raw/bsm/{recent:%Y/%m/%d}/bsm_{recent}_000000.parquet"]
    for f in files:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_bytes(b"x")
    r = run(["archive-lifecycle"], {"COLLECTOR_ARCHIVE_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert f"deleted {files[0]}" in r.stdout and "past 30 days: 2, past 365 days: 1" in r.stdout, r.stdout
    assert [f for f in files if (tmp_path / f).exists()] == files[1:], "raw/ files are never deleted"


# --- export --------------------------------------------------------------------------------------

PARTITIONS = ("SELECT relname FROM pg_class WHERE relnamespace = 'tsi'::regnamespace AND relkind = 'r'"
              " AND relname ~ '^(features_minute|safety_indices_realtime)_\\d{8}$'")


@pytest.fixture
def exported_day(connect: Connect) -> Iterator[tuple[dt.date, int]]:
    """Features and 1-minute indices of an intersection of its own (America/New_York) around a
    finished local day: two rows inside the local day, one on each side just outside."""
    day = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=3)
    ix = random.randrange(60_000, 65_000)  # intersection ids are 0–65535
    midnight = dt.datetime.combine(day, dt.time(5), dt.timezone.utc)  # 00:00 EST
    minutes = [midnight - dt.timedelta(minutes=1), midnight, midnight + dt.timedelta(hours=23, minutes=59),
               midnight + dt.timedelta(hours=24)]
    with connect(autocommit=True) as conn:
        before = set(conn.execute(PARTITIONS).fetchall())
        conn.execute("SELECT tsi.create_daily_partitions(p, %s, %s) FROM unnest(ARRAY['tsi.features_minute',"
                     " 'tsi.safety_indices_realtime']::regclass[]) AS p", (day - dt.timedelta(days=1), day + dt.timedelta(days=1)))
        conn.execute("INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (%s, 'export', 10, 10)", (ix,))
        for i, m in enumerate(minutes):
            conn.execute("INSERT INTO tsi.features_minute (intersection_id, minute, bsm_count, psm_count, traffic_volume,"
                         " vru_count, speed_n, speed_sum, speed_sum_sq, hard_braking_count, vru_event_count,"
                         " vehicle_event_count) VALUES (%s, %s, %s, 0, 1, 0, 1, 5, 25, 0, 0, 0)", (ix, m, i + 1))
            conn.execute("INSERT INTO tsi.safety_indices_realtime (intersection_id, timestamp, combined_index,"
                         " traffic_volume, hour_of_day, day_of_week, formula_version)"
                         " VALUES (%s, %s, %s, 1, 0, 0, (SELECT min(formula_version) FROM tsi.formula_config))",
                         (ix, m, 10.0 * i))
    yield day, ix
    with connect(autocommit=True) as conn:
        conn.execute("DELETE FROM tsi.intersections WHERE id = %s", (ix,))
        for (name,) in set(conn.execute(PARTITIONS).fetchall()) - before:  # the schema stays as deployed
            conn.execute(f"DROP TABLE tsi.{name}")


@pytest.mark.parametrize("target", ["local", "gcs"])
def test_export_writes_each_finished_local_day_once(
        target: str, exported_day: tuple[dt.date, int], test_db: str, tmp_path: Path, connect: Connect,
        request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    day, ix = exported_day
    env = {"TSDB_EXPORT_DATABASE_URL": f"dbname={test_db} user=analyst"}
    if target == "local":
        env["COLLECTOR_ARCHIVE_DIR"] = str(tmp_path / "archive")
        archive: Archive = LocalArchive(tmp_path / "archive")
    else:
        env |= {"STORAGE_EMULATOR_HOST": "http://" + request.getfixturevalue("gcs_emulator"), "GCS_BUCKET": "archive"}
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", env["STORAGE_EMULATOR_HOST"])
        archive = GcsArchive("archive")
    features = f"processed/features/{day:%Y/%m/%d}/features_{day}.parquet"
    indices = f"processed/indices/{day:%Y/%m/%d}/indices_{day}.parquet"
    today = dt.datetime.now(dt.timezone.utc).date()

    r = run(["export", "--from", str(day), "--to", str(today)], env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"written  {features}" in r.stdout and f"written  {indices}" in r.stdout
    assert f"features_{today}" not in r.stdout, "today is not finished"
    f = pq.read_table(io.BytesIO(archive.read(features))).to_pylist()
    mine = [row for row in f if row["intersection_id"] == ix]
    assert [row["bsm_count"] for row in mine] == [2, 3], "the local day's minutes, not those beside it"
    i = pq.read_table(io.BytesIO(archive.read(indices))).to_pylist()
    assert [row["combined_index"] for row in i if row["intersection_id"] == ix] == [10.0, 20.0]
    before = archive.read(features)

    with connect(autocommit=True) as conn:   # the database changes; the export is not replaced
        conn.execute("UPDATE tsi.features_minute SET bsm_count = 99 WHERE intersection_id = %s", (ix,))
    r = run(["export", "--from", str(day)], env)
    assert r.returncode == 0 and f"exists   {features} (kept)" in r.stdout, r.stdout + r.stderr
    assert archive.read(features) == before

    old = today - dt.timedelta(days=400)
    r = run(["export", "--from", str(old)], env)
    assert r.returncode == 0 and "no rows" in r.stdout, r.stdout + r.stderr
    with pytest.raises(Exception):
        archive.read(f"processed/features/{old:%Y/%m/%d}/features_{old}.parquet")


def test_the_scheduled_check_records_the_last_finished_hours_and_stops_on_sigterm(
        test_db: str, tmp_path: Path, connect: Connect) -> None:
    import os
    import signal
    import time
    with connect() as conn:
        started = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    last = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    proc = subprocess.Popen([*COLLECTOR, "check-consistency", "--every", "600", "--lag", "0h", "--hours", "2"], cwd=ROOT,
                            env={**os.environ, "TSDB_DATABASE_URL": f"dbname={test_db} user=collector",
                                 "COLLECTOR_ARCHIVE_DIR": str(tmp_path / "empty")},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        with connect(autocommit=True) as conn:
            while True:
                hours = [h for (h,) in conn.execute("SELECT DISTINCT hour FROM tsi.archive_consistency"
                                                    " WHERE checked_at >= %s ORDER BY 1", (started,))]
                if hours or time.monotonic() > deadline or proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert hours == [last - dt.timedelta(hours=1), last], "the last two finished hours (lag 0)"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, proc.stdout.read() if proc.stdout else ""
    finally:
        if proc.poll() is None:
            proc.kill()
        with connect(autocommit=True) as conn:  # other tests' live hours, compared with an empty archive
            conn.execute("DELETE FROM tsi.archive_consistency WHERE checked_at >= %s", (started,))
            conn.execute("DELETE FROM tsi.data_quality_log WHERE issue_type LIKE 'archive%%' AND timestamp >= %s",
                         (started,))
