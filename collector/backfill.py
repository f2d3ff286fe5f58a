"""Rebuilding the database from the archive (design document §6.1, phase 3).

`backfill` reads the archived batches of a time range (by receipt time), lands them through the
same COPY + tsi.land_batch path as live collection, then reprocesses the range's indices and
rollups. Running it twice gives the same database: landing de-duplicates and processing a range
is deterministic.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from collector.archive import Archive, days, from_parquet
from collector.db import Database, Landed, reprocess
from collector.logs import fields
from collector.messages import Batch, Message

log = logging.getLogger("collector.backfill")
ORDER = ("mapdata", "spat", "bsm", "psm")  # intersections before the messages assigned to them
LANDING_SESSIONS = 2  # database sessions a backfill lands on at once (one per core here)


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
    land_seconds: float = 0.0    # summed over the landing sessions
    first_ms: int | None = None   # message times (not receipt times) of the landed BSM/PSM
    last_ms: int | None = None

    def saw(self, raw: str) -> None:
        try:
            ts = json.loads(raw).get("timestamp")
        except (ValueError, AttributeError):
            return
        if isinstance(ts, int) and 1_420_070_400_000 <= ts < 100_000_000_000_000:  # as the database validates
            self.first_ms = ts if self.first_ms is None else min(self.first_ms, ts)
            self.last_ms = ts if self.last_ms is None else max(self.last_ms, ts)


def backfill(archive: Archive, db: Database, process_conninfo: str | None, start: dt.datetime, end: dt.datetime,
             chunk_rows: int = 20_000) -> BackfillResult:
    """Lands every archived message received in [start, end) and reprocesses that range
    (process_conninfo None: landing only)."""
    names = [(kind, name) for kind in ORDER
             for day in days(start - dt.timedelta(days=1), end)  # a batch can start before midnight
             for name in archive.list(kind, day)]
    result = BackfillResult()
    progress = Progress("backfill: files", len(names))
    pending: dict[str, list[Message]] = {}
    # Batches land on as many sessions at once as the pool holds (landing is CPU-bound in the
    # database; concurrent batches are safe: each de-duplicates and inserts in key order). At most
    # two per session wait, so memory stays bounded however fast the archive reads.
    sessions = db.pool.max_size
    in_flight: deque[Future[tuple[Landed, float]]] = deque()

    def timed_land(batch: Batch) -> tuple[Landed, float]:
        t0 = time.monotonic()
        return db.land(batch), time.monotonic() - t0

    def collect() -> None:
        r, seconds = in_flight.popleft().result()
        result.land_seconds += seconds
        result.landed += r.landed
        result.duplicates += r.duplicates
        result.quarantined += r.quarantined

    with ThreadPoolExecutor(max_workers=sessions) as executor:
        def land(kind: str) -> None:
            msgs = pending.pop(kind, [])
            if msgs:
                while len(in_flight) >= 2 * sessions:
                    collect()
                in_flight.append(executor.submit(timed_land, Batch(uuid.uuid4(), kind, msgs)))

        previous = None
        for kind, name in names:
            if kind != previous and previous is not None:
                # every batch of a kind lands before the next kind's: MapData before the messages it assigns
                land(previous)
                while in_flight:
                    collect()
            previous = kind
            batch = from_parquet(archive.read(name))
            rows = [m for m in batch.messages if start <= m.received_at < end]
            if kind in ("bsm", "psm"):
                for m in rows:
                    result.saw(m.raw)
            pending.setdefault(kind, []).extend(rows)
            result.files += 1
            result.rows += len(rows)
            if len(pending[kind]) >= chunk_rows:
                land(kind)
            progress.step(len(rows))
        if previous is not None:
            land(previous)
        while in_flight:
            collect()
    log.info("backfill landed", extra=fields(files=result.files, rows=result.rows, landed=result.landed,
                                             duplicates=result.duplicates, quarantined=result.quarantined))
    if process_conninfo and result.first_ms is not None and result.last_ms is not None:
        # The range's messages are selected by receipt; they are processed by their own time.
        first = dt.datetime.fromtimestamp(result.first_ms / 1000, dt.timezone.utc)
        last = dt.datetime.fromtimestamp(result.last_ms / 1000, dt.timezone.utc) + dt.timedelta(minutes=1)
        step = dt.timedelta(hours=6)
        progress = Progress("backfill: processing 6-hour slices", -(-(last - first) // step))
        t = first
        while t < last:
            reprocess(process_conninfo, t, min(t + step, last))
            t += step
            progress.step()
    return result
