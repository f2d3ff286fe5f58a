"""The API's edge answers every client in JSON, and every error is a 4xx with a reason: requests
that PostgREST 12.0.2 would answer with 500 (percent-escapes that are not UTF-8), nginx's own
error pages (400, 413, 414, 429 with Retry-After, 502), and wrongly typed RPC arguments, which
are named. Through the project's nginx (db/nginx/api.conf.template) and a real PostgREST."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest

from api_fixtures import ApiData, get

API_ERROR_KEYS = {"code", "details", "hint", "message"}


def raw_get(base: str, target: str, headers: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """A request sent byte for byte (httpx would re-encode the target)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET " + target.encode("latin-1") + b" HTTP/1.0\r\nHost: x\r\n" + headers + b"\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in fields.items()}, body


def assert_api_error(status: int, headers: dict[str, str], body: bytes, want: int, *words: str) -> dict[str, object]:
    import json
    assert status == want, body
    assert headers["content-type"].startswith("application/json"), headers
    doc = json.loads(body)
    assert set(doc) == API_ERROR_KEYS, doc
    for word in words:
        assert word in str(doc["message"]) + str(doc["hint"]), doc
    return doc


def assert_legacy_error(status: int, headers: dict[str, str], body: bytes, want: int) -> None:
    import json
    assert status == want, body
    assert headers["content-type"].startswith("application/json"), headers
    doc = json.loads(body)
    assert set(doc) == {"detail"} and isinstance(doc["detail"], str), doc


# --- percent-escapes that are not UTF-8 ------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/api/intersections?name=eq.%FF",
    "/api/latest_indices?intersection_name=eq.%C3",             # a truncated sequence
    "/api/intersections?name=eq.%C0%AF",                         # an overlong '/'
    "/api/intersections?name=eq.%ED%A0%80",                      # a UTF-16 surrogate
    "/api/intersections?name=eq.%F4%90%80%80",                   # beyond U+10FFFF
    "/api/intersections?name=eq.a%00b",                          # NUL
    "/api/rpc/intersections_near?latitude=38.8&longitude=-77.2&x=%FE",
    "/api/rpc/segments?bbox=%E9",
    "/api/safety_indices_hourly?%FF=1",
    "/api/intersections%FF",
    "/api/?%80",
    "/health?%FF",
])
def test_non_utf8_escapes_are_400_json(proxy: str, postgrest: str, api_data: ApiData, target: str) -> None:
    assert_api_error(*raw_get(proxy, target), 400, "UTF-8")


def test_postgrest_alone_answers_500_to_them(postgrest: str) -> None:
    """Why nginx checks: PostgREST 12.0.2 itself fails on the issue's example."""
    assert httpx.get(postgrest + "/intersections?name=eq.%FF", timeout=10).status_code == 500


@pytest.mark.parametrize("target", ["/api/v1/safety/index/?x=%FF", "/api/v1/safety/history/1?days=%C3%28"])
def test_non_utf8_escapes_on_legacy_urls_are_400_detail(proxy: str, target: str) -> None:
    assert_legacy_error(*raw_get(proxy, target), 400)


def test_utf8_escapes_pass(proxy: str, api_data: ApiData) -> None:
    for target in ("/api/intersections?name=eq.%C3%A9t%C3%A9", "/api/intersections?name=eq.%F0%9F%9A%A6",
                   "/api/intersections?name=eq.%E2%82%AC&limit=1", "/api/intersections?name=like.*%2A*"):
        status, headers, body = raw_get(proxy, target)
        assert status == 200 and body.startswith(b"["), (target, body)


# --- nginx's own error pages ------------------------------------------------------------------------

def test_body_too_large_is_413_json(proxy: str) -> None:
    body = b'{"polygon_geojson": "' + b"x" * 300_000 + b'"}'
    for path, legacy in (("/api/rpc/intersections_in_polygon", False), ("/api/v1/safety/index/", True)):
        r = httpx.request("GET" if legacy else "POST", proxy + path, content=body,
                          headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 413 and r.headers["content-type"].startswith("application/json"), r.text
        assert set(r.json()) == ({"detail"} if legacy else API_ERROR_KEYS)


def test_uri_too_large_is_414_json(proxy: str) -> None:
    assert_api_error(*raw_get(proxy, "/api/intersections?name=eq." + "a" * 20_000), 414, "URI")


def test_headers_too_large_are_400_json(proxy: str) -> None:
    assert_api_error(*raw_get(proxy, "/api/intersections", b"X-Big: " + b"a" * 20_000 + b"\r\n"), 400)
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"a" * 8000) for i in range(7))   # 56 KiB: PostgREST would refuse it in plain text
    assert_api_error(*raw_get(proxy, "/api/intersections", many), 400)


