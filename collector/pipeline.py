"""`collector run`: VCC → batches → spool → (archive ‖ database).

Messages are grouped by type every COLLECTOR_BATCH_S seconds into batches; a batch is
acknowledged once it is in the fsync'd spool. If the spool cannot be written (disk full), the
messages stay buffered in memory (at most COLLECTOR_BUFFER_MAX; beyond that new ones are dropped,
counted and logged, and the exit code says so) and the next flush tries again. Worker threads
then write each batch to the archive (one thread) and to the database (COLLECTOR_DB_SESSIONS
threads) independently, one being down never holding up the other; a failed write is retried
with backoff, a sink failing longer than COLLECTOR_SINK_ALERT_S is logged at error level. A
batch leaves the spool when both have it; one that cannot be read, or keeps failing in a sink
while later batches succeed, is set aside in spool/rejected/ and never blocks the rest. Every
loop survives any exception (logged at error level, then restarted). SIGTERM stops the sources,
spools what was received, and lets the workers drain for up to COLLECTOR_DRAIN_S seconds.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from collector import metrics
from collector.archive import Archive, batch_id_in, read_table
from collector.config import Settings
from collector.db import Database
from collector.logs import fields
from collector.messages import Batch, BatchHeader, Message
from collector.spool import Spool
from collector.vcc import VccAuthError, VccClient

log = logging.getLogger("collector.run")

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_AUTH, EXIT_UNDRAINED, EXIT_LOST = 0, 1, 2, 3, 4, 5


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:500] if text else type(exc).__name__


class Stats:
    KEYS = ("received", "batches", "archived", "landed", "duplicates", "quarantined", "unassigned", "write_errors",
            "rejected", "dropped")

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


class Unreadable(Exception):
    """A spool entry that is no readable batch: retrying cannot help."""


def read_entry(data: bytes | Path) -> pa.Table:
    try:
        table = read_table(data if isinstance(data, bytes) else str(data))
        batch_id_in(table)
        table.schema.metadata[b"msg_type"].decode()
        table.select(["msg_type", "received_at", "payload"])
        return table
    except FileNotFoundError:
        raise
    except Exception as exc:  # pyarrow's errors, missing metadata, a bad uuid: all mean unreadable
        raise Unreadable(first_line(exc)) from exc


class SinkState:
    """What the workers of one sink share: the entries they hold, each entry's failures and
    the sink's health (failing since when, alerted or not)."""

    def __init__(self, sink: str, s: Settings):
        self.sink, self.s = sink, s
        self.lock = threading.Lock()
        self.claimed: dict[Path, bool] = {}          # entry -> is MapData (landed alone)
        self.failures: dict[Path, tuple[int, float, float]] = {}  # count, next try, last success before
        self.failing_since: float | None = None
        self.alerted = False
        self.last_success = 0.0
        self.row_failures = 0                        # attempts failed in a row, any entry

    def claim(self, pending: list[Path]) -> tuple[Path | None, float]:
        """The oldest entry ready to write and not held by another worker (a MapData entry only
        when no other is held, and none behind it meanwhile: its intersections go first), else
        (None, seconds worth waiting)."""
        now = time.monotonic()
        with self.lock:
            if any(self.claimed.values()):
                return None, 0.1
            wait = 0.5
            for entry in pending:
                if entry in self.claimed:
                    continue
                count, next_try, _ = self.failures.get(entry, (0, 0.0, 0.0))
                if next_try > now:
                    wait = min(wait, next_try - now)
                    continue
                is_map = "_mapdata_" in entry.name
                if is_map and self.claimed:
                    return None, 0.1
                self.claimed[entry] = is_map
                return entry, 0.0
            return None, wait

    def release(self, entry: Path) -> None:
        with self.lock:
            self.claimed.pop(entry, None)

    def succeeded(self, entry: Path) -> None:
        with self.lock:
            self.failures.pop(entry, None)
            self.last_success = time.monotonic()
            self.row_failures = 0
            # the sink works again: entries waiting out a backoff are tried at once
            self.failures = {e: (c, 0.0, s) for e, (c, _, s) in self.failures.items()}
            if self.failing_since is not None:
                log.info("sink recovered", extra=fields(sink=self.sink,
                                                        failed_for_s=round(time.monotonic() - self.failing_since, 1)))
            self.failing_since, self.alerted = None, False
        metrics.SINK_FAILING.labels(self.sink).set(0)

    def failed(self, entry: Path) -> tuple[int, bool, float]:
        """Counts a failure; returns (failures of this entry, whether the sink worked for
        another entry since this one first failed, seconds until the next attempt)."""
        now = time.monotonic()
        with self.lock:
            count, _, success_before = self.failures.get(entry, (0, 0.0, self.last_success))
            count += 1
            self.row_failures += 1
            delay = min(self.s.retry_max_s, 0.5 * 2 ** min(self.row_failures - 1, 8))
            self.failures[entry] = (count, now + delay, success_before)
            self.failing_since = self.failing_since or now
            failing_for = now - self.failing_since
            alert = failing_for >= self.s.sink_alert_s and not self.alerted
            self.alerted = self.alerted or alert
            others_worked = self.last_success > success_before
        metrics.SINK_FAILING.labels(self.sink).set(failing_for)
        if alert:
            log.error("sink failing", extra=fields(sink=self.sink, failing_for_s=round(failing_for, 1)))
        return count, others_worked, delay

    def forget(self, entry: Path) -> None:
        with self.lock:
            self.failures.pop(entry, None)


