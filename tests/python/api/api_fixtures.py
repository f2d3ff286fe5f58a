"""Fixtures of the safety-index API tests: engine data made from simulated V2X messages, and
nginx (the project's configuration, db/nginx) in front of the test PostgREST on a free port.

Registered for the tests of this folder by its conftest.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psycopg
import pytest

from collector.sim.synthetic import Intersection, grid_intersections, traffic

ROOT = Path(__file__).resolve().parents[3]
FIRST_ID = 6001                   # ids of the API tests' intersections, apart from other tests'
ORIGIN = (38.70, -77.50)          # south-west of the other tests' grids
MINUTES = 5


@dataclass(frozen=True)
class ApiData:
    intersections: list[Intersection]
    silent: Intersection          # an intersection without any data
    start: datetime               # first simulated minute (UTC)
    end: datetime                 # end of the simulated traffic


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def api_data(connect: Callable[..., psycopg.Connection]) -> Iterator[ApiData]:
    """Three intersections with MINUTES minutes of simulated traffic landed, processed, rolled up
    (hourly and daily) and in the current-status snapshot, plus one intersection without data.
    The traffic is two days ago at noon UTC: its day partitions exist (made ahead at deploy) and
    its local day in New York is over, so the daily rollup includes it."""
    grid = grid_intersections(4, first_id=FIRST_ID, origin=ORIGIN)
    busy, silent = grid[:3], grid[3]
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=2) + timedelta(hours=12)
    end = start + timedelta(minutes=MINUTES)
    messages = sorted(traffic(busy, int(start.timestamp() * 1000), MINUTES * 60, 3), key=lambda m: m[1])
    batch = uuid.uuid4()
    with connect(autocommit=True) as conn:
        with conn.cursor().copy("COPY tsi.intersections (id, name, latitude, longitude) FROM STDIN") as copy:
            for ix in grid:
                copy.write_row((ix.id, f"API test {ix.id}", ix.latitude, ix.longitude))
        with conn.transaction():
            with conn.cursor().copy("COPY tsi.message_staging (batch_id, msg_type, received_at, payload) FROM STDIN") as copy:
                for kind, ts_ms, body in messages:
                    copy.write_row((batch, kind, datetime.fromtimestamp(ts_ms / 1000, timezone.utc), body))
            conn.execute("CALL tsi.land_batch(%s)", (batch,))
        conn.execute("CALL tsi.process_range(%s, %s)", (start, end))
        conn.execute("CALL tsi.rollup_hourly(%s)", (today,))
        conn.execute("CALL tsi.rollup_daily(%s)", (today,))
        conn.execute("CALL tsi.refresh_current_status()")
        conn.execute("""INSERT INTO tsi.data_quality_log (intersection_id, issue_type, severity, message, data_time)
                        VALUES (%s, 'silent_intersection', 'warning', 'API test: no messages', %s)""", (silent.id, start))
    yield ApiData(busy, silent, start, end)
    with connect(autocommit=True) as conn:
        ids = [ix.id for ix in grid]
        for table in ("bsm_messages", "psm_messages"):
            conn.execute(f"DELETE FROM tsi.{table} WHERE intersection_id = ANY(%s)", (ids,))
        conn.execute("DELETE FROM tsi.intersections WHERE id = ANY(%s)", (ids,))
        conn.execute("CALL tsi.refresh_current_status()")


def _start_nginx(postgrest_url: str, directory: Path, ready_any: bool = False,
                 **settings: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "TSDB_PROXY_PORT": str(port), "TSDB_NGINX_LOG_DIR": str(directory),
           "TSDB_POSTGREST_UPSTREAM": postgrest_url.removeprefix("http://"), "TSDB_PROXY_WORKERS": "1", **settings}
    subprocess.run(["bash", str(ROOT / "db" / "scripts" / "nginx.sh"), "render", str(directory)], env=env, check=True)
    proc = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-e", "stderr", "-p", str(directory),
                             "-c", str(directory / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=(directory / "nginx.log").open("wb"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200 or ready_any:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"nginx did not start: {(directory / 'nginx.log').read_text()}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def start_proxy(postgrest: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Start an nginx with the project's configuration in front of the test PostgREST; keyword
    arguments override its settings (e.g. TSDB_PROXY_RATE="1r/m", or TSDB_POSTGREST_UPSTREAM for
    another upstream: then any answer of /health means it runs). Returns its base URL."""
    started: list[subprocess.Popen[bytes]] = []

    def _start(**settings: str) -> str:
        proc, url = _start_nginx(postgrest, tmp_path_factory.mktemp("nginx"),
                                 ready_any="TSDB_POSTGREST_UPSTREAM" in settings, **settings)
        started.append(proc)
        return url

    yield _start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def proxy(start_proxy: Callable[..., str]) -> str:
    """nginx with a rate limit the tests cannot reach: its base URL."""
    return start_proxy(TSDB_PROXY_RATE="1000r/s", TSDB_PROXY_BURST="1000", TSDB_PROXY_USER_RATE="1000r/s",
                       TSDB_PROXY_USER_BURST="1000", TSDB_PROXY_LOGIN_RATE="1000r/s", TSDB_PROXY_LOGIN_BURST="1000")


# Shared by the API tests.
def get(base: str, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(base + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def assert_error(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["message"]
    for word in words:
        assert word in message, message
