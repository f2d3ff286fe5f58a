"""The route safety diary over HTTP: a real PostgREST in front of the test database."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import psycopg
import pytest

BBOX = "-75.2,39.8,-75.0,40.0"


@pytest.fixture(scope="module")
def segments(connect: Callable[..., psycopg.Connection]) -> Iterator[list[str]]:
    """Five connected segments with a run-unique prefix, removed afterwards."""
    prefix = "http-" + uuid.uuid4().hex[:8] + "-"
    ids = [f"{prefix}{i}" for i in range(5)]
    with connect() as conn:
        conn.execute(
            """INSERT INTO diary.segments (segment_id, street, length_m, geometry)
               SELECT %s || i, 'Http St', 100,
                      ST_SetSRID(ST_MakeLine(ST_MakePoint(-75.1 + i * 0.001, 39.9),
                                             ST_MakePoint(-75.1 + (i + 1) * 0.001, 39.9)), 4326)
               FROM generate_series(0, 4) i""",
            (prefix,),
        )
    yield ids
    with connect() as conn:
        conn.execute("DELETE FROM diary.segments WHERE segment_id LIKE %s", (prefix + "%",))


def sign_up(url: str, password: str = "a long enough password") -> tuple[str, str, str]:
    email = f"User-{uuid.uuid4().hex[:10]}@Example.org"
    response = httpx.post(url + "/rpc/sign_up", json={"email": email, "password": password, "display_name": "T"})
    assert response.status_code == 200, response.text
    body = response.json()
    return email, body["user_id"], body["token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_up_and_log_in(postgrest: str) -> None:
    email, user_id, token = sign_up(postgrest)
    response = httpx.post(postgrest + "/rpc/log_in", json={"email": email.upper(), "password": "a long enough password"})
    assert response.status_code == 200
    assert response.json()["user_id"] == user_id
    account = httpx.get(postgrest + "/my_account", headers=auth(response.json()["token"]))
    assert account.status_code == 200
    assert account.json() == [account.json()[0]] and account.json()[0]["email"] == email.lower()
    assert "password_hash" not in account.json()[0]


@pytest.mark.parametrize(
    "body, status, field",
    [({"email": "x@example.org", "password": "wrong password!"}, 401, "email, password"),
     ({"email": "nobody@example.org", "password": "whatever it is"}, 401, "email, password")],
)
def test_log_in_refused(postgrest: str, body: dict[str, str], status: int, field: str) -> None:
    response = httpx.post(postgrest + "/rpc/log_in", json=body)
    assert response.status_code == status
    assert response.json()["message"].startswith(field + ":")


def test_sign_up_errors(postgrest: str) -> None:
    email, _, _ = sign_up(postgrest)
    dup = httpx.post(postgrest + "/rpc/sign_up", json={"email": email.lower(), "password": "long enough pass"})
    assert dup.status_code == 409
    short = httpx.post(postgrest + "/rpc/sign_up", json={"email": "s@example.org", "password": "short"})
    assert short.status_code == 400
    assert short.json()["message"] == "password: must be at least 10 characters"


def test_writes_need_a_token(postgrest: str, segments: list[str]) -> None:
    response = httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segments[0], "rating": 3})
    assert response.status_code == 401
    assert httpx.get(postgrest + "/my_ratings").status_code == 401


@pytest.mark.parametrize("kind", ["expired", "tampered"])
def test_bad_tokens_get_401(postgrest: str, make_token: Callable[..., str], segments: list[str], kind: str) -> None:
    _, user_id, token = sign_up(postgrest)
    if kind == "expired":
        bad = make_token({"role": "web_user", "sub": user_id, "exp": 1})
    else:
        head, body, sig = token.split(".")
        bad = f"{head}.{body}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    response = httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segments[0], "rating": 3},
                          headers=auth(bad))
    assert response.status_code == 401


def test_rating_happy_path_retry_and_errors(postgrest: str, segments: list[str]) -> None:
    _, _, token = sign_up(postgrest)
    rating_id = str(uuid.uuid4())
    body = {"segment_id": segments[0], "rating": 2, "tags": ["poor_lighting", "dogs"], "comment": "<i>dark</i>",
            "rating_id": rating_id}
    first = httpx.post(postgrest + "/rpc/submit_rating", json=body, headers=auth(token))
    assert first.status_code == 200, first.text
    assert first.json()["created"] is True
    assert first.json()["segment"]["n_samples"] >= 1
    retry = httpx.post(postgrest + "/rpc/submit_rating", json=body, headers=auth(token))
    assert retry.status_code == 200 and retry.json()["created"] is False
    assert retry.json()["rating_id"] == rating_id
    mine = httpx.get(postgrest + "/my_ratings", headers=auth(token)).json()
    assert [r["rating_id"] for r in mine] == [rating_id]
    assert mine[0]["comment"] == "<i>dark</i>"

    dup = httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segments[0], "rating": 4}, headers=auth(token))
    assert dup.status_code == 409
    cases = [({"segment_id": segments[1], "rating": 9}, 400, "rating:"),
             ({"segment_id": segments[1], "rating": 3, "tags": ["sharks"]}, 400, "tags:"),
             ({"segment_id": "no-such-segment", "rating": 3}, 404, "segment_id:")]
    for payload, status, prefix in cases:
        response = httpx.post(postgrest + "/rpc/submit_rating", json=payload, headers=auth(token))
        assert response.status_code == status, response.text
        assert response.json()["message"].startswith(prefix)


def test_trip_and_votes(postgrest: str, segments: list[str]) -> None:
    _, _, token = sign_up(postgrest)
    trip = {"submission_id": str(uuid.uuid4()), "segment_ids": segments[1:4], "rating": 4,
            "overrides": [{"segment_id": segments[2], "rating": 1}]}
    response = httpx.post(postgrest + "/rpc/submit_trip", json=trip, headers=auth(token))
    assert response.status_code == 200, response.text
    assert [r["rating"] for r in response.json()["ratings"]] == [4, 1, 4]
    assert httpx.post(postgrest + "/rpc/submit_trip", json=trip, headers=auth(token)).json()["created"] is False
    too_many = {**trip, "submission_id": str(uuid.uuid4()),
                "overrides": [{"segment_id": s, "rating": 1} for s in segments[1:4]]}
    refused = httpx.post(postgrest + "/rpc/submit_trip", json=too_many, headers=auth(token))
    assert refused.status_code == 400 and refused.json()["message"] == "overrides: at most 2 per trip"

    vote = httpx.post(postgrest + "/rpc/submit_vote", json={"segment_id": segments[4], "action": "agree"}, headers=auth(token))
    assert vote.status_code == 200 and vote.json()["implicit_rating"] == 3.0
    again = httpx.post(postgrest + "/rpc/submit_vote", json={"segment_id": segments[4], "action": "agree"}, headers=auth(token))
    assert again.status_code == 409
    bad = httpx.post(postgrest + "/rpc/submit_vote", json={"segment_id": segments[4], "action": "meh"}, headers=auth(token))
    assert bad.status_code == 400 and bad.json()["message"] == "action: must be agree or safer"


def test_segments_by_bbox_with_paging_count_and_geojson(postgrest: str, segments: list[str]) -> None:
    bbox = "-75.1005,39.899,-75.0945,39.901"  # exactly our five segments
    page = httpx.get(postgrest + "/rpc/segments", params={"bbox": bbox, "limit": 2, "offset": 1},
                     headers={"Prefer": "count=exact"})
    assert page.status_code in (200, 206), page.text
    rows = page.json()
    assert [r["segment_id"] for r in rows] == sorted(segments)[1:3]
    assert page.headers["Content-Range"].endswith("/5")
    assert rows[0]["geometry"]["type"] == "LineString"
    assert set(rows[0]) >= {"street", "length_m", "decayed_mean", "n_eff", "confidence", "top_tags", "delta_30d",
                            "last_updated"}
    geo = httpx.get(postgrest + "/rpc/segments", params={"bbox": bbox}, headers={"Accept": "application/geo+json"})
    assert geo.status_code == 200, geo.text
    assert geo.json()["type"] == "FeatureCollection" and len(geo.json()["features"]) == 5
    bad = httpx.get(postgrest + "/rpc/segments", params={"bbox": "1,2,3"})
    assert bad.status_code == 400 and bad.json()["message"].startswith("bbox:")


def test_routes_own_and_public(postgrest: str, segments: list[str]) -> None:
    _, _, alice = sign_up(postgrest)
    _, _, bob = sign_up(postgrest)
    created = httpx.post(postgrest + "/rpc/create_route",
                         json={"route_name": "to work", "segment_ids": segments[:3], "is_public": False}, headers=auth(alice))
    assert created.status_code == 200, created.text
    private_id = created.json()["route_id"]
    assert created.json()["length_m"] == 300
    public = httpx.post(postgrest + "/rpc/create_route",
                        json={"route_name": "park loop", "segment_ids": segments[3:], "is_public": True}, headers=auth(alice))
    public_id = public.json()["route_id"]

    def visible(headers: dict[str, str]) -> set[str]:
        rows = httpx.get(postgrest + "/routes", params={"route_id": f"in.({private_id},{public_id})"}, headers=headers).json()
        return {r["route_id"] for r in rows}

    assert visible(auth(alice)) == {private_id, public_id}
    assert visible(auth(bob)) == {public_id}
    assert visible({}) == {public_id}
    renamed = httpx.post(postgrest + "/rpc/rename_route", json={"route_id": private_id, "route_name": "commute"},
                         headers=auth(alice))
    assert renamed.status_code == 200 and renamed.json()["route_name"] == "commute"
    stolen = httpx.post(postgrest + "/rpc/rename_route", json={"route_id": public_id, "route_name": "mine"}, headers=auth(bob))
    assert stolen.status_code == 404
    assert httpx.post(postgrest + "/rpc/delete_route", json={"route_id": private_id}, headers=auth(bob)).status_code == 404
    assert httpx.post(postgrest + "/rpc/delete_route", json={"route_id": private_id}, headers=auth(alice)).status_code == 200
    assert visible(auth(alice)) == {public_id}


def test_ratings_of_others_stay_private(postgrest: str, segments: list[str]) -> None:
    _, _, alice = sign_up(postgrest)
    _, _, bob = sign_up(postgrest)
    httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segments[3], "rating": 5}, headers=auth(alice))
    assert len(httpx.get(postgrest + "/my_ratings", headers=auth(alice)).json()) == 1
    assert httpx.get(postgrest + "/my_ratings", headers=auth(bob)).json() == []


def test_write_limit_answers_429_with_retry_after(
    postgrest: str, segments: list[str], connect: Callable[..., psycopg.Connection]
) -> None:
    _, user_id, token = sign_up(postgrest)
    with connect() as conn:  # 20 rating submissions in the last hour, the free tier's limit
        conn.execute(
            """INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at, created_at)
               SELECT %s, %s, 3, now() - make_interval(hours => 2 * i), now() - interval '10 minutes'
               FROM generate_series(1, 20) i""",
            (segments[0], user_id),
        )
    response = httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segments[1], "rating": 3},
                          headers=auth(token))
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["Retry-After"]) <= 3000
    assert response.json()["hint"].startswith("retry after")


def test_diary_health(postgrest: str, segments: list[str]) -> None:
    response = httpx.get(postgrest + "/rpc/diary_health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["segments"] >= 5


def test_delete_account(postgrest: str, segments: list[str]) -> None:
    email, _, token = sign_up(postgrest)
    httpx.post(postgrest + "/rpc/submit_vote", json={"segment_id": segments[2], "action": "safer"}, headers=auth(token))
    deleted = httpx.post(postgrest + "/rpc/delete_account", headers=auth(token))
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["votes"] == 1
    again = httpx.post(postgrest + "/rpc/log_in", json={"email": email, "password": "a long enough password"})
    assert again.status_code == 401


def test_route_and_charts(postgrest: str, segments: list[str]) -> None:
    _, _, token = sign_up(postgrest)
    body = {"origin": [-75.1, 39.9], "destination": [-75.095, 39.9], "mode": "safest"}
    anonymous = httpx.post(postgrest + "/rpc/route", json=body)
    assert anonymous.status_code == 401
    response = httpx.post(postgrest + "/rpc/route", json=body, headers=auth(token))
    assert response.status_code == 200, response.text
    primary = response.json()["primary"]
    assert primary["segment_ids"] == segments
    assert primary["geometry"]["type"] == "LineString"
    assert primary["length_m"] == 500 and primary["duration_walk_min"] == 6.0
    far = httpx.post(postgrest + "/rpc/route", json={**body, "destination": [-74.9, 39.9]}, headers=auth(token))
    assert far.status_code == 400 and far.json()["message"].startswith("destination: more than 10 km")

    saved = httpx.post(postgrest + "/rpc/create_route",
                       json={"route_name": "charted", "segment_ids": segments, "is_public": True}, headers=auth(token))
    route_id = saved.json()["route_id"]
    httpx.post(postgrest + "/rpc/submit_rating", json={"segment_id": segments[0], "rating": 4, "tags": ["dogs"]},
               headers=auth(token))
    tags = httpx.get(postgrest + "/rpc/route_tags", params={"route_id": route_id})
    assert tags.status_code == 200
    counts = {t["tag"]: t["count"] for t in tags.json()}
    assert counts["dogs"] >= 1
    assert [t["count"] for t in tags.json()] == sorted(counts.values(), reverse=True)
    assert all(0 < t["percentage"] <= 100 for t in tags.json())
    trend = httpx.get(postgrest + "/rpc/route_trend", params={"route_id": route_id})
    assert trend.status_code == 200 and trend.json()[-1]["n_samples"] >= 1
    missing = httpx.get(postgrest + "/rpc/route_trend", params={"route_id": str(uuid.uuid4())})
    assert missing.status_code == 404

    cells = httpx.get(postgrest + "/rpc/coverage", params={"bbox": "-75.1005,39.899,-75.0945,39.901", "grid_size": 100})
    assert cells.status_code == 200
    assert sum(c["segment_count"] for c in cells.json()) >= 5
    huge = httpx.get(postgrest + "/rpc/coverage", params={"bbox": "-76,39,-75,40"})
    assert huge.status_code == 400 and huge.json()["message"].startswith("bbox: at most")
