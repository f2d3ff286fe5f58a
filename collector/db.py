"""The database side of the collector: COPY of a batch (BSM/PSM typed by Arrow, as binary, into
the session's landing table; any other message's text into tsi.message_staging) and the landing
CALL (tsi.land_typed, tsi.land_batch) in one transaction, one connection per thread, as the
`collector` role; and the reprocessing calls of a backfill (as a role that may process)."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

from collector import metrics
from collector.messages import Batch, Message

COPY = "COPY tsi.message_staging (batch_id, msg_type, received_at, payload) FROM STDIN (FORMAT BINARY)"
COPY_CSV = "COPY tsi.message_staging (batch_id, msg_type, received_at, payload) FROM STDIN (FORMAT csv)"
TYPED_COLUMNS = ("ord", "msg_type", "received_at", "ts_ms", "object_id", "msg_cnt", "sec_mark", "latitude",
                 "longitude", "elevation", "speed", "heading", "accel_lon", "accel_lat", "wheel_brakes", "vehicle_length",
                 "vehicle_width", "basic_type", "rsu_name")
# the session's own table of a landing, made empty by CALL tsi.land_typed_begin(); binary, as
# copy_binary writes it (its integers are bigint there, its floats double precision)
COPY_TYPED = f"COPY pg_temp.land_rows ({', '.join(TYPED_COLUMNS)}) FROM STDIN (FORMAT binary)"
_I, _F = pa.int64(), pa.float64()
# The fields tsi.read_v2x reads, as Arrow's JSON reader is to type them: a value of another JSON
# type (a string for a number, a fraction for an integer, a number beyond int64) fails the whole
# batch's typing, and the batch takes the JSON path.
TYPED_SCHEMAS = {
    "bsm": pa.schema([("timestamp", _I), ("rsuName", pa.string()), ("bsmJson", pa.struct([("coreData", pa.struct([
        ("id", _I), ("msgCnt", _I), ("secMark", _I), ("lat", _F), ("lon", _F), ("elev", _F), ("speed", _F),
        ("heading", _F), ("accelSet", pa.struct([("lon", _F), ("lat", _F)])),
        ("brakes", pa.struct([("wheelBrakes", _I)])), ("size", pa.struct([("length", _I), ("width", _I)]))]))]))]),
    "psm": pa.schema([("timestamp", _I), ("rsuName", pa.string()), ("psmJson", pa.struct([
        ("id", _I), ("msgCnt", _I), ("secMark", _I),
        ("position", pa.struct([("lat", _F), ("lon", _F), ("elev", _F)])), ("speed", _F), ("heading", _F),
        ("basicType", _I)]))]),
}
# pg_temp.land_rows' column: the path to it in the message (BSM, PSM); None: not in that message.
TYPED_FIELDS: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = {
    "ts_ms": (("timestamp",), ("timestamp",)),
    "object_id": (("bsmJson", "coreData", "id"), ("psmJson", "id")),
    "msg_cnt": (("bsmJson", "coreData", "msgCnt"), ("psmJson", "msgCnt")),
    "sec_mark": (("bsmJson", "coreData", "secMark"), ("psmJson", "secMark")),
    "latitude": (("bsmJson", "coreData", "lat"), ("psmJson", "position", "lat")),
    "longitude": (("bsmJson", "coreData", "lon"), ("psmJson", "position", "lon")),
    "elevation": (("bsmJson", "coreData", "elev"), ("psmJson", "position", "elev")),
    "speed": (("bsmJson", "coreData", "speed"), ("psmJson", "speed")),
    "heading": (("bsmJson", "coreData", "heading"), ("psmJson", "heading")),
    "accel_lon": (("bsmJson", "coreData", "accelSet", "lon"), None),
    "accel_lat": (("bsmJson", "coreData", "accelSet", "lat"), None),
    "wheel_brakes": (("bsmJson", "coreData", "brakes", "wheelBrakes"), None),
    "vehicle_length": (("bsmJson", "coreData", "size", "length"), None),
    "vehicle_width": (("bsmJson", "coreData", "size", "width"), None),
    "basic_type": (None, ("psmJson", "basicType")),
    "rsu_name": (("rsuName",), ("rsuName",)),
}
_CSV = pacsv.WriteOptions(include_header=False, batch_size=4096)
# Keepalives and timeouts a DSN leaves out: a database that vanishes without closing the TCP
# connection (a black hole) then fails the write within about a minute instead of never.
CONNECTION_DEFAULTS = {"connect_timeout": "10", "keepalives": "1", "keepalives_idle": "30",
                       "keepalives_interval": "10", "keepalives_count": "3", "tcp_user_timeout": "60000"}
STATEMENT_TIMEOUT_MS = 300_000


class Landed(NamedTuple):
    received: int
    landed: int
    duplicates: int
    quarantined: int
    unassigned: int


def _jsonb_number(literal: str) -> Decimal:
    """A JSON number jsonb can hold (numeric: at most 16 383 digits after the point, 131 072
    before it); else ValueError. Python reads 1e-20000 as 0.0, PostgreSQL refuses it."""
    d = Decimal(literal)
    exponent = d.as_tuple().exponent
    if not isinstance(exponent, int) or -exponent > 16383 or (d and d.adjusted() > 131071):
        raise ValueError(f"{literal[:40]} is beyond PostgreSQL's numeric")
    return d


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")  # Python's json reads NaN and Infinity


def as_jsonb(raw: str) -> Jsonb:
    """The message's JSON text as it is; text that PostgreSQL cannot read as jsonb (not JSON,
    NaN or Infinity, a NUL character, a lone surrogate, a number beyond numeric, nesting deeper
    than Python reads) goes in as a JSON string, which the database quarantines (not_an_object)
    with the text kept: one such message must not fail the COPY of its whole batch. Numbers are
    read as Decimal: no digit limit (Python's int stops at 4 300 digits, jsonb does not)."""
    try:
        value = json.loads(raw, parse_float=_jsonb_number, parse_int=_jsonb_number, parse_constant=_not_json)
        json.dumps(value, ensure_ascii=False, default=str).encode()  # UnicodeEncodeError: a lone surrogate
        ok = "\\u0000" not in raw  # valid JSON, but jsonb has no NUL character
    except (ValueError, RecursionError):
        ok = False
    if not ok:
        metrics.MALFORMED.labels("not_jsonb").inc()
    return Jsonb(raw if ok else json.dumps(raw), dumps=lambda s: s)


def with_defaults(conninfo: str) -> str:
    """The DSN with CONNECTION_DEFAULTS for what it does not set itself."""
    given = conninfo_to_dict(conninfo)
    return make_conninfo(conninfo, **{k: v for k, v in CONNECTION_DEFAULTS.items() if k not in given})


class Database:
    """One connection per landing thread (a thread-local), opened on first use and dropped on
    any connection error, so the next attempt after the database returns reconnects at once
    (a pool's reconnection backoff would delay recovery by up to minutes)."""

    def __init__(self, conninfo: str, sessions: int = 2):
        self.conninfo, self.sessions = with_defaults(conninfo), sessions
        self._local = threading.local()
        self._all: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        # where a landing's time goes, summed over the threads: typing (Arrow in this process),
        # copy (the COPY statements, and asking which rows the database refuses), call (the CALL)
        self.seconds = {"typing": 0.0, "copy": 0.0, "call": 0.0}

    def open(self, wait: bool = False) -> None:
        """Checks the database answers (wait=True), else connects lazily."""
        if wait:
            self._conn()

    def close(self) -> None:
        with self._lock:
            for c in self._all:
                c.close()
            self._all.clear()

    def _conn(self) -> psycopg.Connection:
        conn: psycopg.Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            conn = psycopg.connect(self.conninfo, application_name="collector",
                                   options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _landing(self, copy_rows: Callable[[psycopg.Cursor], None], batch_id: uuid.UUID,
                 procedure: str = "tsi.land_batch") -> Landed:
        conn = self._conn()
        try:
            with conn.transaction():
                t0 = time.monotonic()
                with conn.cursor() as cur:
                    copy_rows(cur)
                t1 = time.monotonic()
                row = conn.execute(f"CALL {procedure}(%s)", (batch_id,)).fetchone()
                self._spent("copy", t1 - t0)
                self._spent("call", time.monotonic() - t1)
        except psycopg.OperationalError:
            conn.close()  # reconnect next time
            raise
        assert row is not None
        return Landed(*row)

    def _spent(self, phase: str, seconds: float) -> None:
        with self._lock:
            self.seconds[phase] += seconds

    def land(self, batch: Batch) -> Landed:
        """Each message checked in Python (as_jsonb): the path for a batch the fast one refused."""
        def rows(cur: psycopg.Cursor) -> None:
            with cur.copy(COPY) as copy:
                copy.set_types(["uuid", "text", "timestamptz", "jsonb"])
                for m in batch.messages:
                    copy.write_row((batch.batch_id, m.msg_type, m.received_at, as_jsonb(m.raw)))
        return self._landing(rows, batch.batch_id)

    def land_table(self, batch_id: uuid.UUID, table: pa.Table) -> Landed:
        """A spooled or archived batch (msg_type, received_at, payload) landed the fastest way
        that takes it: BSM and PSM typed by Arrow straight into the landing's rows
        (pg_temp.land_rows), with the text of the rows the database refuses (tsi.typed_refused)
        in tsi.message_staging (CALL tsi.land_typed); else every payload handed to COPY as CSV
        written by Arrow (CALL tsi.land_batch). No message is parsed in Python on either. If PostgreSQL refuses a
        payload (text that is no jsonb), the batch is landed again through land(), which turns
        such messages into strings for the quarantine."""
        t0 = time.monotonic()
        kinds = pc.unique(table["msg_type"]).to_pylist() if table.num_rows else []
        typed = typed_table(kinds[0], table) if len(kinds) == 1 else None
        if typed is not None:
            typed_rows_data = copy_binary(typed)
            self._spent("typing", time.monotonic() - t0)

            def typed_rows(cur: psycopg.Cursor) -> None:
                cur.execute("CALL tsi.land_typed_begin()")
                with cur.copy(COPY_TYPED) as copy:
                    copy.write(typed_rows_data)
                refused = [r[0] for r in cur.execute("SELECT tsi.typed_refused()")]
                if refused:  # ord counts from 1
                    copy_texts(cur, batch_id, table.take(pc.subtract(pa.array(refused, pa.int64()), 1)))
            try:
                return self._landing(typed_rows, batch_id, "tsi.land_typed")
            except psycopg.OperationalError:
                raise
            except (psycopg.DataError, psycopg.errors.ProgramLimitExceeded):
                pass  # a refused message whose text is no jsonb: the JSON path below
        try:
            return self._landing(lambda cur: copy_texts(cur, batch_id, table), batch_id)
        except psycopg.OperationalError:
            raise
        except (psycopg.DataError, psycopg.errors.ProgramLimitExceeded):
            return self.land(batch_from_table(batch_id, table))


def copy_texts(cur: psycopg.Cursor, batch_id: uuid.UUID, table: pa.Table) -> None:
    """COPYs messages (msg_type, received_at, payload) into tsi.message_staging as CSV written by Arrow."""
    csv = io.BytesIO()
    pacsv.write_csv(pa.table({
        "batch_id": pa.array([str(batch_id)] * table.num_rows, pa.string()),
        "msg_type": table["msg_type"], "received_at": table["received_at"], "payload": table["payload"],
    }), csv, _CSV)
    with cur.copy(COPY_CSV) as copy:
        copy.write(csv.getbuffer())


def typed_table(msg_type: str, table: pa.Table) -> pa.Table | None:
    """A BSM or PSM batch with the fields tsi.read_v2x reads typed by Arrow's JSON reader (no
    Python per message), as pg_temp.land_rows takes them; None when Arrow cannot type it exactly
    (another JSON type somewhere, a line break inside a message, a row count that differs): the
    batch then takes the JSON path. The database checks every typed row again (tsi.typed_plain)
    and asks for the text of those it refuses (tsi.typed_refused)."""
    if msg_type not in TYPED_SCHEMAS or table.num_rows == 0:
        return None
    payload = table["payload"]
    try:
        # newline-delimited JSON, one message a line, joined by Arrow (no Python per message)
        lines = pc.binary_join_element_wise(payload.combine_chunks(), "\n", "")
        text = lines.buffers()[2].slice(0, pc.sum(pc.binary_length(lines)).as_py())
        data = text.to_pybytes()
        if data.count(b"\n") != table.num_rows or b"\r" in data:
            return None  # a line break inside a message: the lines would not be the messages
        read = pajson.read_json(io.BytesIO(data), parse_options=pajson.ParseOptions(
            explicit_schema=TYPED_SCHEMAS[msg_type], unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowCapacityError):
        return None
    if read.num_rows != table.num_rows:
        return None
    which = 0 if msg_type == "bsm" else 1
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "ord": pa.array(range(1, table.num_rows + 1), pa.int32()),
        "msg_type": pa.array([msg_type] * table.num_rows, pa.string()),
        "received_at": table["received_at"]}
    for name, paths in TYPED_FIELDS.items():
        path = paths[which]
        if path is None:
            columns[name] = pa.nulls(table.num_rows, _I)
            continue
        col = read.column(path[0])
        for key in path[1:]:
            col = pc.struct_field(col, key)
        columns[name] = col
    return pa.table([columns[c] for c in TYPED_COLUMNS], names=list(TYPED_COLUMNS))


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, no flags, no header extension
_COPY_TRAILER = b"\xff\xff"
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 UTC, where PostgreSQL's timestamps count from
_EMPTY = pa.scalar(b"")


def copy_binary(table: pa.Table) -> bytes:
    """A table as COPY's binary format, made per column (numpy) and joined into rows by Arrow, so
    no Python runs per row, and PostgreSQL reads each value as it is instead of parsing its text
    (20 000 BSMs: 23 ms against Arrow's CSV writer's 35, and the COPY about half as long). Integers go as bigint, floats
    as double precision (bit for bit), timestamps as timestamptz, strings as text."""
    n = table.num_rows
    count = np.full(n, table.num_columns, ">i2").view(np.uint8)
    parts = [pa.FixedSizeBinaryArray.from_buffers(pa.binary(2), n, [None, pa.py_buffer(count)])]
    parts += [_copy_fields(column.combine_chunks()) for column in table.columns]
    rows = pc.binary_join_element_wise(*[pc.cast(p, pa.binary()) for p in parts], _EMPTY)
    body = rows.buffers()[2].slice(0, pc.sum(pc.binary_length(rows)).as_py()) if n else b""
    return _COPY_HEADER + bytes(body) + _COPY_TRAILER


def _copy_fields(column: pa.Array) -> pa.Array:
    """Each value of a column as binary COPY writes it: its length word, then the value (NULL: -1)."""
    n = len(column)
    if pa.types.is_string(column.type):
        sizes = pc.binary_length(column).fill_null(-1).to_numpy().astype(">i4")
        words = pa.FixedSizeBinaryArray.from_buffers(pa.binary(4), n, [None, pa.py_buffer(sizes)])
        return pc.binary_join_element_wise(pc.cast(words, pa.binary()), pc.cast(column.fill_null(""), pa.binary()), _EMPTY)
    if pa.types.is_timestamp(column.type):
        micros = pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64())
        data = (micros.fill_null(0).to_numpy() - _PG_EPOCH_US).astype(">i8")
    elif pa.types.is_floating(column.type):
        data = column.fill_null(0).to_numpy().astype(">f8")
    elif pa.types.is_integer(column.type):
        data = column.fill_null(0).to_numpy().astype(">i8")
    else:
        raise TypeError(f"no binary COPY for {column.type}")
    fields = np.empty((n, 12), np.uint8)
    fields[:, :4] = np.frombuffer(b"\0\0\0\x08", np.uint8)
    fields[:, 4:] = data.view(np.uint8).reshape(n, 8)
    if column.null_count == 0:
        return pa.FixedSizeBinaryArray.from_buffers(pa.binary(12), n, [None, pa.py_buffer(fields)])
    valid = column.is_valid().to_numpy(zero_copy_only=False)
    fields[~valid, :4] = 0xFF  # -1: NULL, and no value follows
    keep = np.ones((n, 12), bool)
    keep[~valid, 4:] = False
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.where(valid, 12, 4), out=offsets[1:])
    return pa.BinaryArray.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(fields[keep])])


