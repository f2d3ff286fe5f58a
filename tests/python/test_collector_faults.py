"""Fault injection (issue 19): `collector run` as a real process against the simulator, the test
database and a local archive, counted against the simulator's ground truth (--sent-log: every
stream frame it sent). Each finding of the issue has its test: a full spool, broken frames, an
unreadable or for-good failing spool entry, a storm of 401s, sink outages and the drain at stop;
plus kills and restarts that must lose nothing acknowledged, the supervisor of `make up`, and
/metrics serving real values."""

from __future__ import annotations

import json
import os
import re
import signal
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from collector.archive import SCHEMA, LocalArchive, to_parquet
from collector.db import with_defaults
from collector.messages import Batch, Message
from collector.vcc import now_utc
from collector_fixtures import (  # noqa: F401  (fixtures)
    ROOT, RunCollector, Sim, TcpProxy, collector_env, free_port, fresh_site, run_collector, start_sim, wait_until,
)
from test_collector_run import archived, bsm_keys, check_archive_equals_database, summaries

Connect = Callable[..., psycopg.Connection]


def sent(log: Path, before: float | None = None) -> list[tuple[str, str]]:
    """(kind, text) of every item the simulator sent in a list frame (before a wall time); the
    frames a test injects as they are are checked by that test."""
    out = []
    for line in log.read_text().splitlines():
        e = json.loads(line)
        if before is None or e["t"] < before:
            out += [(e["kind"], t) for t in e.get("items", [])]
    return out


def archived_texts(tmp_path: Path) -> list[str]:
    return [m.raw for _, b in archived(LocalArchive(tmp_path / "archive")) for m in b.messages]


def check_sent_all_archived(log: Path, tmp_path: Path, until: float, skip: Callable[[str], bool] = lambda t: False) -> int:
    """Every item sent before `until` is in the archive with its exact text, once; returns how many."""
    texts = archived_texts(tmp_path)
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    items = [t for _, t in sent(log, until) if not skip(t)]
    missing = [t[:120] for t in items if t not in counts]
    assert not missing, f"{len(missing)} of {len(items)} sent items not archived, e.g. {missing[:3]}"
    assert all(counts[t] == 1 for t in items), "no sent item archived twice"
    return len(items)


def a_valid_bsm(log: Path, rsu: str) -> dict[str, object]:
    for kind, text in sent(log):
        msg = json.loads(text)
        if kind == "bsm" and msg.get("rsuName") == rsu:
            return msg
    raise AssertionError("no BSM sent yet")


def metric(text: str, name: str, **labels: str) -> float:
    sel = ",".join(f'{k}="{v}"' for k, v in labels.items())
    m = re.search(rf"^{re.escape(name)}{{{re.escape(sel)}}} (\S+)$" if sel else rf"^{re.escape(name)} (\S+)$",
                  text, re.M)
    assert m, f"{name}{{{sel}}} not in /metrics"
    return float(m.group(1))


@pytest.fixture
def sim_log(tmp_path: Path) -> Path:
    return tmp_path / "sent.jsonl"


