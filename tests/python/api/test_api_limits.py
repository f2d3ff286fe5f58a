"""Issue 17, finding 2: limits a forged Authorization header cannot skip, through the project's
nginx (db/nginx/api.conf.template) and a real PostgREST: every request counts against its client
address, log_in and sign_up have a scarce rate per address, a user's token its own rate (that of
its tier), and the database's per-e-mail log-in throttle reaches the client as 429 with its own
Retry-After."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import psycopg

from api_fixtures import get

PASSWORD = "a long enough password"


def test_forged_authorization_header_does_not_skip_the_address_limit(start_proxy: Callable[..., str]) -> None:
    limited = start_proxy(TSDB_PROXY_RATE="1r/m", TSDB_PROXY_BURST="5")
    forged = {"Authorization": "Basic Zm9vOmJhcg=="}
    statuses = [get(limited, "/api/intersections?limit=1", headers=forged).status_code for _ in range(10)]
    # PostgREST reads a Basic header as no token (anonymous); it used to skip nginx's limits
    assert statuses[:4] == [200] * 4 and statuses[-4:] == [429] * 4, statuses
    last = get(limited, "/api/intersections?limit=1", headers=forged)
    assert last.status_code == 429 and last.headers["Retry-After"] == "1" and last.json()["code"] == "TSDB429"


def test_log_in_and_sign_up_are_throttled_per_address(start_proxy: Callable[..., str]) -> None:
    limited = start_proxy(TSDB_PROXY_LOGIN_RATE="1r/m", TSDB_PROXY_LOGIN_BURST="4")
    guesses = [httpx.post(limited + "/api/rpc/log_in", timeout=30,
                          json={"email": f"guess-{i}@example.org", "password": "wrong password"}) for i in range(8)]
    statuses = [r.status_code for r in guesses]
    assert statuses[:4] == [401] * 4 and statuses[-3:] == [429] * 3, statuses
    assert guesses[-1].headers["Retry-After"] == "60" and guesses[-1].json()["code"] == "TSDB429"
    # sign-up spam from the same address is in the same zone, already spent
    spam = httpx.post(limited + "/api/rpc/sign_up", json={"email": f"spam-{uuid.uuid4().hex[:8]}@example.org",
                                                          "password": PASSWORD}, timeout=30)
    assert spam.status_code == 429, spam.text
    # with a token too: the header changes nothing
    forged = httpx.post(limited + "/api/rpc/log_in", json={"email": "x@example.org", "password": "p"},
                        headers={"Authorization": "Bearer made.up.token"}, timeout=30)
    assert forged.status_code == 429
    # reads from the address are not slowed by it
    assert get(limited, "/api/intersections?limit=1").status_code == 200


def test_a_token_has_its_own_rate(start_proxy: Callable[..., str], postgrest: str) -> None:
    limited = start_proxy(TSDB_PROXY_USER_RATE="1r/m", TSDB_PROXY_USER_BURST="3")
    tokens = [httpx.post(postgrest + "/rpc/sign_up", timeout=30, json={
        "email": f"reader-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD}).json()["token"] for _ in range(2)]
    first = [get(limited, "/api/my_account", headers={"Authorization": f"Bearer {tokens[0]}"}).status_code
             for _ in range(6)]
    assert first[:4] == [200] * 4 and first[-1] == 429, first
    # another user's token at the same address is not slowed by the first one's
    assert get(limited, "/api/my_account", headers={"Authorization": f"Bearer {tokens[1]}"}).status_code == 200


def test_a_token_has_the_rate_of_its_tier(start_proxy: Callable[..., str], postgrest: str,
                                         connect: Callable[..., psycopg.Connection]) -> None:
    limited = start_proxy(TSDB_PROXY_USER_RATE="1r/m", TSDB_PROXY_USER_BURST="2",
                          TSDB_PROXY_PREMIUM_RATE="1r/m", TSDB_PROXY_PREMIUM_BURST="6")
    emails = [f"tier-{uuid.uuid4().hex[:8]}@example.org" for _ in range(2)]
    free, upgraded = (httpx.post(postgrest + "/rpc/sign_up", json={"email": e, "password": PASSWORD}, timeout=30).json()["token"]
                      for e in emails)
    with connect(autocommit=True) as conn:
        conn.execute("UPDATE auth.users SET api_tier = 'premium' WHERE email = %s", (emails[1],))
    # the token issued before the upgrade claims free: refused, log in again
    assert get(limited, "/api/my_account", headers={"Authorization": f"Bearer {upgraded}"}).status_code == 401
    premium = httpx.post(postgrest + "/rpc/log_in", json={"email": emails[1], "password": PASSWORD}, timeout=30).json()["token"]

    def statuses(token: str, n: int) -> list[int]:
        return [get(limited, "/api/my_account", headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(n)]
    free_statuses, premium_statuses = statuses(free, 5), statuses(premium, 9)
    assert free_statuses[:3] == [200] * 3 and free_statuses[-1] == 429, free_statuses
    assert premium_statuses[:7] == [200] * 7 and premium_statuses[-1] == 429, premium_statuses
    # a forged token that claims premium (its payload's prefix) gets the premium rate of nginx and
    # nothing else: PostgREST refuses the signature
    header, payload, _ = premium.split(".")
    forged = get(limited, "/api/my_account", headers={"Authorization": f"Bearer {header}.{payload[:-2]}AA.c2lnbmF0dXJl"})
    assert forged.status_code == 401, forged.text


def test_log_in_throttle_per_e_mail_reaches_the_client(proxy: str, postgrest: str) -> None:
    email = f"target-{uuid.uuid4().hex[:8]}@example.org"
    assert httpx.post(postgrest + "/rpc/sign_up", json={"email": email, "password": PASSWORD}, timeout=30).status_code == 200
    for _ in range(5):
        assert httpx.post(proxy + "/api/rpc/log_in", json={"email": email, "password": "guess"}, timeout=30).status_code == 401
    refused = httpx.post(proxy + "/api/rpc/log_in", json={"email": email, "password": PASSWORD}, timeout=30)
    assert refused.status_code == 429 and refused.json()["code"] == "LOGIN_THROTTLED", refused.text
    assert refused.headers.get_list("Retry-After") == [refused.headers["Retry-After"]]  # the database's, once
    assert 800 < int(refused.headers["Retry-After"]) <= 900
