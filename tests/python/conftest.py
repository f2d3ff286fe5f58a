"""Fixtures shared by the Python tests.

The tests run against the throwaway test database that `make test` deploys (db/scripts/test.sh
exports its coordinates); HTTP tests start their own PostgREST on a free port against it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]

# tests/python/last runs after every other test, as a step of its own of db/scripts/test.sh: a run
# of tests/python leaves it out, a run that names it (pytest tests/python/last) runs it.
collect_ignore = ["last"]


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the Python tests through `make test` or `make test-py`", 2)
    return value


@pytest.fixture(scope="session")
def test_db() -> str:
    return _env("TSDB_TEST_DB")


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    return _env("TSDB_JWT_SECRET")


@pytest.fixture(scope="session")
def connect(test_db: str) -> Callable[..., psycopg.Connection]:
    """Connect to the test database (as the superuser unless `user` is given)."""

    def _connect(user: str | None = None, **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(dbname=test_db, user=user or os.environ.get("PGUSER"), **kwargs)

    return _connect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _run_postgrest(test_db: str, jwt_secret: str, log: Path, **env_overrides: str) -> Iterator[str]:
    """Run the PostgREST binary with db/postgrest.conf (PGRST_* variables override it)."""
    port = _free_port()
    env = {
        **os.environ,
        "PGRST_DB_URI": f"postgres://authenticator@/{test_db}?host={_env('PGHOST')}&port={_env('PGPORT')}",
        "PGRST_SERVER_PORT": str(port),
        "PGRST_JWT_SECRET": jwt_secret,
        # as behind the tests' nginx: the API at /api (the OpenAPI document's basePath)
        "PGRST_APP_SETTINGS_API_URL": "http://127.0.0.1/api",
        **env_overrides,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [_env("TSDB_POSTGREST_BIN"), str(ROOT / "db" / "postgrest.conf")],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"PostgREST did not start: {log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def postgrest(test_db: str, jwt_secret: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgREST binary serving the test database; yields its base URL."""
    with _run_postgrest(test_db, jwt_secret, tmp_path_factory.mktemp("postgrest") / "postgrest.log") as url:
        yield url


@pytest.fixture(scope="module")
def start_postgrest(test_db: str, jwt_secret: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Start further PostgREST instances with PGRST_* overrides (stopped after the module)."""
    with contextlib.ExitStack() as stack:
        def _start(**env_overrides: str) -> str:
            log = tmp_path_factory.mktemp("postgrest") / "postgrest.log"
            return stack.enter_context(_run_postgrest(test_db, jwt_secret, log, **env_overrides))

        yield _start


@pytest.fixture(scope="session")
def make_token(jwt_secret: str) -> Callable[..., str]:
    """Sign an HS256 JWT the way the database will, for requests as a logged-in user."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def _make(claims: dict[str, object], secret: str | None = None) -> str:
        head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = b64(json.dumps({"exp": int(time.time()) + 600, **claims}).encode())
        key = (secret or jwt_secret).encode()
        sig = b64(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
        return f"{head}.{body}.{sig}"

    return _make
