"""Benchmark of the archive/database consistency check (`make bench`): prints figures, asserts nothing.

An hour of simulated history at the live stream's rate is written to a local archive and landed
(backfill, landing only); then `collector check-consistency`'s work for that hour (read the
archive, binary COPY into staging, tsi.check_archive_consistency) is timed, next to the landing
of the same messages in the same run as the baseline.

Runs against the database named by TSDB_BENCH_DB (db/scripts/bench.sh deploys a fresh one).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from collector import consistency
from collector.archive import LocalArchive
from collector.backfill import LANDING_SESSIONS, backfill
from collector.db import Database
from collector.sim.history import generate_history
from collector.sim.synthetic import grid_intersections

DB = os.environ["TSDB_BENCH_DB"]
INTERSECTIONS, VEHICLES = 20, 4


def main() -> None:
    print("archive consistency benchmark (2 cores; figures, not pass/fail)")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory() as tmp:
        archive = LocalArchive(Path(tmp) / "archive")
        ixs = grid_intersections(INTERSECTIONS, first_id=40_001, origin=(38.20, -78.10))
        hour = dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.timezone.utc)  # a weekday rush hour (local noon)
        n = generate_history(archive, ixs, 7, hour, hour + dt.timedelta(hours=1), vehicles=VEHICLES, profile="flat")
        db = Database(f"dbname={DB} user=collector", max_size=LANDING_SESSIONS)
        db.open(wait=True)
        try:
            t0 = time.monotonic()
            r = backfill(archive, db, None, hour - dt.timedelta(seconds=1), hour + dt.timedelta(hours=1, seconds=1))
            land_s = time.monotonic() - t0
        finally:
            db.close()
        t0 = time.monotonic()
        results = consistency.check(f"dbname={DB} user=collector", archive, hour, hour + dt.timedelta(hours=1),
                                    dt.timedelta(hours=1))
        check_s = time.monotonic() - t0
    diffs = sum(x.differences for x in results)
    print(f"\none hour at the stream rate: {n:,} archived messages ({INTERSECTIONS} intersections x {VEHICLES} "
          f"vehicles, 2 Hz)")
    print(f"  backfill landing (baseline)         {r.rows / land_s:>10,.0f} msg/s   ({land_s:.1f} s)")
    print(f"  check-consistency of the hour       {n / check_s:>10,.0f} msg/s   ({check_s:.1f} s, {diffs} differences)")


if __name__ == "__main__":
    main()
