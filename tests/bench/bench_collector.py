"""Benchmark of the collector (`make bench`): prints figures, asserts nothing.

1. Live throughput: the VCC simulator streams 2 Hz per vehicle for many intersections, time
   accelerated; `collector run` (a real process, archive on, local directory) lands it. Messages/s
   landed, whether the spool kept up, and the collector's resident memory (peak and at the end).
2. Backfill: an archive of simulated history (generate-history's writer) is backfilled (landing
   only: COPY + CALL tsi.land_batch); rows/s next to a bare binary COPY of the same rows into an
   unindexed table, in the same run.

Runs against the database named by TSDB_BENCH_DB (db/scripts/bench.sh deploys a fresh one).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from collector.archive import LocalArchive, days, from_parquet
from collector.backfill import LANDING_SESSIONS, backfill
from collector.db import Database, as_jsonb
from collector.sim.history import generate_history
from collector.sim.synthetic import grid_intersections

ROOT = Path(__file__).resolve().parents[2]
DB = os.environ["TSDB_BENCH_DB"]
STREAM_S = 40
INTERSECTIONS, VEHICLES, ACCEL = 40, 12, 2.0  # 40 x 12 x 2 Hz x 2 = 1 920 msg/s offered


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
                            spec, "--vehicles", str(VEHICLES), "--accel", str(ACCEL), "--seed", "99"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "TSDB_DATABASE_URL": f"dbname={DB} user=collector", "TSDB_DB": DB,
           "VCC_BASE_URL": f"http://127.0.0.1:{port}", "VCC_CLIENT_ID": "simulator",
           "VCC_CLIENT_SECRET": "simulator-secret", "COLLECTOR_ARCHIVE_DIR": str(tmp / "live-archive"),
           "COLLECTOR_SPOOL_DIR": str(tmp / "live-spool"), "COLLECTOR_BATCH_S": "2", "VCC_POLL_INTERVAL_S": "10"}
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


def backfill_rates(tmp: Path) -> None:
    ixs = grid_intersections(100, first_id=30_001, origin=(38.40, -77.90))
    archive = LocalArchive(tmp / "history-archive")
    end = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc)
    start = end - dt.timedelta(minutes=20)
    t0 = time.monotonic()
    n = generate_history(archive, ixs, 5, start, end, vehicles=8, every_ms=2000)
    gen_s = time.monotonic() - t0
    print(f"\nbackfill from local Parquet: {n:,} messages of simulated history ({len(ixs)} intersections, 20 min)")
    print(f"  generate-history into the archive   {n / gen_s:>10,.0f} msg/s")

    # Bare binary COPY of the same rows, read from the same files, into an unindexed table.
    names = [name for kind in ("mapdata", "spat", "bsm", "psm") for day in days(start, end)
             for name in archive.list(kind, day)]
    with psycopg.connect(dbname=DB, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS public.bench_bare_copy (batch_id uuid, msg_type text,"
                     " received_at timestamptz, payload jsonb)")
        conn.execute("TRUNCATE public.bench_bare_copy")
        t0 = time.monotonic()
        rows = 0
        with conn.transaction(), conn.cursor().copy(
                "COPY public.bench_bare_copy FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["uuid", "text", "timestamptz", "jsonb"])
            for name in names:
                b = from_parquet(archive.read(name))
                for m in b.messages:
                    copy.write_row((b.batch_id, m.msg_type, m.received_at, as_jsonb(m.raw)))
                rows += len(b.messages)
        bare = rows / (time.monotonic() - t0)
        conn.execute("DROP TABLE public.bench_bare_copy")

    db = Database(f"dbname={DB} user=collector", max_size=LANDING_SESSIONS)
    db.open(wait=True)
    try:
        t0 = time.monotonic()
        r = backfill(archive, db, None, start - dt.timedelta(seconds=1), end + dt.timedelta(seconds=1))
        total_s = time.monotonic() - t0
    finally:
        db.close()
    print(f"  bare binary COPY, same rows         {bare:>10,.0f} rows/s   (physical bound)")
    print(f"  backfill landed (read + COPY + CALL){r.rows / total_s:>10,.0f} rows/s   target >= 100,000   "
          f"({r.landed:,} landed; {total_s:.1f} s, {r.land_seconds:.1f} s in land_batch summed over {LANDING_SESSIONS} sessions)")


def main() -> None:
    print("collector benchmark (2 cores; figures, not pass/fail)")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        live(Path(tmp))
        backfill_rates(Path(tmp))


if __name__ == "__main__":
    main()
