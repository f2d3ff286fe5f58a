"""Benchmark of the collector (`make bench`): prints figures, asserts nothing.

1. Live throughput: the VCC simulator streams 2 Hz per vehicle for many intersections, time
   accelerated; `collector run` (a real process, archive on, local directory) lands it. Messages/s
   landed, whether the spool kept up, and the collector's resident memory (peak and at the end).
2. Collector path: spooled batches (as after a database outage) drained by `collector run`;
   msg/s next to a bare COPY of the same rows from the same files, in the same run.
3. Backfill: an archive of simulated history (generate-history's writer) is backfilled (landing
   only: Database.land_table, the typed path for BSM/PSM); rows/s next to the bare COPY of the same rows from the same
   files, in the same run. The bare COPY is the fastest this machine loads those rows: Arrow
   writes the CSV (no Python per row), into an unlogged table without indexes, on as many
   sessions as cores.

Runs against the database named by TSDB_BENCH_DB (db/scripts/bench.sh deploys a fresh one).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from collector.archive import LocalArchive, days, read_table
from collector.backfill import LANDING_SESSIONS, backfill
from collector.db import Database
from collector.sim.history import generate_history
from collector.sim.synthetic import grid_intersections

ROOT = Path(__file__).resolve().parents[2]
DB = os.environ["TSDB_BENCH_DB"]
STREAM_S = 40
INTERSECTIONS, VEHICLES, ACCEL = 40, 12, 2.0  # 40 x 12 x 2 Hz x 2 = 1 920 msg/s offered
SESSIONS = LANDING_SESSIONS  # as many as cores, for the collector, the backfill and the bare COPY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident set of a process, kB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def live(tmp: Path) -> None:
    ixs = grid_intersections(INTERSECTIONS, first_id=20_001, origin=(38.70, -77.60))
    spec = ",".join(f"{ix.id}:{ix.latitude}:{ix.longitude}" for ix in ixs)
    port = free_port()
    sim = subprocess.Popen([sys.executable, "-m", "collector.cli", "simulate", "--port", str(port), "--intersections",
                            spec, "--vehicles", str(VEHICLES), "--accel", str(ACCEL), "--seed", "99", "--profile", "flat"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "TSDB_DATABASE_URL": f"dbname={DB} user=collector", "TSDB_DB": DB,
           "VCC_BASE_URL": f"http://127.0.0.1:{port}", "VCC_CLIENT_ID": "simulator",
           "VCC_CLIENT_SECRET": "simulator-secret", "COLLECTOR_ARCHIVE_DIR": str(tmp / "live-archive"),
           "COLLECTOR_SPOOL_DIR": str(tmp / "live-spool"), "COLLECTOR_BATCH_S": "2", "VCC_POLL_INTERVAL_S": "10",
           "TSDB_COLLECTOR_METRICS_PORT": "0"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/sim/stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with psycopg.connect(dbname=DB, autocommit=True) as conn:
            before = conn.execute("SELECT coalesce(sum(received), 0) FROM tsi.landed_batches").fetchone()[0]
            generated0 = httpx.get(f"http://127.0.0.1:{port}/sim/stats").json()
            col = subprocess.Popen([sys.executable, "-m", "collector.cli", "run"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            time.sleep(STREAM_S)
            rss_now, rss_peak = rss_kb(col.pid)
            generated1 = httpx.get(f"http://127.0.0.1:{port}/sim/stats").json()
            spooled = len(list((tmp / "live-spool").glob("*.parquet")))
            col.send_signal(signal.SIGTERM)
            col.wait(timeout=120)
            elapsed = time.monotonic() - t0
            landed = conn.execute("SELECT coalesce(sum(received), 0) FROM tsi.landed_batches").fetchone()[0] - before
        offered = (generated1["bsm"] + generated1["psm"] - generated0["bsm"] - generated0["psm"]) / STREAM_S
        print(f"\nlive: simulator -> collector run -> archive + database, {INTERSECTIONS} intersections x "
              f"{VEHICLES} vehicles, 2 Hz, time x{ACCEL:g}, {STREAM_S} s")
        print(f"  offered by the simulator            {offered:>10,.0f} msg/s")
        print(f"  landed (incl. drain at SIGTERM)     {landed / elapsed:>10,.0f} msg/s   ({landed:,} messages)")
        print(f"  batches waiting in the spool at end {spooled:>10}         (0 = the collector kept up)")
        print(f"  collector resident memory           {rss_now / 1024:>10.0f} MB      peak {rss_peak / 1024:.0f} MB, "
              "target < 200 MB")
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def history(tmp: Path, name: str, first_id: int, minutes: int) -> tuple[LocalArchive, list[str], dt.datetime, dt.datetime]:
    # each section its own area, 0.1° of latitude apart (the grid spans 0.09°): with origins
    # 0.01° apart the two grids interleaved 111 m apart, and one section's vehicles were
    # assigned among the other's intersections
    ixs = grid_intersections(100, first_id=first_id, origin=(38.40 + first_id // 10_000 * 0.1, -77.90))
    archive = LocalArchive(tmp / name)
    end = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc) - dt.timedelta(days=first_id % 7)
    start = end - dt.timedelta(minutes=minutes)
    generate_history(archive, ixs, 5, start, end, vehicles=8, every_ms=2000)
    names = [name for kind in ("mapdata", "spat", "bsm", "psm") for day in days(start, end)
             for name in archive.list(kind, day)]
    return archive, names, start, end


def on_sessions(work: list[Callable[[], None]]) -> float:
    """Runs each piece of work in a thread of its own (one database session each); seconds until all are done."""
    t0 = time.monotonic()
    threads = [threading.Thread(target=w) for w in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0


def bare_copy(files: list[bytes]) -> tuple[int, float]:
    """The physical bound: the same rows from the same Parquet files, COPY'd as Arrow-written CSV
    (no Python per row) into an unlogged, unindexed table with tsi.message_staging's columns,
    on as many sessions as there are cores; (rows, seconds)."""
    with psycopg.connect(dbname=DB, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.bench_bare_copy")
        conn.execute("CREATE UNLOGGED TABLE public.bench_bare_copy (batch_id uuid, msg_type text,"
                     " received_at timestamptz, payload jsonb)")
    chunks: list[list[bytes]] = [files[i::SESSIONS] for i in range(SESSIONS)]
    rows = [0] * SESSIONS

    def run(i: int) -> None:
        with psycopg.connect(dbname=DB, autocommit=True) as conn:
            for data in chunks[i]:
                table = read_table(data)
                csv = io.BytesIO()
                pacsv.write_csv(pa.table({"batch_id": pa.array([str(uuid.uuid4())] * table.num_rows),
                                          "msg_type": table["msg_type"], "received_at": table["received_at"],
                                          "payload": table["payload"]}), csv, pacsv.WriteOptions(include_header=False))
                with conn.cursor().copy("COPY public.bench_bare_copy FROM STDIN (FORMAT csv)") as copy:
                    copy.write(csv.getbuffer())
                rows[i] += table.num_rows

    seconds = on_sessions([lambda i=i: run(i) for i in range(SESSIONS)])
    with psycopg.connect(dbname=DB, autocommit=True) as conn:
        conn.execute("DROP TABLE public.bench_bare_copy")
    return sum(rows), seconds


def stored_rows_copy(start: dt.datetime, end: dt.datetime) -> tuple[int, float]:
    """The ceiling of any landing: the BSM and PSM rows a backfill of [start, end) stored, already
    typed (no JSON, no checks, no assignment), COPY'd again into logged tables of the raw tables'
    shape (their primary keys and checks, `LIKE … INCLUDING ALL`), on as many sessions as cores;
    (rows, seconds)."""
    with psycopg.connect(dbname=DB, autocommit=True) as conn:
        parts: list[tuple[str, bytes]] = []
        for kind in ("bsm", "psm"):
            conn.execute(f"DROP TABLE IF EXISTS public.bench_stored_{kind}")
            conn.execute(f"CREATE TABLE public.bench_stored_{kind} (LIKE tsi.{kind}_messages INCLUDING ALL)")
            for i in range(SESSIONS):  # a slice of the key per session, as concurrent batches would
                out = bytearray()
                with conn.cursor().copy(
                        f"COPY (SELECT * FROM tsi.{kind}_messages WHERE received_at >= %s AND received_at < %s"
                        f" AND abs(hashtext(ts_second::text)) %% {SESSIONS} = {i} ORDER BY 1, 2, 3, 4) TO STDOUT",
                        (start, end)) as copy:
                    for chunk in copy:
                        out += chunk
                parts.append((kind, bytes(out)))
    rows = sum(data.count(b"\n") for _, data in parts)

    def run(mine: list[tuple[str, bytes]]) -> None:
        with psycopg.connect(dbname=DB, autocommit=True) as conn:
            for kind, data in mine:
                with conn.cursor().copy(f"COPY public.bench_stored_{kind} FROM STDIN") as copy:
                    copy.write(data)

    seconds = on_sessions([lambda i=i: run(parts[i::SESSIONS]) for i in range(SESSIONS)])
    with psycopg.connect(dbname=DB, autocommit=True) as conn:
        conn.execute("DROP TABLE public.bench_stored_bsm, public.bench_stored_psm")
    return rows, seconds


def backfill_rates(tmp: Path) -> None:
    t0 = time.monotonic()
    archive, names, start, end = history(tmp, "history-archive", 30_001, 20)
    n = sum(pq.read_metadata(archive.root / name).num_rows for name in names)
    gen_s = time.monotonic() - t0
    print(f"\nbackfill from local Parquet: {n:,} messages of simulated history (100 intersections, 20 min)")
    print(f"  generate-history into the archive   {n / gen_s:>10,.0f} msg/s")
    rows, bare_s = bare_copy([archive.read(name) for name in names])
    bare = rows / bare_s

    db = Database(f"dbname={DB} user=collector", sessions=SESSIONS)
    try:
        t0 = time.monotonic()
        r = backfill(archive, db, None, start - dt.timedelta(seconds=1), end + dt.timedelta(seconds=1))
        total_s = time.monotonic() - t0
    finally:
        db.close()
    print(f"  bare COPY, same rows and files      {bare:>10,.0f} rows/s   ({rows:,} rows, Arrow CSV, {SESSIONS} sessions, "
          "unlogged unindexed table: the physical bound)")
    print(f"  backfill landed (read + COPY + CALL){r.rows / total_s:>10,.0f} rows/s   = {r.rows / total_s / bare:.2f} x the "
          f"bare COPY (target >= 0.6); {r.landed:,} landed")
    print(f"    where the time goes: {total_s:.1f} s wall; reading+filtering files {r.read_seconds:.1f} s (main thread), "
          f"typing + COPY + landing {r.land_seconds:.1f} s summed over {SESSIONS} sessions "
          f"({r.land_seconds / SESSIONS:.1f} s each, bare COPY alone took {bare_s:.1f} s)")
    spent = db.seconds
    print(f"    of the sessions' time: Arrow typing and binary COPY data {spent['typing']:.1f} s, COPY (and the refused rows' texts) "
          f"{spent['copy']:.1f} s, CALL tsi.land_typed / land_batch {spent['call']:.1f} s")
    stored, stored_s = stored_rows_copy(start - dt.timedelta(seconds=1), end + dt.timedelta(seconds=1))
    print(f"  ceiling: the stored rows alone      {stored / stored_s:>10,.0f} rows/s   = {stored / stored_s / bare:.2f} x the "
          f"bare COPY: {stored:,} BSM/PSM rows as landed (typed, no JSON, no checks, no assignment)")
    print("    COPY'd again into logged tables of the raw tables' shape with their keys: what any landing must at least do")


def collector_path(tmp: Path) -> None:
    """The live path's landing speed: batches already in the spool (as after a database outage)
    drained by `collector run` (spool -> archive + Database.land_table on its sessions),
    next to a bare COPY of the same rows from the same files in this run."""
    archive, names, _, _ = history(tmp, "path-archive", 40_001, 10)
    spool = tmp / "path-spool"
    spool.mkdir()
    files = [archive.read(name) for name in names]
    for data in files:  # in batches of the live collector's size (COLLECTOR_BATCH_S of a busy stream)
        table = read_table(data)
        msg_type = table.schema.metadata[b"msg_type"].decode()
        for part in table.to_batches(max_chunksize=10_000):
            batch_id = uuid.uuid4()
            out = io.BytesIO()
            pq.write_table(pa.Table.from_batches([part]).replace_schema_metadata(
                {"batch_id": str(batch_id), "msg_type": msg_type}), out, compression="zstd")
            (spool / f"{time.time_ns():020d}_{msg_type}_{batch_id}.parquet").write_bytes(out.getvalue())
    rows = sum(pq.read_metadata(p).num_rows for p in spool.glob("*.parquet"))
    port = free_port()
    sim = subprocess.Popen([sys.executable, "-m", "collector.cli", "simulate", "--port", str(port), "--intersections",
                            "49999:30.0:-90.0", "--vehicles", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "TSDB_DATABASE_URL": f"dbname={DB} user=collector", "TSDB_DB": DB,
           "VCC_BASE_URL": f"http://127.0.0.1:{port}", "VCC_CLIENT_ID": "simulator",
           "VCC_CLIENT_SECRET": "simulator-secret", "COLLECTOR_ARCHIVE_DIR": str(tmp / "path-out"),
           "COLLECTOR_SPOOL_DIR": str(spool), "TSDB_COLLECTOR_METRICS_PORT": "0"}
    try:
        wait_sim(port)
        with psycopg.connect(dbname=DB, autocommit=True) as conn:
            ids = [uuid.UUID(p.name.split("_")[2].removesuffix(".parquet")) for p in spool.glob("*.parquet")]
            col = subprocess.Popen([sys.executable, "-m", "collector.cli", "run"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            while conn.execute("SELECT count(*) FROM tsi.landed_batches WHERE batch_id = ANY (%s)",
                               (ids,)).fetchone()[0] < len(ids):
                time.sleep(0.05)
            path_s = time.monotonic() - t0
            col.send_signal(signal.SIGTERM)
            col.wait(timeout=60)
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    bare_rows, bare_s = bare_copy(files)
    bare = bare_rows / bare_s
    print(f"\ncollector path: {rows:,} messages in {len(ids)} spooled batches drained by `collector run` "
          f"(archive on, {SESSIONS} database sessions; from its start, imports included)")
    print(f"  bare COPY, same rows and files      {bare:>10,.0f} rows/s   ({SESSIONS} sessions)")
    print(f"  collector run landed                {rows / path_s:>10,.0f} msg/s    = {rows / path_s / bare:.2f} x the "
          f"bare COPY (target >= 0.4); {path_s:.1f} s against {bare_s:.1f} s")


def wait_sim(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sim/stats", timeout=1)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    print("collector benchmark (2 cores; figures, not pass/fail)")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        live(Path(tmp))
        collector_path(Path(tmp))
        backfill_rates(Path(tmp))


if __name__ == "__main__":
    main()