class Worker(threading.Thread):
    """Writes spooled batches to one sink, oldest first, retrying failed writes with backoff."""

    def __init__(self, name: str, state: SinkState, spool: Spool, write: Callable[[Path], None],
                 wake: threading.Event, stats: Stats, on_unreadable: Callable[[Path, str], None]):
        super().__init__(name=name, daemon=True)
        self.state, self.spool, self.write, self.wake, self.stats = state, spool, write, wake, stats
        self.sink = state.sink
        self.on_unreadable = on_unreadable
        self.stopping = threading.Event()   # finish when nothing is left (drain)
        self.abort = threading.Event()      # finish now (drain time is up)

    def run(self) -> None:
        while not self.abort.is_set():
            try:
                self._step()
            except Exception as exc:  # a bug must not end the sink's writes for good
                metrics.LOOP_RESTARTS.labels(f"{self.sink}-worker").inc()
                log.error("worker loop failed; restarting", exc_info=exc, extra=fields(sink=self.sink))
                self.abort.wait(1)
            if self.stopping.is_set() and not self.spool.pending(self.sink):
                return

    def _step(self) -> None:
        pending = self.spool.pending(self.sink)
        entry, wait = self.state.claim(pending)
        if entry is None:
            if not pending and self.stopping.is_set():
                return
            self.wake.wait(wait)
            self.wake.clear()
            return
        try:
            self._write(entry)
        finally:
            self.state.release(entry)

    def _write(self, entry: Path) -> None:
        try:
            self.write(entry)
        except FileNotFoundError:
            self.state.forget(entry)  # set aside meanwhile (unreadable, seen by the other sink)
            return
        except Unreadable as exc:
            self.state.forget(entry)
            self.on_unreadable(entry, str(exc))
            return
        except Exception as exc:  # the batch stays spooled and is retried
            count, others_worked, delay = self.state.failed(entry)
            self.stats.add(write_errors=1)
            metrics.WRITE_ERRORS.labels(self.sink).inc()
            if count >= self.state.s.reject_after and others_worked:
                self.state.forget(entry)
                reason = f"{self.sink} write failed {count} times while later batches succeeded: {first_line(exc)}"
                kept = self.spool.reject(entry, self.sink, reason)
                self.stats.add(rejected=1)
                metrics.REJECTED.labels(self.sink, "failing").inc()
                log.error("batch set aside", extra=fields(sink=self.sink, batch=entry.name, kept=str(kept),
                                                          reason=reason))
                return
            metrics.WRITE_RETRIES.labels(self.sink).inc()
            log.warning("write failed, batch stays spooled", extra=fields(
                sink=self.sink, batch=entry.name, error=first_line(exc), attempt=count, retry_in_s=delay))
            return
        self.spool.done(entry, self.sink)
        self.state.succeeded(entry)


