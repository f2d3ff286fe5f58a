"""nginx in front of PostgREST: CORS, gzip, the micro-cache, request size and rate limits, and that
anonymous clients can write nothing. (The old endpoints: test_api_legacy_contract.py; errors as
JSON: test_api_edge.py.)"""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Callable

import httpx
import pytest

from api_fixtures import ApiData, get

# The old FastAPI endpoints (/api/v1/…): test_api_legacy_contract.py.

# --- proxy behaviour ---------------------------------------------------------------------

def test_openapi_document_under_api(proxy: str) -> None:
    r = get(proxy, "/api/")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/latest_indices", "/intersections", "/safety_indices_hourly", "/rpc/intersection_history",
                 "/rpc/intersections_near", "/rpc/legacy_safety_history"):
        assert path in paths
    assert "risk_band" in r.json()["definitions"]["latest_indices"]["properties"]


def test_gzip_and_cors(proxy: str) -> None:
    r = httpx.get(proxy + "/api/", headers={"Accept-Encoding": "gzip", "Origin": "https://dash.example"}, timeout=30)
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["access-control-allow-origin"] == "*"
    assert "Content-Range" in r.headers["access-control-expose-headers"]
    preflight = httpx.options(proxy + "/api/latest_indices", timeout=10, headers={
        "Origin": "https://dash.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "prefer, range"})
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert "Prefer" in preflight.headers["access-control-allow-headers"]


def test_latest_index_is_micro_cached_and_nothing_else(proxy: str, api_data: ApiData) -> None:
    first = get(proxy, "/api/latest_indices?order=intersection_id.desc")
    again = get(proxy, "/api/latest_indices?order=intersection_id.desc")
    assert first.headers["x-cache-status"] in ("MISS", "EXPIRED") and again.headers["x-cache-status"] == "HIT"
    assert again.json() == first.json()
    assert get(proxy, "/api/v1/safety/index/?_=1").headers["x-cache-status"] in ("MISS", "HIT", "EXPIRED")
    assert get(proxy, "/api/v1/safety/index/?_=2").headers["x-cache-status"] == "HIT"
    for path in ("/api/intersections?limit=1", "/api/rpc/tsi_health"):
        assert get(proxy, path).headers["x-cache-status"] == "BYPASS"
        assert get(proxy, path).headers["x-cache-status"] == "BYPASS"


@pytest.mark.parametrize("path", ["/api/latest_indices?order=intersection_id", "/api/v1/safety/index/"])
def test_cached_documents_are_kept_compressed_and_plain(proxy: str, api_data: ApiData, path: str) -> None:
    """The cache holds a gzip copy (made once by the compressing stage) and a plain one, each
    answered to the clients that ask for it, with the same content."""
    bodies = {}
    for encoding in ("gzip", "identity"):
        with httpx.Client(timeout=30) as client:
            responses = [client.get(proxy + path, headers={"Accept-Encoding": encoding}) for _ in range(2)]
        assert [r.status_code for r in responses] == [200, 200]
        assert responses[1].headers["x-cache-status"] == "HIT"
        assert responses[1].headers.get("content-encoding") == ("gzip" if encoding == "gzip" else None)
        assert "Accept-Encoding" in responses[1].headers["vary"]
        bodies[encoding] = responses[1].json()    # httpx decodes the gzip body
    assert bodies["gzip"] == bodies["identity"] and len(bodies["gzip"]) >= 1


@pytest.mark.parametrize("header", [b"Range: \xe0\xb1", b"Range-Unit: \xe0", b"Prefer: \xb7"])
def test_non_ascii_headers_are_refused_before_postgrest(proxy: str, header: bytes) -> None:
    """PostgREST 12.0.2 would answer these with 500 (schemathesis found it)."""
    host, port = proxy.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET /api/intersections HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + header + b"\r\n\r\n")
        status_line = conn.recv(100).split(b"\r\n")[0]
    assert status_line == b"HTTP/1.1 400 Bad Request"


def test_request_size_limit(proxy: str) -> None:
    body = json.dumps({"polygon_geojson": {"type": "Polygon", "coordinates": [[[0, 0]] * 40_000]}})
    r = httpx.post(proxy + "/api/rpc/intersections_in_polygon", content=body,
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413


def test_anonymous_requests_are_rate_limited(start_proxy: Callable[..., str], make_token: Callable[..., str]) -> None:
    limited = start_proxy(TSDB_PROXY_RATE="1r/m", TSDB_PROXY_BURST="3")
    # the start-up check took one request of the burst
    statuses = [get(limited, "/api/intersections?limit=1").status_code for _ in range(6)]
    assert statuses[:3] == [200] * 3 and statuses[3:] == [429] * 3
    # a made-up token does not skip the address's limit (issue 17: it did, PostgREST said 401)
    token = make_token({"role": "web_user"}, secret="x" * 32)
    assert get(limited, "/api/intersections?limit=1", headers={"Authorization": f"Bearer {token}"}).status_code == 429



def test_anonymous_writes_have_their_own_scarcer_limit(start_proxy: Callable[..., str]) -> None:
    """The diary's ~100 anonymous writes per hour and IP: POSTs without a token count against
    their own zone (here 1 a minute, burst 2), reads are not slowed by it."""
    limited = start_proxy(TSDB_PROXY_WRITE_RATE="1r/m", TSDB_PROXY_WRITE_BURST="2")
    statuses = [httpx.post(limited + "/api/rpc/submit_vote", json={"segment_id": "nowhere", "action": "agree"},
                           timeout=30).status_code for _ in range(5)]
    assert 429 not in statuses[:3] and statuses[3:] == [429, 429], statuses
    assert get(limited, "/api/intersections?limit=1").status_code == 200

# --- nothing is writable anonymously -----------------------------------------------------

def exposed(base: str) -> dict[str, dict[str, list[str]]]:
    """The views (with their columns) and functions PostgREST's OpenAPI document offers anonymously."""
    doc = get(base, "/").json()
    return {"views": {p: list(doc["definitions"][p[1:]]["properties"]) for p in doc["paths"]
                      if p != "/" and not p.startswith("/rpc/")},
            "functions": {p: [] for p in doc["paths"] if p.startswith("/rpc/")}}


@pytest.mark.parametrize("through", ["proxy", "postgrest"])
def test_anonymous_cannot_write_any_exposed_object(proxy: str, postgrest: str, api_data: ApiData, through: str) -> None:
    base = proxy + "/api" if through == "proxy" else postgrest
    objects = exposed(base)
    assert len(objects["views"]) >= 5 and len(objects["functions"]) >= 10
    ix = api_data.intersections[0]
    for view, columns in objects["views"].items():
        # a body with a column the view has, so that the privilege check (not the column check) answers
        row = ({"intersection_id": ix.id} if "intersection_id" in columns
               else {"id": 64998} if "id" in columns else {sorted(columns)[0]: None})
        for method, path, body in (("POST", view, row),
                                   ("PATCH", view, row),
                                   ("DELETE", view, None)):
            r = httpx.request(method, base + path, json=body, timeout=30)
            assert r.status_code in (401, 403, 405), f"{method} {view}: {r.status_code} {r.text}"
    for function in objects["functions"]:
        for method in ("PATCH", "DELETE", "PUT"):
            r = httpx.request(method, base + function, json={}, timeout=30)
            assert r.status_code in (401, 403, 405), f"{method} {function}: {r.status_code} {r.text}"
    # the data is intact
    rows = get(base, f"/intersections?id=eq.{ix.id}").json()
    assert rows and rows[0]["name"] == f"API test {ix.id}"