def test_broken_frames_are_quarantined_while_valid_messages_land_and_the_stream_goes_on(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect, sim_log: Path,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "3", "--seed", "31", "--sent-log", str(sim_log))
    port = free_port()
    proc = run_collector(collector_env(test_db, sim, tmp_path, COLLECTOR_MAX_MESSAGE_CHARS="50000",
                                       TSDB_COLLECTOR_METRICS_PORT=str(port)), tmp_path / "collector.log")
    wait_until(lambda: (tmp_path / "archive" / "raw" / "bsm").exists(), 30, "the first archived batch")
    base = a_valid_bsm(sim_log, rsu)

    def variant(n: int, extra: str = "") -> str:
        m = json.loads(json.dumps(base))
        m["bsmJson"]["coreData"]["id"] = 900_000_000 + n  # type: ignore[index]
        if extra:  # quarantined: not one of the RSU's valid messages
            m["rsuName"] = "Quarantined"
        text = json.dumps(m)
        return text[:-1] + extra + "}" if extra else text

    run = uuid.uuid4().hex  # the quarantine keeps one row per distinct payload: this run's own
    deep = f'["{run}",' + "[" * 5000 + "]" * 5000 + "]"
    huge = '{"big": "' + run + "x" * 60_000 + '"}'
    digits = f'{{"run": "{run}", "n": ' + "7" * 5000 + "}"
    bad = f'{{"run": "{run}", "bad":,}}'
    binary = b'\xff\xfe[{"not": "utf-8", "run": "' + run.encode() + b'"}]'
    mixed = "[" + ",".join([variant(1), bad, digits, variant(2), variant(3, f', "run": "{run}", "tiny": 1e-20000'),
                            deep, variant(4)]) + "]"
    frames = [("deep", deep.encode(), "0"), ("binary", binary, "1"),
              ("huge", ("[" + huge + "]").encode(), "0"), ("mixed", mixed.encode(), "0")]
    t_inject = time.time()
    for _, body, is_binary in frames:  # each a frame of its own
        httpx.post(f"{sim.url}/sim/inject", params={"type": "bsm", "frame": "1", "binary": is_binary}, content=body,
                   timeout=5).raise_for_status()
    time.sleep(4)
    assert proc.proc.poll() is None, proc.text()
    page = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    until = time.time() - 1
    assert proc.stop() == 0, proc.text()

    # The stream went on after the broken frames: BSMs sent well after them were archived.
    later = [t for k, t in sent(sim_log, until) if k == "bsm" and json.loads(t).get("rsuName") == rsu
             and json.loads(t)["timestamp"] / 1000 > t_inject + 2]
    assert later, "the simulator went on sending"
    texts = archived_texts(tmp_path)
    assert all(t in texts for t in later), "BSMs after the broken frames were collected"

    # Every item of every frame is in the archive with its exact text (the huge one as its head).
    n = check_sent_all_archived(sim_log, tmp_path, until, skip=lambda t: len(t) > 50_000)
    assert n > 10
    assert variant(3, f', "run": "{run}", "tiny": 1e-20000') in texts, "1e-20000 archived as received, not as 0.0"
    assert digits in texts and deep in texts and run in texts and "[" * 5000 + "]" * 5000 in texts
    assert binary.decode("utf-8", "backslashreplace") in texts, "a binary frame that is no UTF-8 keeps its bytes, escaped"
    assert any(t.startswith(f"[collector: message of {len(huge)} characters") and len(t) < 1200 for t in texts)

    check_archive_equals_database(connect, archived(LocalArchive(tmp_path / "archive")), rsu)
    with connect() as conn:
        landed_ids = {i for (i,) in conn.execute(
            "SELECT vehicle_id FROM tsi.bsm_messages WHERE vehicle_id BETWEEN 900000000 AND 900000009"
            " AND rsu_name = %s", (rsu,))}
        quarantined = [p for (p,) in conn.execute(
            "SELECT payload #>> '{}' FROM tsi.quarantine WHERE payload::text LIKE %s", (f"%{run}%",))]
    assert landed_ids == {900_000_001, 900_000_002, 900_000_004}, "the valid messages of the mixed frame landed"
    q = "\n".join(quarantined)
    for piece in (bad, "7" * 5000, variant(3, f', "run": "{run}", "tiny": 1e-20000'),
                  binary.decode("utf-8", "backslashreplace"), f"[collector: message of {len(huge)}"):
        assert piece in q, f"{piece[:30]} in the quarantine"
    log = proc.text()
    assert "loop failed" not in log
    # /metrics served real values while collecting
    assert metric(page, "tsdb_collector_received_messages_total", msg_type="bsm") > 20
    assert metric(page, "tsdb_collector_landed_messages_total", msg_type="bsm") > 0
    assert metric(page, "tsdb_collector_archive_uploads_total", result="ok") > 0
    assert metric(page, "tsdb_collector_malformed_messages_total", reason="not_utf8") == 1
    assert metric(page, "tsdb_collector_malformed_messages_total", reason="too_large") == 1
    assert metric(page, "tsdb_collector_malformed_messages_total", reason="unparsable") >= 3
    assert metric(page, "tsdb_collector_quarantined_messages_total", msg_type="bsm") >= 6
    assert metric(page, "tsdb_collector_token_refreshes_total") >= 1
    assert metric(page, "tsdb_collector_spool_batches") >= 0
    assert metric(page, "tsdb_collector_up") == 1


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs: a file system that really fills up (needs root, as in the test machine)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


