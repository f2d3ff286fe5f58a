"""Dual-write consistency (design document §6.1 phase 2, §9.1): do the archive and the database
hold the same messages?

For each chunk of hours the archived messages that can belong to them are copied (binary COPY, as
landing does) into tsi.archive_check_staging, and tsi.check_archive_consistency compares them per
hour and message type with the database, recognising a message by the database's own rules (the
raw tables' de-duplication key, the quarantine's payload hash): the rule has one definition, in
SQL. The hour is that of the message time (a BSM/PSM's VCC timestamp, a SPaT state's time; a
rejected message's receipt time). Results go to tsi.archive_consistency (read by the monitoring
through tsi.archive_consistency_status) and each difference to tsi.data_quality_log.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg

from collector.archive import KINDS, Archive, days, from_parquet
from collector.db import as_jsonb
from collector.logs import fields

log = logging.getLogger("collector.consistency")
HOUR = dt.timedelta(hours=1)
# A message's time is at most an hour after its receipt (the database rejects later ones) and a
# file (named by its first receipt) spans at most generate-history's 10 minutes: the archive
# window of hours [a, b) is the files named from a - 2 h and messages received from a - 1 h.
EARLY = HOUR
FILE_SPAN = HOUR
STAGE = ("COPY tsi.archive_check_staging (check_id, msg_type, received_at, payload) FROM STDIN (FORMAT BINARY)")
_NAME_TIME = re.compile(r"_(\d{4}-\d{2}-\d{2}_\d{6})(?:_\d+)?\.parquet$")


@dataclass(frozen=True)
class HourResult:
    hour: dt.datetime
    msg_type: str
    comparable: bool
    archived: int
    archived_distinct: int
    in_database: int
    missing_in_database: int
    missing_in_archive: int
    examples: dict[str, list[str]] | None

    @property
    def differences(self) -> int:
        return self.missing_in_database + self.missing_in_archive


def floor_hour(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)


def name_time(name: str) -> dt.datetime | None:
    m = _NAME_TIME.search(name)
    return dt.datetime.strptime(m.group(1), "%Y-%m-%d_%H%M%S").replace(tzinfo=dt.timezone.utc) if m else None


def archived_rows(archive: Archive, start: dt.datetime, end: dt.datetime, late: dt.timedelta) \
        -> Iterator[tuple[str, dt.datetime, str]]:
    """(msg_type, received_at, raw) of every archived message that may belong to the hours
    [start, end): received from start - EARLY to end + late."""
    lo, hi = start - EARLY, end + late
    for kind in KINDS:
        for day in days(lo - FILE_SPAN, hi):
            for name in archive.list(kind, day):
                t = name_time(name)
                if t is None or not (lo - FILE_SPAN <= t < hi):
                    continue
                for m in from_parquet(archive.read(name)).messages:
                    if lo <= m.received_at < hi:
                        yield m.msg_type, m.received_at, m.raw


def check_chunk(conn: psycopg.Connection, archive: Archive, start: dt.datetime, end: dt.datetime,
                late: dt.timedelta) -> list[HourResult]:
    check_id = uuid.uuid4()
    with conn.transaction():
        with conn.cursor().copy(STAGE) as copy:
            copy.set_types(["uuid", "text", "timestamptz", "jsonb"])
            for msg_type, received_at, raw in archived_rows(archive, start, end, late):
                copy.write_row((check_id, msg_type, received_at, as_jsonb(raw)))
        rows = conn.execute("SELECT * FROM tsi.check_archive_consistency(%s, %s, %s)", (check_id, start, end)).fetchall()
    return [HourResult(*r) for r in rows]


def check(conninfo: str, archive: Archive, start: dt.datetime, end: dt.datetime, late: dt.timedelta,
          chunk: dt.timedelta = dt.timedelta(hours=6)) -> list[HourResult]:
    """Checks the whole hours [floor(start), ceil(end)) a chunk at a time (one chunk's messages
    are held by the database in one transaction)."""
    start = floor_hour(start)
    end = floor_hour(end) + (HOUR if end != floor_hour(end) else dt.timedelta(0))
    results: list[HourResult] = []
    with psycopg.connect(conninfo, application_name="collector-consistency") as conn:
        t = start
        while t < end:
            results += check_chunk(conn, archive, t, min(t + chunk, end), late)
            t += chunk
    for r in results:
        if r.differences:
            log.warning("archive and database differ", extra=fields(
                hour=r.hour, msg_type=r.msg_type, missing_in_database=r.missing_in_database,
                missing_in_archive=r.missing_in_archive))
    return results


def table(results: list[HourResult]) -> str:
    """The hours that hold anything or differ, one line each, and a total."""
    head = f"{'hour (UTC)':<17} {'type':<8} {'archived':>9} {'distinct':>9} {'database':>9} " \
           f"{'not in db':>9} {'not in archive':>14}  note"
    lines = [head, "-" * len(head)]
    for r in results:
        if not (r.archived or r.in_database or r.differences):
            continue
        note = "" if r.comparable else ("current intersections only" if r.msg_type == "mapdata"
                                        else "raw rows no longer kept: quarantine only")
        lines.append(f"{r.hour:%Y-%m-%d %H:%M} {r.msg_type:<8} {r.archived:>9} {r.archived_distinct:>9} "
                     f"{r.in_database:>9} {r.missing_in_database:>9} {r.missing_in_archive:>14}  {note}")
    total = sum(r.differences for r in results)
    hours = len({r.hour for r in results})
    lines.append(f"{hours} hour(s) checked, {total} difference(s)")
    return "\n".join(lines)


def run_every(conninfo: str, archive: Archive, every_s: float, lag: dt.timedelta, hours: int, late: dt.timedelta,
              stop: threading.Event) -> None:
    """Every every_s seconds, checks the last `hours` finished hours (an hour is finished `lag`
    after its end). Each round checks them again: a difference that was only late data (a
    backfill still landing, a spool draining) is cleared by the next rounds. Errors are logged
    and retried next round; stop ends the loop."""
    while not stop.is_set():
        end = floor_hour(dt.datetime.now(dt.timezone.utc) - lag)
        start = end - hours * HOUR
        try:
            results = check(conninfo, archive, start, end, late)
            log.info("consistency checked", extra=fields(
                start=start, end=end, differences=sum(r.differences for r in results)))
        except Exception:
            log.exception("consistency check failed; next round retries")
        stop.wait(every_s)
