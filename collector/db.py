"""The database side of the collector: binary COPY of a batch into tsi.message_staging and
CALL tsi.land_batch in one transaction, through a connection pool, as the `collector` role;
and the reprocessing calls of a backfill (as a role that may process)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import NamedTuple

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from collector.messages import Batch

COPY = "COPY tsi.message_staging (batch_id, msg_type, received_at, payload) FROM STDIN (FORMAT BINARY)"


class Landed(NamedTuple):
    received: int
    landed: int
    duplicates: int
    quarantined: int
    unassigned: int


# Text that may hold what Python's json reads and jsonb refuses: a number beyond numeric, NaN or
# Infinity, a lone UTF-16 surrogate (\ud800). Strings can match too: those are only read again.
_SUSPECT = re.compile(r"[eE][+-]?[0-9]{5}|[0-9]{16384}|NaN|Infinity|\\u[dD][89a-fA-F]")


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
    with the text kept: one such message must not fail the COPY of its whole batch (which would
    then be retried for ever)."""
    try:
        json.loads(raw)
        if _SUSPECT.search(raw):  # checking every number would double the cost of the common case
            value = json.loads(raw, parse_float=_jsonb_number, parse_int=_jsonb_number, parse_constant=_not_json)
            json.dumps(value, ensure_ascii=False, default=str).encode()  # UnicodeEncodeError: a lone surrogate
        ok = "\\u0000" not in raw  # valid JSON, but jsonb has no NUL character
    except (ValueError, RecursionError):
        ok = False
    return Jsonb(raw if ok else json.dumps(raw), dumps=lambda s: s)


class Database:
    def __init__(self, conninfo: str, max_size: int = 4):
        self.pool = ConnectionPool(conninfo, min_size=1, max_size=max_size, open=False,
                                   kwargs={"application_name": "collector"})

    def open(self, wait: bool = False) -> None:
        self.pool.open(wait=wait, timeout=10)

    def close(self) -> None:
        self.pool.close()

    def land(self, batch: Batch, timeout_s: float = 30.0) -> Landed:
        with self.pool.connection(timeout=timeout_s) as conn, conn.transaction():
            with conn.cursor().copy(COPY) as copy:
                copy.set_types(["uuid", "text", "timestamptz", "jsonb"])
                for m in batch.messages:
                    copy.write_row((batch.batch_id, m.msg_type, m.received_at, as_jsonb(m.raw)))
            row = conn.execute("CALL tsi.land_batch(%s)", (batch.batch_id,)).fetchone()
        assert row is not None
        return Landed(*row)


def reprocess(conninfo: str, start: dt.datetime, end: dt.datetime) -> None:
    """Indices of [start, end) and the rollups up to its end (behind the watermarks, processing
    marks the changed hours and days dirty and the rollups recompute them). Needs a role that
    may process (the owner): the collector role only lands.

    Holds tsi.process_pending's lock meanwhile, so the pg_cron job does not process the same
    minutes at the same time, and clears the range's pending minutes it has just processed."""
    with psycopg.connect(conninfo, application_name="collector-backfill") as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('tsi.process_pending'))")
            conn.execute("CALL tsi.process_range(%s, %s)", (start, end))
            conn.execute("DELETE FROM tsi.pending_minutes WHERE minute >= %s AND minute < %s", (start, end))
        conn.autocommit = True
        conn.execute("CALL tsi.rollup_hourly(%s)", (end,))
        conn.execute("CALL tsi.rollup_daily(%s)", (end,))
