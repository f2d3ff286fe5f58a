"""`collector run` as a real process against the simulator (HTTP + WebSocket), the real test
database and a local or GCS (emulator) archive: what is archived is exactly what lands, malformed
messages are quarantined while the loop goes on, an unavailable database or GCS only delays its
own writes (spooled, then drained), and SIGKILL loses and doubles nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from collector.archive import Archive, GcsArchive, LocalArchive, days, from_parquet
from collector.messages import Batch
from collector_fixtures import (  # noqa: F401  (fixtures)
    RunCollector, Sim, TcpProxy, collector_env, fresh_site, gcs_emulator, run_collector, start_sim, wait_until,
)

Connect = Callable[..., psycopg.Connection]


def archived(archive: Archive) -> list[tuple[str, Batch]]:
    today = dt.datetime.now(dt.timezone.utc)
    return [(name, from_parquet(archive.read(name))) for kind in ("bsm", "psm", "mapdata", "spat")
            for day in days(today - dt.timedelta(days=1), today) for name in archive.list(kind, day)]


def bsm_keys(batches: list[tuple[str, Batch]], rsu: str) -> set[tuple[int, int, int, int]]:
    """De-duplication keys of the valid BSMs of one simulated RSU in the archive."""
    keys = set()
    for _, b in batches:
        for m in b.messages:
            try:
                msg = json.loads(m.raw)
                c = msg["bsmJson"]["coreData"]
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
            if msg.get("rsuName") == rsu:
                keys.add((c["id"], c["msgCnt"], c["secMark"], msg["timestamp"] // 1000))
    return keys


def check_archive_equals_database(connect: Connect, batches: list[tuple[str, Batch]], rsu: str) -> None:
    ids = [b.batch_id for _, b in batches]
    assert len(ids) == len(set(ids)), "no batch archived twice"
    with connect() as conn:
        landed = dict(conn.execute("SELECT batch_id, received FROM tsi.landed_batches WHERE batch_id = ANY (%s)",
                                   (ids,)).fetchall())
        in_db = conn.execute("SELECT count(*) FROM tsi.bsm_messages WHERE rsu_name = %s", (rsu,)).fetchone()[0]
    assert set(landed) == set(ids), "every archived batch landed"
    # a batch landed again after a crash counts its messages again (as duplicates): at least once each
    assert all(landed[b.batch_id] >= len(b.messages) for _, b in batches)
    keys = bsm_keys(batches, rsu)
    assert keys and in_db == len(keys), "each archived vehicle message is in the database exactly once"


def summaries(text: str) -> list[dict[str, object]]:
    return [e for e in map(json.loads, text.splitlines()) if e.get("event") in ("cycle", "stopped")]


def test_stream_run_archives_and_lands_the_same_messages_and_quarantines_malformed_ones(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "5", "--seed", "21")
    proc = run_collector(collector_env(test_db, sim, tmp_path), tmp_path / "collector.log")
    wait_until(lambda: (tmp_path / "archive" / "raw" / "bsm").exists(), 30, "the first archived batch")
    for kind in ("bad_json", "missing_id", "sentinel_speed", "wrong_type"):
        sim.control("inject", type="bsm", kind=kind)
    sim.control("inject", type="psm", kind="sentinel_speed")
    time.sleep(3)
    assert proc.stop() == 0, proc.text()

    batches = archived(LocalArchive(tmp_path / "archive"))
    check_archive_equals_database(connect, batches, rsu)
    assert {b.msg_type for _, b in batches} == {"bsm", "psm", "mapdata", "spat"}
    with connect() as conn:
        reasons = {r for (r,) in conn.execute(
            "SELECT reason FROM tsi.quarantine WHERE batch_id = ANY (%s)", ([b.batch_id for _, b in batches],))}
    assert reasons == {"not_an_object", "missing_id", "invalid_speed", "invalid_sec_mark"}
    events = summaries(proc.text())
    assert events[-1]["event"] == "stopped" and events[-1]["spooled"] == 0
    assert {"received", "duplicates", "archived", "landed", "quarantined", "spooled"} <= events[0].keys()
    assert sum(e["quarantined"] for e in events) == 5
    assert sum(e["received"] for e in events) == sum(e["archived"] for e in events) \
        == sum(len(b.messages) for _, b in batches)
    assert "simulator-secret" not in proc.text(), "secrets are never logged"
    assert not list((tmp_path / "spool").iterdir())


def test_poll_run_lands_repeated_snapshots_once(start_sim: Callable[..., Sim], test_db: str, tmp_path: Path,
                                                connect: Connect,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "4", "--seed", "22")
    proc = run_collector(collector_env(test_db, sim, tmp_path, VCC_POLL_INTERVAL_S="1"),
                            tmp_path / "collector.log", "--poll")
    time.sleep(5)
    assert proc.stop() == 0, proc.text()
    batches = archived(LocalArchive(tmp_path / "archive"))
    check_archive_equals_database(connect, batches, rsu)
    assert sum(e["duplicates"] for e in summaries(proc.text())) > 0, "a snapshot polled again is a duplicate"


def test_database_down_spools_then_drains(start_sim: Callable[..., Sim], test_db: str, tmp_path: Path,
                                          connect: Connect,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "4", "--seed", "23")
    proxy = TcpProxy(f"{os.environ['PGHOST']}/.s.PGSQL.{os.environ['PGPORT']}")
    proxy.down()
    env = collector_env(test_db, sim, tmp_path,
                        TSDB_DATABASE_URL=f"host=127.0.0.1 port={proxy.port} dbname={test_db} user=collector")
    proc = run_collector(env, tmp_path / "collector.log")
    archive = LocalArchive(tmp_path / "archive")
    wait_until(lambda: len(archived(archive)) >= 6, 30, "batches archived while the database is down")
    spooled = list((tmp_path / "spool").glob("*.parquet"))
    assert spooled, "undelivered batches wait in the spool"
    with connect() as conn:
        ids = [b.batch_id for _, b in archived(archive)]
        assert conn.execute("SELECT count(*) FROM tsi.landed_batches WHERE batch_id = ANY (%s)", (ids,)).fetchone()[0] == 0
    proxy.up()
    time.sleep(2)
    wait_until(lambda: not list((tmp_path / "spool").glob("*.parquet")), 60, "the spool to drain")
    assert proc.stop() == 0, proc.text()
    check_archive_equals_database(connect, archived(archive), rsu)
    assert any(e["spooled"] > 0 for e in summaries(proc.text())), "the summary reported the spooled messages"


def test_gcs_down_spools_then_drains_while_landing_goes_on(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect, gcs_emulator: str,
        monkeypatch: pytest.MonkeyPatch,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "4", "--seed", "24")
    host, port = gcs_emulator.split(":")
    proxy = TcpProxy((host, int(port)))
    proxy.down()
    emulator = f"http://127.0.0.1:{proxy.port}"
    env = collector_env(test_db, sim, tmp_path, GCS_BUCKET="archive", STORAGE_EMULATOR_HOST=emulator,
                        COLLECTOR_SINK_ALERT_S="3")
    t0 = time.time()
    proc = run_collector(env, tmp_path / "collector.log")
    with connect() as conn:
        def landed() -> int:
            return conn.execute("SELECT count(*) FROM tsi.landed_batches WHERE landed_at >= to_timestamp(%s)",
                                (t0,)).fetchone()[0]
        wait_until(lambda: landed() >= 6, 30, "batches landed while GCS is down")
    wait_until(lambda: '"sink failing"' in proc.text(), 20, "the archive's outage logged")
    assert any(e["event"] == "sink failing" and e["sink"] == "archive" and e["level"] == "error"
               for e in map(json.loads, proc.text().splitlines()))
    proxy.up()
    # within seconds of GCS's return (the client library's own retries once took up to a minute)
    wait_until(lambda: '"sink recovered"' in proc.text(), 10, "the archive to recover")
    wait_until(lambda: not list((tmp_path / "spool").glob("*.parquet")), 60, "the spool to drain")
    assert proc.stop() == 0, proc.text()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator)
    check_archive_equals_database(connect, archived(GcsArchive("archive")), rsu)


def test_sigkill_mid_batch_then_restart_loses_and_doubles_nothing(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "6", "--seed", "25")
    env = collector_env(test_db, sim, tmp_path, COLLECTOR_BATCH_S="0.3")
    spool = tmp_path / "spool"
    left_behind = 0
    for _ in range(3):  # killed three times, each while a batch is in flight
        proc = run_collector(env, tmp_path / "collector.log")
        time.sleep(1.5)
        wait_until(lambda: list(spool.glob("*.parquet")), 20, "a batch in flight", interval=0.01)
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL
        left_behind += len(list(spool.glob("*.parquet")))
    assert left_behind, "the kills caught batches not yet written everywhere"
    started = proc.text().count('"collector started"')
    proc = run_collector(env, tmp_path / "collector.log")
    # Stopped only once it runs (its SIGTERM handler is in place: a SIGTERM during the imports
    # kills it) and once vehicle messages reached the archive (on a busy machine the kills can
    # all fall before the first vehicle batch).
    wait_until(lambda: proc.text().count('"collector started"') > started
               and (tmp_path / "archive" / "raw" / "bsm").exists(), 30, "the restarted collector, a vehicle batch")
    assert proc.stop() == 0, proc.text()
    assert "draining the spool first" in proc.text()
    assert not list(spool.glob("*.parquet"))
    check_archive_equals_database(connect, archived(LocalArchive(tmp_path / "archive")), rsu)
