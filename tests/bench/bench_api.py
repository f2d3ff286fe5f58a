"""Benchmark of the REST API (`make bench`): prints figures, asserts nothing.

1 000 intersections, 30 days of hourly rollups and a latest 1-minute row each (the current-status
snapshot refreshed), on the database named by TSDB_BENCH_DB. A PostgREST (db/postgrest.conf) and
an nginx (db/nginx, rate limit lifted) are started on free loopback ports; wrk, a second process,
loads each endpoint for TSDB_BENCH_API_SECONDS (default 10) with 50 connections, first through
the proxy, then against PostgREST directly, so the proxy's cost is measured in the same run:
latest index of every intersection, a 7-day history (hourly), intersections near a point.
Requests carry "Accept-Encoding: gzip" as a browser's do. Each is run twice: as fast as the
connections go (the most requests/s; the latency then is mostly queueing) and paced at the
target's 500 requests/s offered (the latency a client sees at that rate).
Targets (issue 6): p95 < 25 ms and >= 500 requests/s for the latest index through the proxy.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psycopg

from collector.sim.synthetic import grid_intersections

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("TSDB_BENCH_API_SECONDS", "10"))
CONNECTIONS = 50
TARGET_RATE = 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_data(conn: psycopg.Connection) -> tuple[int, datetime, float, float]:
    """1 000 intersections with 30 days of hourly rows up to the last full hour and a 1-minute row
    each in that hour; returns a middle intersection, the end of the data and its position."""
    conn.execute("""TRUNCATE tsi.safety_indices_realtime, tsi.safety_indices_hourly, tsi.safety_indices_daily,
                    tsi.features_minute, tsi.data_quality_log, tsi.intersections CASCADE""")
    grid = grid_intersections(1000)
    with conn.cursor().copy("COPY tsi.intersections (id, name, latitude, longitude) FROM STDIN") as copy:
        for ix in grid:
            copy.write_row((ix.id, f"Synthetic {ix.id}", ix.latitude, ix.longitude))
    end = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    conn.execute("""
        INSERT INTO tsi.safety_indices_hourly (intersection_id, hour_timestamp, avg_si, min_si, max_si, std_si,
            total_volume, avg_volume, high_risk_minutes, data_quality_score, minutes_with_data, hour_of_day, day_of_week,
            avg_vru_index, avg_vehicle_index)
        SELECT i.id, h, x, x / 2, least(x * 1.5, 100), 5, 1200, 20, 3, 1, 60,
               extract(hour FROM h AT TIME ZONE 'America/New_York')::integer,
               extract(isodow FROM h AT TIME ZONE 'America/New_York')::integer - 1, x, x
        FROM tsi.intersections AS i
        CROSS JOIN generate_series(%s::timestamptz - interval '30 days', %s::timestamptz - interval '1 hour', interval '1 hour') AS h
        CROSS JOIN LATERAL (SELECT ((i.id * 7 + extract(epoch FROM h)::bigint / 3600 %% 97) %% 100)::float8 AS x) AS v""",
                 (end, end))
    conn.execute("""
        INSERT INTO tsi.safety_indices_realtime (intersection_id, timestamp, combined_index, combined_index_eb,
            vru_index, vru_index_eb, vehicle_index, vehicle_index_eb, traffic_index, traffic_volume, vru_count,
            window_volume, hour_of_day, day_of_week, formula_version)
        SELECT i.id, %s::timestamptz - interval '1 minute', x, x, x, x, x, x, x, 20, 1, 300, 8, 0, 1
        FROM tsi.intersections AS i CROSS JOIN LATERAL (SELECT (i.id * 13 %% 100)::float8 AS x) AS v""", (end,))
    conn.execute("REFRESH MATERIALIZED VIEW tsi.mv_current_safety_status")
    conn.execute("VACUUM ANALYZE tsi.intersections, tsi.safety_indices_hourly, tsi.safety_indices_realtime, tsi.mv_current_safety_status")
    mid = grid[len(grid) // 2]
    return mid.id, end, mid.latitude, mid.longitude


def wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def wrk(url: str, rate: int | None = None) -> dict[str, float]:
    """Saturating run, or with rate: each connection paused 0..2x a mean that offers 10 % more
    than the rate when responses are instant (wrk pauses between a response and the next request)."""
    pace = [] if rate is None else ["--", str(round(CONNECTIONS * 1000 / (rate * 1.1)))]
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s",
                          "-H", "Accept-Encoding: gzip",
                          "-s", str(ROOT / "tests" / "bench" / "wrk_report.lua"), url, *pace],
                         capture_output=True, text=True, check=True, timeout=SECONDS + 60).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    requests, duration_us, p50, p95, p99, bad, errors = (int(v) for v in line.split()[1:])
    return {"rps": requests / (duration_us / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000,
            "bad": bad, "errors": errors}


def main() -> None:
    db = os.environ["TSDB_BENCH_DB"]
    print(f"\nREST API benchmark: wrk, {CONNECTIONS} connections, {SECONDS} s per endpoint (figures, not pass/fail)")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with psycopg.connect(dbname=db, autocommit=True) as conn:
        mid, end, lat, lon = load_data(conn)
    endpoints = {
        "latest index, all 1 000": "/latest_indices",
        "legacy /api/v1/safety/index/": None,
        "7-day history (hourly)": f"/rpc/intersection_history?intersection_id={mid}"
                                  f"&start_time={(end - timedelta(days=7)).strftime('%Y-%m-%dT%H:%MZ')}"
                                  f"&end_time={end.strftime('%Y-%m-%dT%H:%MZ')}",
        "nearby (2 km)": f"/rpc/intersections_near?latitude={lat}&longitude={lon}&radius_m=2000",
    }
    pg_port, proxy_port = free_port(), free_port()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PGRST_SERVER_PORT": str(pg_port),
               "PGRST_DB_URI": f"postgres://authenticator@/{db}?host={os.environ['PGHOST']}&port={os.environ['PGPORT']}",
               "PGRST_JWT_SECRET": os.environ["TSDB_JWT_SECRET"], "PGRST_LOG_LEVEL": "crit"}
        postgrest = stack.enter_context(subprocess.Popen([os.environ["TSDB_POSTGREST_BIN"], str(ROOT / "db" / "postgrest.conf")],
                                                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        stack.callback(postgrest.terminate)
        nginx_env = {**os.environ, "TSDB_PROXY_PORT": str(proxy_port), "TSDB_POSTGREST_PORT": str(pg_port),
                     "TSDB_NGINX_LOG_DIR": tmp, "TSDB_PROXY_RATE": "100000r/s", "TSDB_PROXY_BURST": "100000",
                     "TSDB_PROXY_USER_RATE": "100000r/s", "TSDB_PROXY_USER_BURST": "100000",
                     "TSDB_PROXY_WORKERS": "1"}
        subprocess.run(["bash", str(ROOT / "db" / "scripts" / "nginx.sh"), "render", tmp], env=nginx_env, check=True)
        # no access log: it would measure the disk
        conf = Path(tmp, "nginx.conf")
        conf.write_text(conf.read_text().replace(f"access_log {tmp}/nginx-access.log;", "access_log off;"))
        nginx = stack.enter_context(subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-e", "stderr", "-p", tmp,
                                                      "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        stack.callback(nginx.terminate)
        wait(f"http://127.0.0.1:{pg_port}/rpc/health", postgrest)
        wait(f"http://127.0.0.1:{proxy_port}/health", nginx)
        print(f"{'endpoint':32} {'via':10} {'load':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  non-2xx")
        for name, path in endpoints.items():
            targets = ([("nginx", f"http://127.0.0.1:{proxy_port}/api/v1/safety/index/"),
                        ("PostgREST", f"http://127.0.0.1:{pg_port}/rpc/legacy_safety_index")] if path is None else
                       [("nginx", f"http://127.0.0.1:{proxy_port}/api{path}"), ("PostgREST", f"http://127.0.0.1:{pg_port}{path}")])
            for via, url in targets:
                for load, rate in (("max", None), (f"{TARGET_RATE}/s", TARGET_RATE)):
                    r = wrk(url, rate)
                    errors = f" ({r['errors']:.0f} socket errors)" if r["errors"] else ""
                    print(f"{name:32} {via:10} {load:>9} {r['rps']:>8,.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                          f"{r['p99']:>8.1f}  {r['bad']:.0f}{errors}")
    print(f"targets: latest index through nginx >= {TARGET_RATE} req/s, and p95 < 25 ms at that rate (design document: p95 < 2 s)")


if __name__ == "__main__":
    main()
