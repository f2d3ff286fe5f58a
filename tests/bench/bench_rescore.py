"""Rescoring benchmark (make bench): a new formula_config version, then CALL tsi.rescore of one UTC
day of 1 000 intersections (1.44 million 1-minute rows) from the stored features, next to two
figures of the same run: a bare rewrite of the same rows (the physical bound of writing them) and
the first scoring of the day (tsi.score_range onto an empty day). Figures, not pass/fail."""
from __future__ import annotations

import os
import time

import psycopg

DAY = "2026-11-20"
INTERSECTIONS = 1000
FIRST_ID = 30001


def connect() -> psycopg.Connection:
    return psycopg.connect(dbname=os.environ.get("TSDB_BENCH_DB", "contrib_regression"), autocommit=True)


def timed(conn: psycopg.Connection, sql: str) -> float:
    start = time.perf_counter()
    conn.execute(sql)
    return time.perf_counter() - start


def main() -> None:
    print("\nrescoring benchmark (2 cores; figures, not pass/fail)")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with connect() as conn:
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute(f"""INSERT INTO tsi.intersections (id, name, latitude, longitude)
                         SELECT {FIRST_ID - 1} + i, 'rescore bench ' || i, 30 + i * 0.01, -80
                         FROM generate_series(1, {INTERSECTIONS}) AS i""")
        for table in ("tsi.features_minute", "tsi.safety_indices_realtime"):
            conn.execute("SELECT tsi.create_daily_partitions(%s, %s, %s)", (table, DAY, DAY))
        # A day of features with some variety: volumes 5-21, events and hard braking cycling.
        conn.execute(f"""
            INSERT INTO tsi.features_minute (intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count, speed_n,
                                             speed_sum, speed_sum_sq, hard_braking_count, vru_event_count, vehicle_event_count)
            SELECT {FIRST_ID - 1} + i, timestamptz '{DAY}' + m * interval '1 minute', 40, 2, 5 + (i * m) % 17, 1, 40,
                   40 * (8 + i % 7), 40 * (8 + i % 7) ^ 2 + 40 * (m % 5), (i + m) % 3, (i * 7 + m) % 4, (i + m * 3) % 3
            FROM generate_series(1, {INTERSECTIONS}) AS i, generate_series(0, 1439) AS m""")
        conn.execute("ANALYZE tsi.features_minute")
        first = timed(conn, f"SELECT tsi.score_range('{DAY}', '{DAY}'::date + 1)")
        rows = conn.execute(f"SELECT count(*) FROM tsi.safety_indices_realtime WHERE timestamp >= '{DAY}' "
                            f"AND timestamp < '{DAY}'::date + 1").fetchone()[0]
        conn.execute("VACUUM ANALYZE tsi.safety_indices_realtime")
        bare = timed(conn, f"""CREATE TEMP TABLE bare_rewrite AS SELECT * FROM tsi.safety_indices_realtime
                                WHERE timestamp >= '{DAY}' AND timestamp < '{DAY}'::date + 1""")
        conn.execute(f"""INSERT INTO tsi.formula_config (formula_version, effective_from, description, eb_k, w_traffic_vru, w_traffic_vehicle)
                         SELECT max(formula_version) + 1, '{DAY}', 'rescore bench: another k and traffic weights', 30, 0.5, 0.5
                         FROM tsi.formula_config""")
        rescore = timed(conn, f"CALL tsi.rescore('{DAY}', '{DAY}'::date + 1)")
        version = conn.execute("SELECT max(formula_version) FROM tsi.formula_config").fetchone()[0]
        stale = conn.execute(f"""SELECT count(*) FROM tsi.safety_indices_realtime WHERE timestamp >= '{DAY}'
                                  AND timestamp < '{DAY}'::date + 1 AND formula_version <> {version}""").fetchone()[0]
        print(f"one day, {INTERSECTIONS:,} intersections: {rows:,} 1-minute rows from stored features")
        print(f"  bare rewrite of the rows (CREATE TABLE AS)  {bare:>7.1f} s   (physical bound, one session)")
        print(f"  first scoring (tsi.score_range)             {first:>7.1f} s")
        print(f"  formula change + CALL tsi.rescore           {rescore:>7.1f} s   target < 60 s "
              f"({rows / rescore:,.0f} rows/s; {stale} rows left on an older version)")


if __name__ == "__main__":
    main()
