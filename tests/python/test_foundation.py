"""The foundation over real connections: PostgREST over HTTP, logins of the client roles,
and the collector package's entry point."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import httpx
import psycopg
import pytest


def test_root_serves_the_openapi_document(postgrest: str) -> None:
    response = httpx.get(postgrest + "/")
    assert response.status_code == 200
    doc = response.json()
    assert doc["swagger"] == "2.0"
    assert doc["info"]["title"].startswith("Traffic-safety database REST API")
    assert "/rpc/health" in doc["paths"]
    assert "server time" in doc["paths"]["/rpc/health"]["get"]["summary"]


def test_health_answers_anonymously(postgrest: str, test_db: str) -> None:
    response = httpx.get(postgrest + "/rpc/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == test_db
    assert body["postgis_version"].startswith("3.")


def test_health_answers_with_a_valid_token(postgrest: str, make_token: Callable[..., str]) -> None:
    token = make_token({"role": "web_user"})  # with a sub, only of an existing account (the pre-request check)
    response = httpx.get(postgrest + "/rpc/health", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    "claims, secret",
    [({"role": "web_user"}, "a-different-secret-of-at-least-32-chars!"),
     ({"role": "web_user", "exp": 1}, None)],
    ids=["wrong-signature", "expired"],
)
def test_bad_tokens_are_refused(
    postgrest: str, make_token: Callable[..., str], claims: dict[str, object], secret: str | None
) -> None:
    token = make_token(claims, secret)
    response = httpx.get(postgrest + "/rpc/health", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_token_cannot_claim_a_privileged_role(postgrest: str, make_token: Callable[..., str]) -> None:
    token = make_token({"role": "tsdb_owner"})
    response = httpx.get(postgrest + "/rpc/health", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (401, 403)


def test_unknown_function_is_404(postgrest: str) -> None:
    assert httpx.get(postgrest + "/rpc/no_such_function").status_code == 404


def test_analyst_logs_in_read_only_with_the_data_schemas_on_its_path(
    connect: Callable[..., psycopg.Connection],
) -> None:
    with connect("analyst") as conn:
        path = conn.execute("SHOW search_path").fetchone()
        read_only = conn.execute("SHOW default_transaction_read_only").fetchone()
        assert path == ("tsi, diary, analytics, public",)
        assert read_only == ("on",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE tsi.scratch (x int)")


def test_anonymous_role_cannot_log_in(connect: Callable[..., psycopg.Connection]) -> None:
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        connect("web_anon")


def test_collector_cli_answers_help() -> None:
    result = subprocess.run([sys.executable, "-m", "collector.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage: collector" in result.stdout
