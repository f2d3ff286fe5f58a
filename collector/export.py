"""The daily export to the bucket's processed/ area (design document §2.1):
processed/features/YYYY/MM/DD/features_YYYY-MM-DD.parquet (tsi.features_minute) and
processed/indices/YYYY/MM/DD/indices_YYYY-MM-DD.parquet (tsi.safety_indices_realtime) per
finished local day, read as a read-only role.

A local day is each intersection's own (its time_zone); a day is finished an hour (processing
margin) after it ended in every intersection's time zone. An existing file or object is never
replaced: running an export again skips what is there, so a range can be re-run. The database
keeps 1-minute features 31 days and 1-minute indices 48 hours: an older day's export holds what
is left (an indices file only when 1-minute rows remain; no file at all when nothing does).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import threading
import zoneinfo
from dataclasses import dataclass, field

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq

from collector.archive import Archive, GcsArchive, LocalArchive
from collector.logs import fields

log = logging.getLogger("collector.export")
MARGIN = dt.timedelta(hours=1)  # processing of a day's last minutes
# what each file holds: (name, table, its time column)
KINDS = (("features", "tsi.features_minute", "minute"), ("indices", "tsi.safety_indices_realtime", "timestamp"))
_ARROW = {20: pa.int64(), 21: pa.int16(), 23: pa.int32(), 700: pa.float32(), 701: pa.float64(),
          1184: pa.timestamp("us", tz="UTC"), 16: pa.bool_(), 1082: pa.date32()}


def object_name(kind: str, day: dt.date) -> str:
    return f"processed/{kind}/{day:%Y/%m/%d}/{kind}_{day:%Y-%m-%d}.parquet"


def exists(archive: Archive, name: str) -> bool:
    if isinstance(archive, LocalArchive):
        return (archive.root / name).exists()
    if isinstance(archive, GcsArchive):
        return bool(archive.bucket.blob(name).exists())
    raise TypeError(f"no export to {type(archive).__name__}")


def put_new(archive: Archive, name: str, data: bytes) -> bool:
    """Writes the object unless it exists (then False): as the archive writes raw files, a local
    file is linked into place from a synced temporary one, a GCS object created only if absent."""
    if isinstance(archive, LocalArchive):
        final = archive.root / name
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".{final.name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, final)
        except FileExistsError:
            return False
        finally:
            tmp.unlink()
        return True
    if isinstance(archive, GcsArchive):
        from google.api_core.exceptions import PreconditionFailed
        blob = archive.bucket.blob(name)
        if blob.exists():  # the emulator ignores the precondition
            return False
        try:
            blob.upload_from_string(data, content_type="application/vnd.apache.parquet", if_generation_match=0,
                                    timeout=60)
        except PreconditionFailed:
            return False
        return True
    raise TypeError(f"no export to {type(archive).__name__}")


def finished_day(conn: psycopg.Connection, now: dt.datetime | None = None) -> dt.date:
    """The newest local day that has ended (plus MARGIN) in every intersection's time zone."""
    now = now or dt.datetime.now(dt.timezone.utc)
    zones = [z for (z,) in conn.execute("SELECT DISTINCT time_zone FROM tsi.intersections")] or ["UTC"]
    return min((now - MARGIN).astimezone(zoneinfo.ZoneInfo(z)).date() for z in zones) - dt.timedelta(days=1)


def day_table(conn: psycopg.Connection, table: str, column: str, day: dt.date) -> pa.Table:
    # Offsets of every zone are within ±14 h of UTC: the outer bounds let the planner prune partitions.
    lo = dt.datetime.combine(day, dt.time(), dt.timezone.utc) - dt.timedelta(hours=14)
    hi = lo + dt.timedelta(hours=52)
    cur = conn.execute(f"SELECT t.* FROM {table} AS t JOIN tsi.intersections AS i ON i.id = t.intersection_id"
                       f" WHERE t.{column} >= %s AND t.{column} < %s AND (t.{column} AT TIME ZONE i.time_zone)::date = %s"
                       f" ORDER BY t.intersection_id, t.{column}", (lo, hi, day))
    assert cur.description is not None
    rows = cur.fetchall()
    schema = pa.schema([(c.name, _ARROW.get(c.type_code, pa.string())) for c in cur.description])
    cols = list(zip(*rows)) if rows else [[] for _ in schema]
    return pa.table([pa.array(list(v), type=f.type) for v, f in zip(cols, schema)], schema=schema)


@dataclass
class ExportResult:
    written: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)   # nothing left in the database for that day


def export(conninfo: str, archive: Archive, first: dt.date, last: dt.date) -> ExportResult:
    """Exports the local days first..last (inclusive) that are finished."""
    result = ExportResult()
    with psycopg.connect(conninfo, application_name="collector-export") as conn:
        conn.read_only = True
        newest = finished_day(conn)
        if last > newest:
            log.info("days not finished yet are left for later", extra=fields(last=last, newest_finished=newest))
            last = newest
        day = first
        while day <= last:
            for kind, table, column in KINDS:
                name = object_name(kind, day)
                if exists(archive, name):
                    result.existing.append(name)
                    continue
                t = day_table(conn, table, column, day)
                if t.num_rows == 0:
                    result.empty.append(name)
                    continue
                out = io.BytesIO()
                pq.write_table(t.replace_schema_metadata({"day": day.isoformat(), "source": table}), out,
                               compression="zstd")
                (result.written if put_new(archive, name, out.getvalue()) else result.existing).append(name)
            day += dt.timedelta(days=1)
    log.info("export done", extra=fields(written=len(result.written), existing=len(result.existing),
                                         empty=len(result.empty)))
    return result


def run_every(conninfo: str, archive: Archive, every_s: float, days_back: int, stop: threading.Event) -> None:
    """Every every_s seconds, exports the last days_back finished local days not yet exported."""
    while not stop.is_set():
        try:
            with psycopg.connect(conninfo) as conn:
                last = finished_day(conn)
            export(conninfo, archive, last - dt.timedelta(days=days_back - 1), last)
        except Exception:
            log.exception("export failed; next round retries")
        stop.wait(every_s)