class Filler(threading.Thread):
    """Keeps a file system full: grabs every block freed (the workers delete spool entries)."""

    def __init__(self, fs: Path):
        super().__init__(daemon=True)
        self.path, self.done = fs / "filler", threading.Event()
        self.start()
        wait_until(lambda: shutil.disk_usage(fs).free < 8192, 10, "the file system to fill")

    def run(self) -> None:
        with open(self.path, "wb", buffering=0) as f:
            while not self.done.is_set():
                try:
                    f.write(b"\0" * 4096)
                except OSError:
                    time.sleep(0.005)

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.path.unlink()


def test_full_spool_keeps_messages_buffered_and_resumes_when_space_returns(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect, sim_log: Path, tiny_fs: Path,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "4", "--seed", "32", "--sent-log", str(sim_log))
    env = collector_env(test_db, sim, tmp_path, COLLECTOR_SPOOL_DIR=str(tiny_fs / "spool"))
    proc = run_collector(env, tmp_path / "collector.log")
    wait_until(lambda: (tmp_path / "archive" / "raw" / "bsm").exists(), 30, "the first archived batch")
    filler = Filler(tiny_fs)
    wait_until(lambda: "cannot write the spool" in proc.text(), 15, "the spool error")
    time.sleep(6)  # messages keep arriving while nothing can be spooled
    full_events = [e for e in map(json.loads, proc.text().splitlines()) if e["event"] == "cannot write the spool; "
                   "messages stay buffered and the write is retried"]
    assert full_events[0]["level"] == "error" and max(e["buffered"] for e in full_events) > 0
    filler.stop()
    wait_until(lambda: "spool writable again" in proc.text(), 15, "the spool to be written again")
    time.sleep(2)
    until = time.time() - 1
    assert proc.stop() == 0, proc.text()
    check_sent_all_archived(sim_log, tmp_path, until)
    check_archive_equals_database(connect, archived(LocalArchive(tmp_path / "archive")), rsu)

    # A buffer too small for the outage: what is dropped is counted, logged, and the exit code says so.
    env2 = collector_env(test_db, sim, tmp_path / "2", COLLECTOR_SPOOL_DIR=str(tiny_fs / "spool2"),
                         COLLECTOR_BUFFER_MAX="30")
    proc2 = run_collector(env2, tmp_path / "collector2.log")
    wait_until(lambda: '"collector started"' in proc2.text(), 30, "the second collector")
    filler = Filler(tiny_fs)
    wait_until(lambda: "dropping received messages" in proc2.text(), 20, "messages dropped")
    rc = proc2.stop()
    filler.stop()
    assert rc == 5, proc2.text()
    lost = [e for e in map(json.loads, proc2.text().splitlines()) if e["event"].startswith("messages were lost")]
    assert lost and lost[0]["level"] == "error" and sum(lost[0]["dropped"].values()) > 0


def spool_entry(path: Path, messages: list[Message], msg_type: str = "bsm") -> Path:
    batch = Batch(uuid.uuid4(), msg_type, messages)
    entry = path / f"{time.time_ns():020d}_{msg_type}_{batch.batch_id}.parquet"
    entry.write_bytes(to_parquet(batch))
    return entry


