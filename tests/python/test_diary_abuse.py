"""Issue 17 through a real PostgREST: statement timeouts that apply, tokens that die with their
accounts, log_in in constant time and throttled per e-mail, backdated ratings refused."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest

PASSWORD = "a long enough password"


def sign_up(url: str) -> tuple[str, str, str]:
    email = f"abuse-{uuid.uuid4().hex[:10]}@example.org"
    response = httpx.post(url + "/rpc/sign_up", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return email, response.json()["user_id"], response.json()["token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def segment(connect: Callable[..., psycopg.Connection]) -> Iterator[str]:
    segment_id = "abuse-" + uuid.uuid4().hex[:8]
    with connect() as conn:
        conn.execute(
            """INSERT INTO diary.segments (segment_id, street, length_m, geometry)
               VALUES (%s, 'Abuse St', 100, ST_GeomFromText('LINESTRING(-75.2 39.7, -75.199 39.7)', 4326))""",
            (segment_id,),
        )
    yield segment_id
    with connect() as conn:
        conn.execute("DELETE FROM diary.segments WHERE segment_id = %s", (segment_id,))


@pytest.fixture(scope="module")
def slow_api(connect: Callable[..., psycopg.Connection], start_postgrest: Callable[..., str]) -> Iterator[str]:
    """A PostgREST that also exposes tests_slow.sleep_for(seconds): a request as slow as asked."""
    with connect() as conn:
        conn.execute("""
            CREATE SCHEMA tests_slow;
            CREATE FUNCTION tests_slow.sleep_for(seconds double precision) RETURNS double precision
                LANGUAGE sql AS 'SELECT pg_sleep(seconds); SELECT seconds';
            GRANT USAGE ON SCHEMA tests_slow TO web_anon, web_user;
            GRANT EXECUTE ON FUNCTION tests_slow.sleep_for(double precision) TO web_anon, web_user;""")
    try:
        yield start_postgrest(PGRST_DB_SCHEMAS="api,tests_slow")
    finally:
        with connect() as conn:
            conn.execute("DROP SCHEMA tests_slow CASCADE")


def sleep_request(url: str, seconds: float, headers: dict[str, str] | None = None) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.post(url + "/rpc/sleep_for", json={"seconds": seconds}, timeout=60,
                          headers={"Content-Profile": "tests_slow", **(headers or {})})
    return response, time.monotonic() - started


def test_anonymous_request_stops_at_5_seconds(slow_api: str) -> None:
    fast, _ = sleep_request(slow_api, 0.1)
    assert fast.status_code == 200, fast.text
    response, took = sleep_request(slow_api, 8)
    assert response.json()["code"] == "57014", response.text  # canceling statement due to statement timeout
    assert response.status_code >= 500
    assert 4.5 < took < 6.5


def test_logged_in_request_stops_at_15_seconds(slow_api: str) -> None:
    _, _, token = sign_up(slow_api)
    response, took = sleep_request(slow_api, 6, auth(token))
    assert response.status_code == 200, response.text  # longer than web_anon's limit
    response, took = sleep_request(slow_api, 18, auth(token))
    assert response.json()["code"] == "57014", response.text
    assert 14.5 < took < 16.5


def test_analyst_connects_with_a_timeout(connect: Callable[..., psycopg.Connection]) -> None:
    with connect("analyst") as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5min",)


def test_deleted_account_token_is_refused(postgrest: str, segment: str) -> None:
    _, _, token = sign_up(postgrest)
    assert httpx.get(postgrest + "/my_account", headers=auth(token)).status_code == 200
    assert httpx.post(postgrest + "/rpc/delete_account", headers=auth(token)).status_code == 200
    for response in (
        httpx.get(postgrest + "/my_account", headers=auth(token)),
        httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segment, "rating": 1}, headers=auth(token)),
        httpx.post(postgrest + "/rpc/route", headers=auth(token),
                   json={"origin": [-75.2, 39.7], "destination": [-75.199, 39.7]}),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "TOKEN_REVOKED"
        assert "foreign key" not in response.text and "user_id" not in response.text
        assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_deactivated_account_cannot_write(
    postgrest: str, segment: str, connect: Callable[..., psycopg.Connection]
) -> None:
    _, user_id, token = sign_up(postgrest)
    with connect() as conn:
        conn.execute("UPDATE auth.users SET is_active = false WHERE user_id = %s", (user_id,))
    response = httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segment, "rating": 1}, headers=auth(token))
    assert response.status_code == 401, response.text
    with connect() as conn:
        assert conn.execute("SELECT count(*) FROM diary.ratings WHERE user_id = %s", (user_id,)).fetchone() == (0,)


def test_password_change_revokes_older_tokens(postgrest: str, connect: Callable[..., psycopg.Connection]) -> None:
    email, user_id, token = sign_up(postgrest)
    with connect() as conn:
        conn.execute("UPDATE auth.users SET password_hash = crypt('a brand new password', gen_salt('bf', 4)) "
                     "WHERE user_id = %s", (user_id,))
    assert httpx.get(postgrest + "/my_account", headers=auth(token)).status_code == 401
    fresh = httpx.post(postgrest + "/rpc/log_in", json={"email": email, "password": "a brand new password"})
    assert fresh.status_code == 200, fresh.text
    assert httpx.get(postgrest + "/my_account", headers=auth(fresh.json()["token"])).json()[0]["user_id"] == user_id


def test_log_in_takes_as_long_for_unknown_e_mails(postgrest: str) -> None:
    known = [sign_up(postgrest)[0] for _ in range(3)]

    def took(email: str) -> float:
        started = time.monotonic()
        response = httpx.post(postgrest + "/rpc/log_in", json={"email": email, "password": "wrong password!"})
        assert response.status_code == 401, response.text
        return time.monotonic() - started

    wrong_password = [took(e) for e in known for _ in range(2)]
    unknown_e_mail = [took(f"nobody-{uuid.uuid4().hex[:8]}@example.org") for _ in range(6)]
    # bcrypt of cost 10 either way (tens of ms); before, an unknown e-mail answered in ~2 ms
    assert statistics.median(unknown_e_mail) > 0.6 * statistics.median(wrong_password), (unknown_e_mail, wrong_password)


def test_log_in_is_throttled_per_e_mail(postgrest: str) -> None:
    email, _, _ = sign_up(postgrest)
    for _ in range(5):
        assert httpx.post(postgrest + "/rpc/log_in", json={"email": email, "password": "guess"}).status_code == 401
    refused = httpx.post(postgrest + "/rpc/log_in", json={"email": email.upper(), "password": PASSWORD})
    assert refused.status_code == 429, refused.text
    assert refused.json()["code"] == "LOGIN_THROTTLED"
    assert 0 < int(refused.headers["Retry-After"]) <= 900


def test_backdated_ratings_get_one_then_409(postgrest: str, segment: str) -> None:
    _, _, token = sign_up(postgrest)
    now = time.time()
    answers = [
        httpx.post(postgrest + "/rpc/submit_rating", headers=auth(token), json={
            "segment_id": segment, "rating": 1,
            "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - minutes * 60))})
        for minutes in (0, 61, 122, 183)
    ]
    assert [a.status_code for a in answers] == [200, 409, 409, 409], [a.text for a in answers]


def test_sign_up_probes_of_a_taken_e_mail_are_throttled(postgrest: str) -> None:
    email, _, _ = sign_up(postgrest)
    for _ in range(5):
        probe = httpx.post(postgrest + "/rpc/sign_up", json={"email": email, "password": PASSWORD})
        assert probe.status_code == 409 and probe.json()["message"].startswith("email:"), probe.text
    refused = httpx.post(postgrest + "/rpc/sign_up", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 900, refused.text
