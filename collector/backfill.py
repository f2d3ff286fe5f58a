"""Rebuilding the database from the archive (design document §6.1, phase 3).

`backfill` reads the archived batches of a time range (by receipt time), lands them through the
same landing path as live collection (Database.land_table), then reprocesses the range's indices and
rollups. Running it twice gives the same database: landing de-duplicates and processing a range
is deterministic.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from collector.archive import Archive, days, read_table
from collector.db import Database, Landed, reprocess
from collector.logs import fields

log = logging.getLogger("collector.backfill")
ORDER = ("mapdata", "spat", "bsm", "psm")  # intersections before the messages assigned to them
LANDING_SESSIONS = os.cpu_count() or 2  # database sessions a backfill lands on at once


class Progress:
    """A progress line on stderr with rate and ETA (rewritten in place on a terminal)."""

    def __init__(self, what: str, total: int):
        self.what, self.total, self.done, self.rows = what, total, 0, 0
        self.t0 = self.last = time.monotonic()

    def step(self, rows: int = 0, force: bool = False) -> None:
        self.done += 1
        self.rows += rows
        now = time.monotonic()
        if not force and now - self.last < 1 and self.done < self.total:
            return
        self.last = now
        elapsed = max(now - self.t0, 1e-6)
        eta = (self.total - self.done) * elapsed / self.done if self.done else 0
        line = (f"{self.what}: {self.done}/{self.total} ({100 * self.done / max(self.total, 1):.0f}%), "
                f"{self.rows} rows, {self.rows / elapsed:,.0f} rows/s, ETA {dt.timedelta(seconds=int(eta))}")
        tty = sys.stderr.isatty()
        sys.stderr.write(("\r" if tty else "") + line + ("" if tty and self.done < self.total else "\n"))
        sys.stderr.flush()


@dataclass
class BackfillResult:
    files: int = 0
    rows: int = 0
    landed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    read_seconds: float = 0.0    # reading and filtering the archive's files (this thread)
    land_seconds: float = 0.0    # typing, COPY and CALL of each batch, summed over the landing sessions
    first_ms: int | None = None   # message times (not receipt times) of the landed BSM/PSM
    last_ms: int | None = None

    def saw(self, payload: pa.ChunkedArray) -> None:
        """The range of the messages' own `timestamp`, found by a regular expression run by
        Arrow (no JSON parsing in Python); the bounds the database validates apply."""
        found = pc.struct_field(pc.extract_regex(payload, r'"timestamp":\s*(?P<ts>[0-9]{13,14})[,}\s]'), "ts")
        ts = pc.cast(pc.drop_null(found), pa.int64())
        ts = ts.filter(pc.and_(pc.greater_equal(ts, 1_420_070_400_000), pc.less(ts, 100_000_000_000_000)))
        if len(ts):
            lo, hi = pc.min(ts).as_py(), pc.max(ts).as_py()
            self.first_ms = lo if self.first_ms is None else min(self.first_ms, lo)
            self.last_ms = hi if self.last_ms is None else max(self.last_ms, hi)


def backfill(archive: Archive, db: Database, process_conninfo: str | None, start: dt.datetime, end: dt.datetime,
             chunk_rows: int = 20_000) -> BackfillResult:
    """Lands every archived message received in [start, end) and reprocesses that range
    (process_conninfo None: landing only). Files are read as Arrow tables and handed to COPY
    as they are (Database.land_table): no message is parsed in Python."""
    names = [(kind, name) for kind in ORDER
             for day in days(start - dt.timedelta(days=1), end)  # a batch can start before midnight
             for name in archive.list(kind, day)]
    result = BackfillResult()
    progress = Progress("backfill: files", len(names))
    pending: dict[str, list[pa.Table]] = {}
    pending_rows: dict[str, int] = {}
    # Batches land on as many sessions at once as the database object has (landing is CPU-bound
    # in the database; concurrent batches are safe: each de-duplicates and inserts in key order).
    # At most two per session wait, so memory stays bounded however fast the archive reads.
    sessions = db.sessions
    in_flight: deque[Future[tuple[Landed, float]]] = deque()
    lo, hi = pa.scalar(start, pa.timestamp("us", tz="UTC")), pa.scalar(end, pa.timestamp("us", tz="UTC"))

    def timed_land(table: pa.Table) -> tuple[Landed, float]:
        t0 = time.monotonic()
        return db.land_table(uuid.uuid4(), table), time.monotonic() - t0

    def collect() -> None:
        r, seconds = in_flight.popleft().result()
        result.land_seconds += seconds
        result.landed += r.landed
        result.duplicates += r.duplicates
        result.quarantined += r.quarantined

    with ThreadPoolExecutor(max_workers=sessions) as executor:
        def land(kind: str) -> None:
            tables = pending.pop(kind, [])
            pending_rows.pop(kind, None)
            table = pa.concat_tables(tables) if tables else None
            # a large file in batches of about chunk_rows: the sessions share it, and the
            # collector types one batch while the database lands another
            for offset in range(0, table.num_rows if table else 0, chunk_rows):
                while len(in_flight) >= 2 * sessions:
                    collect()
                in_flight.append(executor.submit(timed_land, table.slice(offset, chunk_rows)))

        previous = None
        for kind, name in names:
            if kind != previous and previous is not None:
                land(previous)
                if previous == "mapdata":  # its intersections exist before the messages they are assigned
                    while in_flight:
                        collect()
            previous = kind
            t0 = time.monotonic()
            table = read_table(archive.read(name))
            rows = table.filter(pc.and_(pc.greater_equal(table["received_at"], lo), pc.less(table["received_at"], hi)))
            if kind in ("bsm", "psm"):
                result.saw(rows["payload"])
            result.read_seconds += time.monotonic() - t0
            pending.setdefault(kind, []).append(rows)
            pending_rows[kind] = pending_rows.get(kind, 0) + rows.num_rows
            result.files += 1
            result.rows += rows.num_rows
            if pending_rows[kind] >= chunk_rows:
                land(kind)
            progress.step(rows.num_rows)
        if previous is not None:
            land(previous)
        while in_flight:
            collect()
    log.info("backfill landed", extra=fields(files=result.files, rows=result.rows, landed=result.landed,
                                             duplicates=result.duplicates, quarantined=result.quarantined))
    if process_conninfo and result.first_ms is not None and result.last_ms is not None:
        # The range's messages are selected by receipt; they are processed by their own time.
        # From the first message's minute: processing and clearing the pending marks work in whole
        # minutes (a first slice from 12:52:31 left 12:52 pending, which held every later day's
        # constants at a bootstrap until pg_cron processed that minute).
        first = dt.datetime.fromtimestamp(result.first_ms // 60_000 * 60, dt.timezone.utc)
        last = dt.datetime.fromtimestamp(result.last_ms / 1000, dt.timezone.utc) + dt.timedelta(minutes=1)
        step = dt.timedelta(hours=6)
        progress = Progress("backfill: processing 6-hour slices", -(-(last - first) // step))
        t = first
        while t < last:
            reprocess(process_conninfo, t, min(t + step, last))
            t += step
            progress.step()
    return result
