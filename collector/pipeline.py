"""`collector run`: VCC → batches → spool → (archive ‖ database).

Messages are grouped by type every COLLECTOR_BATCH_S seconds into batches; a batch is
acknowledged once it is in the fsync'd spool. Two worker threads then write it to the archive
and to the database independently (one being down never holds up the other), each retrying
with backoff; a batch leaves the spool when both have it. SIGTERM stops the sources, spools what
was received, and lets the workers drain for up to COLLECTOR_DRAIN_S seconds.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from collector.archive import Archive, from_parquet
from collector.config import Settings
from collector.db import Database
from collector.logs import fields
from collector.messages import Batch, Message
from collector.spool import Spool
from collector.vcc import VccAuthError, VccClient

log = logging.getLogger("collector.run")

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_AUTH, EXIT_UNDRAINED = 0, 1, 2, 3, 4


class Stats:
    KEYS = ("received", "batches", "archived", "landed", "duplicates", "quarantined", "unassigned", "write_errors")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cycle = dict.fromkeys(self.KEYS, 0)
        self.total = dict.fromkeys(self.KEYS, 0)

    def add(self, **kw: int) -> None:
        with self._lock:
            for k, v in kw.items():
                self.cycle[k] += v
                self.total[k] += v

    def take_cycle(self) -> dict[str, int]:
        with self._lock:
            out, self.cycle = self.cycle, dict.fromkeys(self.KEYS, 0)
            return out


class Worker(threading.Thread):
    """Writes spooled batches to one sink, oldest first, retrying a failed write with backoff."""

    def __init__(self, sink: str, spool: Spool, write: Callable[[Path], None], wake: threading.Event,
                 stats: Stats):
        super().__init__(name=f"{sink}-worker", daemon=True)
        self.sink, self.spool, self.write, self.wake, self.stats = sink, spool, write, wake, stats
        self.stopping = threading.Event()   # finish when nothing is left (drain)
        self.abort = threading.Event()      # finish now (drain time is up)

    def run(self) -> None:
        failures = 0
        while not self.abort.is_set():
            pending = self.spool.pending(self.sink)
            if not pending:
                if self.stopping.is_set():
                    return
                self.wake.wait(0.5)
                self.wake.clear()
                continue
            for entry in pending:
                if self.abort.is_set():
                    return
                try:
                    self.write(entry)
                except Exception as exc:  # any failure: the batch stays spooled and is retried
                    failures += 1
                    delay = min(30.0, 0.5 * 2 ** min(failures - 1, 6))
                    self.stats.add(write_errors=1)
                    log.warning("write failed, batch stays spooled", extra=fields(
                        sink=self.sink, batch=entry.name, error=str(exc).strip().splitlines()[0] if str(exc).strip()
                        else type(exc).__name__, retry_in_s=delay))
                    self.abort.wait(delay)
                    break
                failures = 0
                self.spool.done(entry, self.sink)


class Collector:
    def __init__(self, settings: Settings, client: VccClient, archive: Archive, db: Database, spool: Spool):
        self.s, self.client, self.archive, self.db, self.spool = settings, client, archive, db, spool
        self.stats = Stats()
        self.buffer: dict[str, list[Message]] = {}
        self.wake_archive, self.wake_db = threading.Event(), threading.Event()
        self.workers = [Worker("archive", spool, self._archive, self.wake_archive, self.stats),
                        Worker("db", spool, self._land, self.wake_db, self.stats)]
        self.stop = asyncio.Event()
        self.fatal: int | None = None

    # -- sinks (worker threads) ----------------------------------------------------------
    def _archive(self, entry: Path) -> None:
        data = entry.read_bytes()
        batch = from_parquet(data)
        self.archive.put(batch, data)
        self.stats.add(archived=len(batch.messages))

    def _land(self, entry: Path) -> None:
        r = self.db.land(from_parquet(entry))
        self.stats.add(landed=r.landed, duplicates=r.duplicates, quarantined=r.quarantined, unassigned=r.unassigned)

    def spooled_messages(self) -> int:
        """Messages waiting in the spool for at least one sink."""
        total = 0
        for entry in self.spool.entries():
            try:
                total += pq.read_metadata(entry).num_rows
            except (OSError, ValueError):  # taken by a worker meanwhile
                pass
        return total

    # -- sources (event loop) ------------------------------------------------------------
    def take(self, messages: list[Message]) -> None:
        for m in messages:
            self.buffer.setdefault(m.msg_type, []).append(m)
        if sum(map(len, self.buffer.values())) >= self.s.batch_max:
            asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> None:
        buffered, self.buffer = self.buffer, {}
        # MapData first: its intersections then exist when the vehicles near them land.
        for msg_type in sorted(buffered, key=lambda t: (t != "mapdata", t)):
            batch = Batch(uuid.uuid4(), msg_type, buffered[msg_type])
            await asyncio.to_thread(self.spool.add, batch)
            self.stats.add(received=len(batch.messages), batches=1)
        if buffered:
            self.wake_archive.set()
            self.wake_db.set()

    async def _every(self, interval: float, action: Callable[[], object], name: str) -> None:
        while not self.stop.is_set():
            try:
                await action()  # type: ignore[misc]
            except VccAuthError as exc:
                log.error("VCC refused the credentials", extra=fields(error=str(exc)))
                self.fatal = EXIT_AUTH
                self.stop.set()
                return
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("poll failed", extra=fields(source=name, error=str(exc) or type(exc).__name__))
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=interval)
            except TimeoutError:
                pass

    async def _poll_current(self) -> None:
        self.take(await self.client.bsm_current())
        self.take(await self.client.psm_current())

    async def _poll_spat(self) -> None:
        self.take(await self.client.spat())

    async def _poll_mapdata(self) -> None:
        self.take(await self.client.mapdata())

    async def _stream(self, kind: str) -> None:
        try:
            async for messages in self.client.stream(kind, self.stop):
                self.take(messages)
        except VccAuthError as exc:
            log.error("VCC refused the credentials", extra=fields(error=str(exc)))
            self.fatal = EXIT_AUTH
            self.stop.set()

    async def _flusher(self) -> None:
        while not self.stop.is_set():
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=self.s.batch_s)
            except TimeoutError:
                await self.flush()

    async def _summaries(self) -> None:
        while not self.stop.is_set():
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=self.s.poll_interval_s)
            except TimeoutError:
                self.summary("cycle")

    def summary(self, event: str) -> None:
        c = self.stats.take_cycle()
        log.info(event, extra=fields(received=c["received"], duplicates=c["duplicates"], archived=c["archived"],
                                     landed=c["landed"], quarantined=c["quarantined"], unassigned=c["unassigned"],
                                     spooled=self.spooled_messages(), write_errors=c["write_errors"]))

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        backlog = len(self.spool.entries())
        if backlog:
            log.info("draining the spool first", extra=fields(batches=backlog))
        for w in self.workers:
            w.start()
        sources = [self._every(self.s.mapdata_interval_s, self._poll_mapdata, "mapdata"),
                   self._every(self.s.poll_interval_s, self._poll_spat, "spat")]
        if self.s.mode == "poll":
            sources.append(self._every(self.s.poll_interval_s, self._poll_current, "current"))
        else:
            sources += [self._stream("bsm"), self._stream("psm")]
        log.info("collector started", extra=fields(mode=self.s.mode, vcc=self.s.vcc_base_url,
                                                   archive=self.s.gcs_bucket or self.s.archive_dir))
        tasks = [asyncio.create_task(t) for t in (*sources, self._flusher(), self._summaries())]
        await self.stop.wait()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.flush()
        await self.client.aclose()
        return await asyncio.to_thread(self.drain)

    def drain(self) -> int:
        deadline = time.monotonic() + self.s.drain_s
        for w in self.workers:
            w.stopping.set()
        self.wake_archive.set()
        self.wake_db.set()
        for w in self.workers:
            w.join(max(0.0, deadline - time.monotonic()))
            w.abort.set()
        for w in self.workers:
            w.join(5)
        left = len(self.spool.entries())
        self.summary("stopped")
        if left:
            log.warning("stopped with batches still spooled; they are written first at the next start",
                        extra=fields(batches=left, spool=str(self.spool.dir)))
        return self.fatal or (EXIT_UNDRAINED if left else EXIT_OK)