def test_non_ascii_headers_are_400_json(proxy: str) -> None:
    assert_api_error(*raw_get(proxy, "/api/intersections", b"Prefer: \xb7\r\n"), 400, "ASCII")


def test_rate_limit_is_429_json_with_retry_after(start_proxy: Callable[..., str]) -> None:
    limited = start_proxy(TSDB_PROXY_RATE="1r/m", TSDB_PROXY_BURST="1",
                          TSDB_PROXY_WRITE_RATE="1r/m", TSDB_PROXY_WRITE_BURST="1",
                          TSDB_PROXY_LOGIN_RATE="1r/m", TSDB_PROXY_LOGIN_BURST="1")
    for path in ("/api/intersections?limit=1", "/api/v1/safety/index/"):
        responses = [get(limited, path) for _ in range(3)]
        last = responses[-1]
        assert last.status_code == 429 and last.headers["content-type"].startswith("application/json"), last.text
        assert last.headers["retry-after"] == "1"
        assert last.headers["access-control-allow-origin"] == "*"
        assert set(last.json()) == ({"detail"} if "/v1/" in path else API_ERROR_KEYS)
    writes = [httpx.post(limited + "/api/rpc/log_in", json={"email": "x@example.org", "password": "p" * 10}, timeout=10)
              for _ in range(3)]
    assert writes[-1].status_code == 429 and writes[-1].headers["retry-after"] == "60"
    assert get(limited, "/api/intersections?limit=1").headers.get("retry-after") in (None, "1")


def test_upstream_down_is_502_json(start_proxy: Callable[..., str]) -> None:
    down = start_proxy(TSDB_POSTGREST_UPSTREAM="127.0.0.1:9")
    for path in ("/api/intersections", "/api/rpc/intersections_near?latitude=1&longitude=1", "/health"):
        r = get(down, path)
        assert r.status_code == 502 and r.headers["content-type"].startswith("application/json"), r.text
        assert set(r.json()) == API_ERROR_KEYS and r.json()["code"] == "TSDB503"


def test_every_nginx_answer_is_json(proxy: str) -> None:
    for path in ("/nothing", "/api/v1/nothing", "/api/v1/vcc/status"):
        r = get(proxy, path)
        assert r.status_code in (404, 410) and r.headers["content-type"].startswith("application/json")
        r.json()
    # / is the map page (test_map_page.py), the API's document /api/
    r = httpx.get(proxy + "/", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


# --- a wrongly typed argument names the argument ------------------------------------------------------

@pytest.mark.parametrize("path, name", [
    ("/api/rpc/intersections_near?latitude=abc&longitude=-77.2", "latitude must be a number"),
    ("/api/rpc/intersections_near?latitude=38.8&longitude=west", "longitude must be a number"),
    ("/api/rpc/intersections_near?latitude=38.8&longitude=-77.2&radius_m=far", "radius_m must be a number"),
    ("/api/rpc/intersections_along_route?waypoints=[[38.8,-77.2],[38.9,-77.2]]&buffer_m=1e", "buffer_m must be a number"),
    ("/api/rpc/intersection_history?intersection_id=first&start_time=2026-01-01&end_time=2026-01-02",
     "intersection_id must be an integer"),
    ("/api/rpc/segments?bbox=-75.17,39.945,-75.16,39.95&min_confidence=high", "min_confidence must be a number"),
    ("/api/rpc/coverage?bbox=-75.17,39.945,-75.16,39.95&grid_size=big", "grid_size must be a number"),
    ("/api/rpc/route_trend?route_id=42", "route_id must be a UUID"),
    ("/api/rpc/route_tags?route_id=00000000-0000-0000-0000-000000000000&top_n=many", "top_n must be an integer"),
])
def test_wrongly_typed_rpc_argument_is_named(proxy: str, path: str, name: str) -> None:
    r = get(proxy, path)
    assert r.status_code == 400 and set(r.json()) == API_ERROR_KEYS, r.text
    assert name in r.json()["message"]


def test_well_typed_arguments_and_view_filters_pass(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    for path in (f"/api/rpc/intersections_near?latitude={ix.latitude}&longitude=%2D{abs(ix.longitude)}&radius_m=1e3",
                 f"/api/rpc/intersections_near?latitude=+{ix.latitude}&longitude={ix.longitude}&radius_m=.5e3",
                 f"/api/latest_indices?intersection_id=eq.{ix.id}",
                 f"/api/intersections?latitude=gt.{ix.latitude - 1}&limit=1"):
        assert get(proxy, path).status_code == 200, path
