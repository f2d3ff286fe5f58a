"""Helpers of the Python tests that write into the safety-index engine's tables."""

from __future__ import annotations

import psycopg


def drop_day_partitions(conn: psycopg.Connection, first_day: str, last_day: str) -> None:
    """Drops the tsi daily partitions a test made for the days first_day..last_day (YYYY-MM-DD) and
    their pending minutes, so that the schema stays as deployed (make test compares dumps)."""
    for (name,) in conn.execute("""
            SELECT format('%%I.%%I', n.nspname, c.relname) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname = 'tsi' AND c.relkind = 'r' AND c.relname ~ '_\\d{8}$'
              AND to_date(right(c.relname, 8), 'YYYYMMDD') BETWEEN %s::date AND %s::date""",
                                (first_day, last_day)).fetchall():
        conn.execute(f"DROP TABLE {name}")
    conn.execute("DELETE FROM tsi.pending_minutes WHERE minute >= %s::date AND minute < %s::date + 1", (first_day, last_day))
