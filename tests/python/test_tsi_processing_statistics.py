"""Processing analyses the partitions nobody has analysed yet before it plans on them: without
column statistics (a new day, a backfill still landing) the planner nested-loop-joined large
sets, and a processing call ran for minutes. Committed data is needed (the statistics counters
only see committed rows), so this is a pytest, not a pgTAP file."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest

from tsi_fixtures import drop_day_partitions

DAY = "2026-03-03"


@pytest.fixture
def fresh_day(connect: Callable[..., psycopg.Connection]) -> Iterator[None]:
    """Raw messages committed on a day without partitions yet; the day's partitions, the
    intersection and the pending minutes are removed afterwards (make test compares dumps)."""
    with connect(autocommit=True) as conn:
        conn.execute("INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES (9301, 'statistics', 38.9, -77.1)")
        # as landing makes them: owned by tsdb_owner, whom processing runs as (only an owner may analyse)
        conn.execute("SET ROLE tsdb_owner")
        conn.execute("SELECT tsi.create_daily_partitions(p, %s, %s) FROM unnest(ARRAY['tsi.bsm_messages',"
                     " 'tsi.psm_messages', 'tsi.features_minute', 'tsi.safety_indices_realtime']::regclass[]) AS p",
                     (DAY, DAY))
        conn.execute("RESET ROLE")
        conn.execute("ALTER TABLE tsi.bsm_messages_20260303 SET (autovacuum_enabled = off)")  # no race with autoanalyze
        conn.execute("""INSERT INTO tsi.bsm_messages (ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at,
                                                      intersection_id, latitude, longitude, speed)
                        SELECT t, v, 1, 0, t, t, 9301, 38.9, -77.1, 10
                        FROM generate_series(%s::timestamptz + interval '10 hours',
                                             %s::timestamptz + interval '10 hours 59 seconds', interval '1 second') AS t,
                             generate_series(1, 5) AS v""", (DAY, DAY))
        conn.execute("SELECT pg_stat_force_next_flush()")
    yield
    with connect(autocommit=True) as conn:
        drop_day_partitions(conn, DAY, DAY)
        conn.execute("DELETE FROM tsi.intersections WHERE id = 9301")


def test_processing_analyses_partitions_without_statistics(
        connect: Callable[..., psycopg.Connection], fresh_day: None) -> None:
    def analysed() -> bool:
        return bool(conn.execute("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
                                 " WHERE relid = 'tsi.bsm_messages_20260303'::regclass").fetchone()[0])

    with connect(autocommit=True) as conn:
        assert not analysed()
        conn.execute("CALL tsi.process_range(%s::timestamptz + interval '10 hours', %s::timestamptz + interval '10 hours 1 minute')",
                     (DAY, DAY))
        conn.execute("SELECT pg_stat_clear_snapshot()")
        assert analysed()
        assert conn.execute("SELECT traffic_volume FROM tsi.features_minute WHERE intersection_id = 9301").fetchone()[0] == 5