def test_unreadable_and_for_good_failing_spool_entries_are_set_aside_without_blocking_the_rest(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "3", "--seed", "33")
    spool = tmp_path / "spool"
    spool.mkdir()
    mk = lambda i: Message("bsm", now_utc(), json.dumps({"not": "a bsm", "i": i}))  # noqa: E731  (quarantined)
    good1 = spool_entry(spool, [mk(1)])
    truncated = spool_entry(spool, [mk(2)] * 50)
    truncated.write_bytes(truncated.read_bytes()[:300])
    # received_at NULL: the archive takes it, the database refuses it every time (NOT NULL)
    bad_id = uuid.uuid4()
    table = pa.table({"msg_type": ["bsm", "bsm"],
                      "received_at": pa.array([now_utc(), None], pa.timestamp("us", tz="UTC")),
                      "payload": ['{"i": 3}', '{"i": 5}']},
                     schema=pa.schema([f.with_nullable(True) for f in SCHEMA]).with_metadata(
                         {"batch_id": str(bad_id), "msg_type": "bsm"}))
    failing = spool / f"{time.time_ns():020d}_bsm_{bad_id}.parquet"
    pq.write_table(table, failing)
    good2 = spool_entry(spool, [mk(4)])
    ids = [uuid.UUID(p.name.split("_")[2].removesuffix(".parquet")) for p in (good1, good2)]
    proc = run_collector(collector_env(test_db, sim, tmp_path, COLLECTOR_REJECT_AFTER="2"), tmp_path / "collector.log")
    rejected = spool / "rejected"
    wait_until(lambda: (rejected / (failing.name + ".db.reason")).exists(), 40, "the failing batch set aside")
    wait_until(lambda: bsm_keys(archived(LocalArchive(tmp_path / "archive")), rsu), 30, "live BSMs archived")
    wait_until(lambda: not list(spool.glob("*.parquet")), 20, "the spool to drain")
    assert proc.stop() == 0, proc.text()
    assert (rejected / truncated.name).exists() and "unreadable" in (rejected / (truncated.name + ".all.reason")).read_text()
    assert "NotNull" in (rejected / (failing.name + ".db.reason")).read_text() or \
        "null value" in (rejected / (failing.name + ".db.reason")).read_text()
    with connect() as conn:
        landed = {i for (i,) in conn.execute("SELECT batch_id FROM tsi.landed_batches WHERE batch_id = ANY (%s)",
                                             (ids + [bad_id],))}
    assert landed == set(ids), "the entries behind the bad ones landed"
    in_archive = {b.batch_id for _, b in archived(LocalArchive(tmp_path / "archive"))}
    assert set(ids) | {bad_id} <= in_archive, "the batch the database refuses is still archived"
    log = [json.loads(line) for line in proc.text().splitlines()]
    assert any(e["event"] == "spool entry set aside" and e["level"] == "error" for e in log)
    assert any(e["event"] == "batch set aside" and e["level"] == "error" for e in log)
    assert sum(e.get("rejected", 0) for e in summaries(proc.text())) == 2
    check_archive_equals_database(connect, [x for x in archived(LocalArchive(tmp_path / "archive"))
                                            if x[1].batch_id != bad_id], rsu)


