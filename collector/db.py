"""The database side of the collector: binary COPY of a batch into tsi.message_staging and
CALL tsi.land_batch in one transaction, through a connection pool, as the `collector` role;
and the reprocessing calls of a backfill (as a role that may process)."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

from collector import metrics
from collector.messages import Batch, Message

COPY = "COPY tsi.message_staging (batch_id, msg_type, received_at, payload) FROM STDIN (FORMAT BINARY)"
COPY_CSV = "COPY tsi.message_staging (batch_id, msg_type, received_at, payload) FROM STDIN (FORMAT csv)"
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

    def _landing(self, copy_rows: Callable[[psycopg.Cursor], None], batch_id: uuid.UUID) -> Landed:
        conn = self._conn()
        try:
            with conn.transaction():
                with conn.cursor() as cur:
                    copy_rows(cur)
                row = conn.execute("CALL tsi.land_batch(%s)", (batch_id,)).fetchone()
        except psycopg.OperationalError:
            conn.close()  # reconnect next time
            raise
        assert row is not None
        return Landed(*row)

    def land(self, batch: Batch) -> Landed:
        """Each message checked in Python (as_jsonb): the path for a batch the fast one refused."""
        def rows(cur: psycopg.Cursor) -> None:
            with cur.copy(COPY) as copy:
                copy.set_types(["uuid", "text", "timestamptz", "jsonb"])
                for m in batch.messages:
                    copy.write_row((batch.batch_id, m.msg_type, m.received_at, as_jsonb(m.raw)))
        return self._landing(rows, batch.batch_id)

    def land_table(self, batch_id: uuid.UUID, table: pa.Table) -> Landed:
        """A spooled or archived batch (msg_type, received_at, payload) handed to COPY as CSV
        written by Arrow: the payload text is never parsed in Python. If PostgreSQL refuses a
        payload (text that is no jsonb), the batch is landed again through land(), which turns
        such messages into strings for the quarantine."""
        csv = io.BytesIO()
        pacsv.write_csv(pa.table({
            "batch_id": pa.array([str(batch_id)] * table.num_rows, pa.string()),
            "msg_type": table["msg_type"], "received_at": table["received_at"], "payload": table["payload"],
        }), csv, _CSV)

        def rows(cur: psycopg.Cursor) -> None:
            with cur.copy(COPY_CSV) as copy:
                copy.write(csv.getbuffer())
        try:
            return self._landing(rows, batch_id)
        except psycopg.OperationalError:
            raise
        except (psycopg.DataError, psycopg.errors.ProgramLimitExceeded):
            return self.land(batch_from_table(batch_id, table))


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