class Collector:
    def __init__(self, settings: Settings, client: VccClient, archive: Archive, db: Database, spool: Spool):
        self.s, self.client, self.archive, self.db, self.spool = settings, client, archive, db, spool
        self.stats = Stats()
        self.buffer: dict[str, list[Message]] = {}
        self.buffered = 0
        self.dropped: dict[str, int] = {}
        self.spool_failing_since: float | None = None
        self.wake_archive, self.wake_db = threading.Event(), threading.Event()
        self.sinks = {"archive": SinkState("archive", settings), "db": SinkState("db", settings)}
        self.workers = [Worker("archive-worker", self.sinks["archive"], spool, self._archive, self.wake_archive,
                               self.stats, self._unreadable)]
        self.workers += [Worker(f"db-worker-{i}", self.sinks["db"], spool, self._land, self.wake_db, self.stats,
                                self._unreadable) for i in range(settings.db_sessions)]
        self.stop = asyncio.Event()
        self.flush_now = asyncio.Event()
        self.flush_lock = asyncio.Lock()
        self.fatal: int | None = None
        self._reject_lock = threading.Lock()

    # -- sinks (worker threads) ----------------------------------------------------------
    def _archive(self, entry: Path) -> None:
        data = entry.read_bytes()
        table = read_entry(data)
        msg_type = table.schema.metadata[b"msg_type"].decode()
        first = pc.min(table["received_at"]).as_py() if table.num_rows else None
        if first is None:
            raise Unreadable("the batch holds no message")
        try:
            self.archive.put(BatchHeader(batch_id_in(table), msg_type, first), data)
        except Exception:
            metrics.ARCHIVE_UPLOADS.labels("failed").inc()
            raise
        metrics.ARCHIVE_UPLOADS.labels("ok").inc()
        metrics.ARCHIVED.labels(msg_type).inc(table.num_rows)
        self.stats.add(archived=table.num_rows)

    def _land(self, entry: Path) -> None:
        table = read_entry(entry)
        msg_type = table.schema.metadata[b"msg_type"].decode()
        r = self.db.land_table(batch_id_in(table), table)
        self.stats.add(landed=r.landed, duplicates=r.duplicates, quarantined=r.quarantined, unassigned=r.unassigned)
        metrics.LANDED.labels(msg_type).inc(r.landed)
        metrics.DUPLICATES.labels(msg_type).inc(r.duplicates)
        metrics.QUARANTINED.labels(msg_type).inc(r.quarantined)
        metrics.UNASSIGNED.labels(msg_type).inc(r.unassigned)

    def _unreadable(self, entry: Path, error: str) -> None:
        """Sets an unreadable entry aside (for both sinks), after spooling again whatever of it
        can still be read."""
        with self._reject_lock:
            if not entry.exists():
                return
            salvaged = self._salvage(entry)
            reason = f"unreadable: {error}" + (f"; {salvaged} messages recovered into a new batch" if salvaged else "")
            kept = self.spool.reject(entry, "all", reason)
        self.stats.add(rejected=1)
        metrics.REJECTED.labels("all", "unreadable").inc()
        log.error("spool entry set aside", extra=fields(entry=entry.name, kept=str(kept), reason=reason))
        self.wake_archive.set()
        self.wake_db.set()

    def _salvage(self, entry: Path) -> int:
        try:
            f = pq.ParquetFile(entry)
        except Exception:
            return 0
        messages: list[Message] = []
        for i in range(f.num_row_groups):
            try:
                cols = f.read_row_group(i, columns=["msg_type", "received_at", "payload"]).to_pydict()
            except Exception:
                continue
            messages += [Message(t, r, p) for t, r, p in zip(cols["msg_type"], cols["received_at"], cols["payload"])]
        for msg_type in sorted({m.msg_type for m in messages}):
            self.spool.add(Batch(uuid.uuid4(), msg_type, [m for m in messages if m.msg_type == msg_type]))
        return len(messages)

    def spooled_messages(self) -> int:
        """Messages waiting in the spool for at least one sink."""
        total = 0
        for entry in self.spool.entries():
            try:
                total += pq.read_metadata(entry).num_rows
            except (OSError, ValueError):  # taken by a worker meanwhile, or unreadable
                pass
        return total

    # -- sources (event loop) ------------------------------------------------------------
    def take(self, messages: list[Message]) -> None:
        room = max(0, self.s.buffer_max - self.buffered)
        if len(messages) > room:
            self._drop(messages[room:])
            messages = messages[:room]
        for m in messages:
            self.buffer.setdefault(m.msg_type, []).append(m)
            metrics.RECEIVED.labels(m.msg_type).inc()
        self.buffered += len(messages)
        metrics.BUFFERED.set(self.buffered)
        if self.buffered >= self.s.batch_max:
            self.flush_now.set()

    def _drop(self, lost: list[Message]) -> None:
        first_drop = not self.dropped
        for m in lost:
            self.dropped[m.msg_type] = self.dropped.get(m.msg_type, 0) + 1
        metrics.DROPPED.inc(len(lost))
        self.stats.add(dropped=len(lost))
        if first_drop:
            log.error("buffer full while the spool cannot be written: dropping received messages", extra=fields(
                buffered=self.buffered, buffer_max=self.s.buffer_max, spool=str(self.spool.dir)))

    async def flush(self) -> None:
        """Spools what is buffered, in batches of at most COLLECTOR_BATCH_MAX; a batch leaves the
        buffer only once it is in the spool."""
        async with self.flush_lock:
            # MapData first: its intersections then exist when the vehicles near them land.
            for msg_type in sorted(self.buffer, key=lambda t: (t != "mapdata", t)):
                while chunk := self.buffer[msg_type][:self.s.batch_max]:
                    batch = Batch(uuid.uuid4(), msg_type, chunk)
                    try:
                        await asyncio.to_thread(self.spool.add, batch)
                    except Exception as exc:
                        self._spool_failed(exc)
                        return
                    del self.buffer[msg_type][:len(chunk)]
                    self.buffered -= len(chunk)
                    metrics.BUFFERED.set(self.buffered)
                    metrics.SPOOLED.labels(msg_type).inc()
                    self.stats.add(received=len(chunk), batches=1)
                    self.wake_archive.set()
                    self.wake_db.set()
            if self.spool_failing_since is not None:
                log.warning("spool writable again", extra=fields(
                    failed_for_s=round(time.monotonic() - self.spool_failing_since, 1),
                    dropped=sum(self.dropped.values())))
                self.spool_failing_since = None

    def _spool_failed(self, exc: Exception) -> None:
        metrics.SPOOL_ERRORS.inc()
        now = time.monotonic()
        if self.spool_failing_since is None:
            self.spool_failing_since = now
        log.error("cannot write the spool; messages stay buffered and the write is retried", extra=fields(
            error=first_line(exc), buffered=self.buffered, buffer_max=self.s.buffer_max,
            failing_for_s=round(now - self.spool_failing_since, 1), spool=str(self.spool.dir)))

    async def _guarded(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        """Runs a loop body until stop; an unexpected exception is logged at error level and the
        loop restarts a second later. Refused credentials end the collector (exit 3)."""
        while not self.stop.is_set():
            try:
                await body()
                return
            except VccAuthError as exc:
                log.error("VCC refused the credentials", extra=fields(error=str(exc)))
                self.fatal = EXIT_AUTH
                self.stop.set()
                return
            except Exception as exc:
                metrics.LOOP_RESTARTS.labels(name).inc()
                log.error("loop failed; restarting", exc_info=exc, extra=fields(loop=name))
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=1)
                except TimeoutError:
                    pass

    async def _every(self, interval: float, action: Callable[[], Awaitable[None]], name: str) -> None:
        while not self.stop.is_set():
            try:
                await action()
            except (httpx.HTTPError, ValueError) as exc:
                metrics.SOURCE_ERRORS.labels(name).inc()
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
        async for messages in self.client.stream(kind, self.stop):
            self.take(messages)

    async def _flusher(self) -> None:
        while not self.stop.is_set():
            try:
                await asyncio.wait_for(self.flush_now.wait(), timeout=self.s.batch_s)
            except TimeoutError:
                pass
            self.flush_now.clear()
            if not self.stop.is_set():
                await self.flush()
            if self.spool_failing_since is not None:  # retried every COLLECTOR_BATCH_S, not on every frame
                try:
                    await asyncio.wait_for(self.stop.wait(), timeout=self.s.batch_s)
                except TimeoutError:
                    pass

    async def _gauges(self) -> None:
        while not self.stop.is_set():
            metrics.SPOOL_BATCHES.set(len(self.spool.entries()))
            metrics.SPOOL_OLDEST_AGE.set(self.spool.oldest_age_s())
            for state in self.sinks.values():
                if state.failing_since is not None:
                    metrics.SINK_FAILING.labels(state.sink).set(time.monotonic() - state.failing_since)
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=2)
            except TimeoutError:
                pass

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
                                     spooled=self.spooled_messages(), buffered=self.buffered,
                                     write_errors=c["write_errors"], rejected=c["rejected"], dropped=c["dropped"]))

    def _request_stop(self) -> None:
        self.stop.set()
        self.flush_now.set()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._request_stop)
        backlog = len(self.spool.entries())
        if backlog:
            log.info("draining the spool first", extra=fields(batches=backlog))
        for w in self.workers:
            w.start()
        loops: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("mapdata", lambda: self._every(self.s.mapdata_interval_s, self._poll_mapdata, "mapdata")),
            ("spat", lambda: self._every(self.s.poll_interval_s, self._poll_spat, "spat"))]
        if self.s.mode == "poll":
            loops.append(("current", lambda: self._every(self.s.poll_interval_s, self._poll_current, "current")))
        else:
            loops += [("bsm-stream", lambda: self._stream("bsm")), ("psm-stream", lambda: self._stream("psm"))]
        loops += [("flusher", self._flusher), ("gauges", self._gauges), ("summaries", self._summaries)]
        log.info("collector started", extra=fields(mode=self.s.mode, vcc=self.s.vcc_base_url,
                                                   archive=self.s.gcs_bucket or self.s.archive_dir,
                                                   db_sessions=self.s.db_sessions))
        tasks = [asyncio.create_task(self._guarded(name, body)) for name, body in loops]
        await self.stop.wait()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self.flush()
        except Exception as exc:
            log.error("final flush failed", exc_info=exc)
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
        for w in self.workers:
            w.abort.set()
        for w in self.workers:
            w.join(1)
        left = len(self.spool.entries())
        self.summary("stopped")
        if left:
            log.warning("stopped with batches still spooled; they are written first at the next start",
                        extra=fields(batches=left, spool=str(self.spool.dir)))
        lost = sum(self.dropped.values()) + self.buffered
        if lost:
            log.error("messages were lost: dropped while the spool could not be written, or still buffered at stop",
                      extra=fields(dropped=dict(self.dropped), unspooled_at_stop=self.buffered))
        return self.fatal or (EXIT_LOST if lost else EXIT_UNDRAINED if left else EXIT_OK)