def test_a_storm_of_401s_is_retried_and_wrong_credentials_still_exit_3_at_once(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect, sim_log: Path,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "3", "--seed", "34", "--sent-log", str(sim_log))
    proc = run_collector(collector_env(test_db, sim, tmp_path, VCC_AUTH_RETRY_S="60"), tmp_path / "collector.log")
    short = run_collector(collector_env(test_db, sim, tmp_path / "short", VCC_AUTH_RETRY_S="3"),
                          tmp_path / "short.log")
    wait_until(lambda: (tmp_path / "archive" / "raw" / "bsm").exists()
               and (tmp_path / "short" / "archive" / "raw" / "bsm").exists(), 30, "both collecting")
    sim.control("auth-outage", seconds="12")
    sim.control("drop-streams")  # reconnecting needs a stream key: 401
    t_end = time.time() + 12
    wait_until(lambda: short.proc.poll() is not None, 30, "the collector with a 3 s retry period to give up")
    assert short.proc.returncode == 3, short.text()
    assert proc.proc.poll() is None, proc.text()
    wait_until(lambda: any(k == "bsm" and json.loads(t)["timestamp"] / 1000 > t_end + 1 for k, t in sent(sim_log)),
               30, "streams again after the storm")
    time.sleep(3)
    until = time.time() - 1
    assert proc.stop() == 0, proc.text()
    assert '"VCC refused authentication' in proc.text() or "VCC refused authentication" in proc.text()
    # both collectors landed the same RSU: the database holds the union of their archives, once
    check_archive_equals_database(connect, archived(LocalArchive(tmp_path / "archive"))
                                  + archived(LocalArchive(tmp_path / "short" / "archive")), rsu)
    texts = set(archived_texts(tmp_path))
    after = [t for k, t in sent(sim_log, until) if k == "bsm" and json.loads(t)["timestamp"] / 1000 > t_end + 1]
    assert after and all(t in texts for t in after), "what was sent after the storm was collected"

    wrong = run_collector(collector_env(test_db, sim, tmp_path / "wrong", VCC_CLIENT_SECRET="wrong"),
                          tmp_path / "wrong.log")
    t0 = time.monotonic()
    assert wrong.proc.wait(timeout=30) == 3, wrong.text()
    assert time.monotonic() - t0 < 15


def test_sink_outage_is_logged_after_the_alert_time_and_recovers_within_seconds_and_drain_fits_the_grace(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "3", "--seed", "35")
    proxy = TcpProxy(f"{os.environ['PGHOST']}/.s.PGSQL.{os.environ['PGPORT']}")
    env = collector_env(test_db, sim, tmp_path, COLLECTOR_SINK_ALERT_S="3", COLLECTOR_DRAIN_S="6",
                        TSDB_DATABASE_URL=f"host=127.0.0.1 port={proxy.port} dbname={test_db} user=collector")
    proc = run_collector(env, tmp_path / "collector.log")
    wait_until(lambda: '"landed"' in proc.text() and (tmp_path / "archive" / "raw" / "bsm").exists(), 30, "collecting")
    proxy.down()
    wait_until(lambda: '"sink failing"' in proc.text(), 20, "the sink alert")
    alert = next(e for e in map(json.loads, proc.text().splitlines()) if e["event"] == "sink failing")
    assert alert["level"] == "error" and alert["sink"] == "db"
    time.sleep(2)
    proxy.up()
    t_up = time.monotonic()
    wait_until(lambda: '"sink recovered"' in proc.text(), 20, "the database sink to recover")
    assert time.monotonic() - t_up < 8, "recovered within seconds of the database's return"
    wait_until(lambda: not list((tmp_path / "spool").glob("*.parquet")), 20, "the spool to drain")

    # Stopping with the database away: the drain gives up in time for make down's 10 s grace.
    proxy.down()
    time.sleep(2)
    t0 = time.monotonic()
    rc = proc.stop(timeout=30)
    assert time.monotonic() - t0 < 9.5, "the drain fits in the stop grace"
    assert rc == 4, proc.text()
    proxy.up()
    # what was left is written first by the next run
    proc = run_collector(env, tmp_path / "collector.log")
    wait_until(lambda: not list((tmp_path / "spool").glob("*.parquet")), 30, "the next run to drain")
    assert proc.stop() == 0
    check_archive_equals_database(connect, archived(LocalArchive(tmp_path / "archive")), rsu)


def test_dsn_gets_keepalives_and_timeouts_unless_it_sets_its_own() -> None:
    dsn = with_defaults("dbname=x user=collector connect_timeout=3")
    assert "keepalives=1" in dsn and "keepalives_idle=30" in dsn and "tcp_user_timeout=60000" in dsn
    assert "connect_timeout=3" in dsn and "connect_timeout=10" not in dsn