def batch_from_table(batch_id: uuid.UUID, table: pa.Table) -> Batch:
    cols = table.select(["msg_type", "received_at", "payload"]).to_pydict()
    messages = [Message(t, r, p) for t, r, p in zip(cols["msg_type"], cols["received_at"], cols["payload"])]
    return Batch(batch_id, messages[0].msg_type if messages else "", messages)


def reprocess(conninfo: str, start: dt.datetime, end: dt.datetime) -> None:
    """Indices of [start, end) and the rollups up to its end (behind the watermarks, processing
    marks the changed hours and days dirty and the rollups recompute them). Needs a role that
    may process (the owner): the collector role only lands.

    Holds tsi.process_pending's lock meanwhile, so the pg_cron job does not process the same
    minutes at the same time, and clears the range's pending minutes it has just processed."""
    with psycopg.connect(with_defaults(conninfo), application_name="collector-backfill") as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('tsi.process_pending'))")
            conn.execute("CALL tsi.process_range(%s, %s)", (start, end))
            conn.execute("DELETE FROM tsi.pending_minutes WHERE minute >= %s AND minute < %s", (start, end))
        conn.autocommit = True
        conn.execute("CALL tsi.rollup_hourly(%s)", (end,))
        conn.execute("CALL tsi.rollup_daily(%s)", (end,))


def refresh_constants(conninfo: str) -> None:
    """What the pg_cron job tsi-recompute-constants does every 10 minutes, now: constants and
    baselines of the days after a backfilled range follow their new history, and what they
    scored is rescored (a live day's bootstrap, scored before the history landed)."""
    with psycopg.connect(with_defaults(conninfo), application_name="collector-backfill", autocommit=True) as conn:
        conn.execute("CALL tsi.refresh_constants(now())")
