"""The OpenAPI document at /api/ through nginx as a client generator reads it: api.openapi()
(deploy/api/openapi.sql), which PostgREST serves at its root (db-root-spec, db/postgrest.conf) in
place of its own. It lists what the caller's role may use: the write endpoints only with a token
(README, "The OpenAPI document"). Its details (every parameter described, required flags, answer
shapes) are checked in pgTAP 303; here, what a client sees over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from api_fixtures import ApiData

WRITES = ("/rpc/submit_rating", "/rpc/submit_trip", "/rpc/submit_vote", "/rpc/create_route",
          "/rpc/rename_route", "/rpc/delete_route", "/rpc/route", "/rpc/delete_account", "/my_ratings")


def test_anonymous_document_lists_reads_and_log_in_only(proxy: str) -> None:
    doc = httpx.get(proxy + "/api/", timeout=30).json()
    assert doc["swagger"] == "2.0"
    for path in ("/latest_indices", "/rpc/intersection_history", "/rpc/segments", "/rpc/sign_up", "/rpc/log_in"):
        assert path in doc["paths"], path
    assert not set(WRITES) & set(doc["paths"])


def test_document_with_a_token_lists_the_write_endpoints(proxy: str, make_token: Callable[..., str]) -> None:
    token = make_token({"role": "web_user"})
    doc = httpx.get(proxy + "/api/", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    for path in WRITES:
        assert path in doc["paths"], path
    assert "post" in doc["paths"]["/rpc/submit_rating"]
    assert {"segment_id", "rating"} <= set(doc["paths"]["/rpc/submit_rating"]["post"]["parameters"][0]["schema"]["properties"])


def test_geometry_is_a_geojson_object_and_answers_match(proxy: str, api_data: ApiData) -> None:
    doc = httpx.get(proxy + "/api/", timeout=30).json()
    assert doc["basePath"] == "/api"
    geometry = doc["definitions"]["GeoJSONGeometry"]
    assert geometry["type"] == "object" and set(geometry["required"]) == {"type", "coordinates"}
    assert doc["definitions"]["intersections"]["properties"]["geometry"] == {"$ref": "#/definitions/GeoJSONGeometry"}
    rows = httpx.get(proxy + "/api/intersections?limit=1", timeout=30).json()
    assert rows and isinstance(rows[0]["geometry"], dict) and rows[0]["geometry"]["type"] in geometry["properties"]["type"]["enum"]
    assert "crs" not in rows[0]["geometry"]  # RFC 7946 has no crs member (PostGIS 3.3 writes one for an SRID)


def test_rpc_parameters_are_described_and_required_ones_marked(proxy: str) -> None:
    doc = httpx.get(proxy + "/api/", timeout=30).json()
    get = doc["paths"]["/rpc/intersection_history"]["get"]
    params = {p["name"]: p for p in get["parameters"]}
    assert {n for n, p in params.items() if p["required"]} == {"intersection_id", "start_time", "end_time"}
    assert params["intersection_id"]["type"] == "integer" and params["start_time"]["format"] == "date-time"
    assert all(p["description"] for p in params.values())
    item = get["responses"]["200"]["schema"]["items"]["properties"]
    assert {"timestamp", "safety_index", "traffic_volume"} <= set(item)
    body = doc["paths"]["/rpc/log_in"]["post"]["parameters"][0]["schema"]
    assert body["required"] == ["email", "password"]
    assert doc["paths"]["/rpc/log_in"]["post"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/Session"}
    assert "get" not in doc["paths"]["/rpc/log_in"]  # a write is POST only