def test_restarted_collector_loses_nothing_it_had_acknowledged(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, connect: Connect,
        run_collector: RunCollector) -> None:
    _, spec, rsu = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "5", "--seed", "36")
    proxy = TcpProxy(f"{os.environ['PGHOST']}/.s.PGSQL.{os.environ['PGPORT']}")
    env = collector_env(test_db, sim, tmp_path, COLLECTOR_BATCH_S="0.3",
                        TSDB_DATABASE_URL=f"host=127.0.0.1 port={proxy.port} dbname={test_db} user=collector")
    spool = tmp_path / "spool"
    acknowledged: dict[uuid.UUID, int] = {}
    for i in range(4):
        if i == 0:
            proxy.down()  # the first run's batches wait in the spool for certain
        proc = run_collector(env, tmp_path / "collector.log")
        wait_until(lambda: proc.text().count('"collector started"') > i, 30, "the collector")
        time.sleep(1 + 0.4 * i)
        wait_until(lambda: list(spool.glob("*.parquet")), 20, "a batch in flight", interval=0.005)
        assert proc.stop(signal.SIGKILL) == -signal.SIGKILL
        if i == 0:
            proxy.up()
        for entry in spool.glob("*.parquet"):  # in the spool = acknowledged
            t = pq.read_table(entry)
            acknowledged[uuid.UUID(t.schema.metadata[b"batch_id"].decode())] = t.num_rows
    assert acknowledged, "the kills caught acknowledged batches not yet written everywhere"
    started = proc.text().count('"collector started"')
    proc = run_collector(env, tmp_path / "collector.log")
    wait_until(lambda: proc.text().count('"collector started"') > started, 30, "the restarted collector")
    wait_until(lambda: not list(spool.glob("*.parquet")), 30, "the restarted collector to drain")
    assert proc.stop() == 0, proc.text()
    batches = {b.batch_id: b for _, b in archived(LocalArchive(tmp_path / "archive"))}
    assert all(i in batches and len(batches[i].messages) == n for i, n in acknowledged.items()), \
        "every acknowledged batch is archived whole"
    with connect() as conn:
        landed = {i for (i,) in conn.execute("SELECT batch_id FROM tsi.landed_batches WHERE batch_id = ANY (%s)",
                                             (list(acknowledged),))}
    assert landed == set(acknowledged), "every acknowledged batch landed"
    check_archive_equals_database(connect, list(archived(LocalArchive(tmp_path / "archive"))), rsu)


def test_supervisor_restarts_a_dead_command_and_stopping_kills_the_whole_group(tmp_path: Path) -> None:
    state, marker = tmp_path / "state", tmp_path / "runs"
    script = f"echo run >> {marker}; sleep 0.3; exit 7"
    sup = subprocess.Popen(["bash", str(ROOT / "db/scripts/supervise.sh"), str(state), "bash", "-c", script],
                           start_new_session=True)  # as svc_start's setsid
    try:
        wait_until(lambda: marker.exists() and len(marker.read_text().split()) >= 2, 15, "a restart")
        text = state.read_text()
        assert "restarts=" in text and "last_exit=7" in text
    finally:
        os.killpg(sup.pid, signal.SIGTERM)  # as svc_stop does
        sup.wait(timeout=10)
    wait_until(lambda: not subprocess.run(["pgrep", "-g", str(sup.pid)], capture_output=True).stdout, 5,
               "nothing of the group left")
    lines = len(marker.read_text().split())
    time.sleep(2)
    assert len(marker.read_text().split()) == lines, "not restarted after the stop"


def test_metrics_port_taken_is_logged_and_collection_goes_on(
        start_sim: Callable[..., Sim], test_db: str, tmp_path: Path, run_collector: RunCollector) -> None:
    _, spec, _ = fresh_site()
    sim = start_sim("--intersections", spec, "--vehicles", "2", "--seed", "37")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_collector(collector_env(test_db, sim, tmp_path, TSDB_COLLECTOR_METRICS_PORT=str(port)),
                             tmp_path / "collector.log")
        wait_until(lambda: (tmp_path / "archive" / "raw" / "bsm").exists(), 30, "collecting")
        assert proc.stop() == 0
    assert "cannot serve /metrics" in proc.text()
