"""The safety-index REST API over HTTP, through the project's nginx and directly against
PostgREST, on data the engine produced from simulated V2X messages (api_fixtures.api_data)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from api_fixtures import ApiData, assert_error, get

BAD = 400


# --- intersections and latest indices ----------------------------------------------------

def test_intersections_list_and_filter(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    rows = get(proxy, f"/api/intersections?id=eq.{ix.id}").json()
    assert len(rows) == 1
    assert rows[0]["name"] == f"API test {ix.id}"
    assert rows[0]["latitude"] == pytest.approx(ix.latitude)
    assert rows[0]["time_zone"] == "America/New_York"


def test_geojson_output_is_a_valid_feature_collection(proxy: str, api_data: ApiData) -> None:
    ids = ",".join(str(ix.id) for ix in [*api_data.intersections, api_data.silent])
    r = get(proxy, f"/api/intersections?id=in.({ids})", headers={"Accept": "application/geo+json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 4
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert lat == pytest.approx(feature["properties"]["latitude"])
        assert lon == pytest.approx(feature["properties"]["longitude"])
        assert "geometry" not in feature["properties"]


def test_latest_indices_have_risk_band_and_freshness(proxy: str, api_data: ApiData) -> None:
    ids = ",".join(str(ix.id) for ix in [*api_data.intersections, api_data.silent])
    rows = {r["intersection_id"]: r for r in get(proxy, f"/api/latest_indices?intersection_id=in.({ids})").json()}
    assert len(rows) == 4
    for ix in api_data.intersections:
        row = rows[ix.id]
        assert 0 <= row["safety_index"] <= 100
        assert row["risk_band"] == ("low" if row["safety_index"] < 60 else "medium" if row["safety_index"] <= 75 else "high")
        assert row["traffic_volume"] > 0
        last = row["last_updated"]
        assert last.startswith((api_data.end - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
        assert row["minutes_behind"] is not None and row["minutes_behind"] >= 0
    silent = rows[api_data.silent.id]
    assert silent["safety_index"] is None and silent["risk_band"] is None and silent["last_updated"] is None


# --- history -----------------------------------------------------------------------------

@pytest.mark.parametrize("span, aggregation, expected", [
    (timedelta(hours=1), None, "minute"),
    (timedelta(days=2), None, "minute"),
    (timedelta(days=3), None, "hour"),
    (timedelta(days=91), None, "day"),
    (timedelta(hours=1), "hour", "hour"),
])
def test_history_routes_by_range_or_explicit_aggregation(proxy: str, api_data: ApiData, span: timedelta,
                                                          aggregation: str | None, expected: str) -> None:
    ix = api_data.intersections[0]
    start = api_data.start - (timedelta(minutes=30) if expected != "day" else timedelta(days=45))
    params = {"intersection_id": ix.id, "start_time": start.isoformat(), "end_time": (start + span).isoformat()}
    if aggregation:
        params["aggregation"] = aggregation
    r = get(proxy, "/api/rpc/intersection_history", params=params)
    assert r.status_code == 200, r.text
    rows = r.json()
    assert rows, "the simulated traffic lies in every range"
    assert {row["aggregation"] for row in rows} == {expected}
    stamps = [row["timestamp"] for row in rows]
    assert stamps == sorted(stamps)
    if expected == "minute":
        assert len(rows) == 5 if span <= timedelta(hours=1) else len(rows) >= 5


@pytest.mark.parametrize("params, status, words", [
    ({"start_time": "2026-01-01", "end_time": "2026-01-02"}, BAD, ["intersection_id"]),
    ({"intersection_id": 6001, "end_time": "2026-01-02"}, BAD, ["start_time"]),
    ({"intersection_id": 6001, "start_time": "2026-01-02", "end_time": "2026-01-01"}, BAD, ["end_time"]),
    ({"intersection_id": 6001, "start_time": "2026-01-01", "end_time": "2026-01-02", "aggregation": "week"}, BAD, ["aggregation"]),
    ({"intersection_id": 64999, "start_time": "2026-01-01", "end_time": "2026-01-02"}, 404, ["intersection_id", "64999"]),
])
def test_history_errors_name_the_argument(proxy: str, api_data: ApiData, params: dict[str, object], status: int,
                                          words: list[str]) -> None:
    assert_error(get(proxy, "/api/rpc/intersection_history", params=params), status, *words)


# --- hourly and daily series, data quality, health -------------------------------------------

def test_hourly_series_filter_order_and_paging(proxy: str, api_data: ApiData) -> None:
    ids = ",".join(str(ix.id) for ix in api_data.intersections)
    base = f"/api/safety_indices_hourly?intersection_id=in.({ids})&order=intersection_id"
    r = get(proxy, base, headers={"Prefer": "count=exact"})
    assert r.status_code == 200, r.text
    assert len(r.json()) == 3 and r.headers["content-range"] == "0-2/3"
    assert all(row["hour_timestamp"].startswith(api_data.start.strftime("%Y-%m-%dT12")) for row in r.json())
    page = get(proxy, base + "&limit=1&offset=1", headers={"Prefer": "count=planned"})
    assert page.status_code in (200, 206), page.text
    assert [row["intersection_id"] for row in page.json()] == [api_data.intersections[1].id]
    assert page.headers["content-range"].startswith("1-1/")
    ranged = get(proxy, base, headers={"Range": "0-1"})
    assert len(ranged.json()) == 2


def test_daily_series(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    rows = get(proxy, f"/api/safety_indices_daily?intersection_id=eq.{ix.id}").json()
    assert len(rows) == 1
    assert rows[0]["date"] == api_data.start.date().isoformat()
    assert rows[0]["peak_hour"] == api_data.start.astimezone(ZoneInfo("America/New_York")).hour


def test_data_quality_events_recent_first(proxy: str, api_data: ApiData) -> None:
    rows = get(proxy, f"/api/data_quality_events?intersection_id=eq.{api_data.silent.id}&order=timestamp.desc&limit=5").json()
    assert [r["issue_type"] for r in rows] == ["silent_intersection"]
    assert rows[0]["severity"] == "warning"


def test_engine_health(proxy: str, api_data: ApiData) -> None:
    r = get(proxy, "/api/rpc/tsi_health")
    assert r.status_code == 200, r.text
    (row,) = r.json()
    assert row["failed_job_runs_24h"] == 0
    assert row["newest_index"] is not None
    last = {i["intersection_id"]: i["last_data"] for i in row["intersections"]}
    assert last[api_data.intersections[0].id] is not None and last[api_data.silent.id] is None
    for key in ("processing_lag_seconds", "pending_minutes", "hourly_watermark", "default_partition_rows"):
        assert key in row


# --- spatial searches --------------------------------------------------------------------

def test_near_point(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    rows = get(proxy, "/api/rpc/intersections_near",
               params={"latitude": ix.latitude, "longitude": ix.longitude, "radius_m": 500}).json()
    assert [r["id"] for r in rows] == [ix.id]
    assert rows[0]["distance_meters"] == pytest.approx(0, abs=0.01)
    assert rows[0]["safety_index"] is not None and rows[0]["risk_band"] in ("low", "medium", "high")
    wide = get(proxy, "/api/rpc/intersections_near",
               params={"latitude": ix.latitude, "longitude": ix.longitude, "radius_m": 3000}).json()
    assert {r["id"] for r in wide} >= {i.id for i in [*api_data.intersections, api_data.silent]}
    assert [r["distance_meters"] for r in wide] == sorted(r["distance_meters"] for r in wide)


@pytest.mark.parametrize("params, words", [
    ({"longitude": -77.5}, ["latitude"]),
    ({"latitude": 91, "longitude": -77.5}, ["latitude", "between"]),
    ({"latitude": 38.7, "longitude": -181}, ["longitude"]),
    ({"latitude": 38.7, "longitude": -77.5, "radius_m": 20}, ["radius_m"]),
])
def test_near_errors_name_the_argument(proxy: str, params: dict[str, object], words: list[str]) -> None:
    assert_error(get(proxy, "/api/rpc/intersections_near", params=params), BAD, *words)


def test_along_route_by_waypoints_and_geojson(proxy: str, api_data: ApiData) -> None:
    a, b = api_data.intersections[0], api_data.intersections[1]
    waypoints = json.dumps([[a.latitude, a.longitude], [b.latitude, b.longitude]])
    rows = get(proxy, "/api/rpc/intersections_along_route", params={"waypoints": waypoints, "buffer_m": 50}).json()
    assert {r["id"] for r in rows} == {a.id, b.id}
    line = {"type": "LineString", "coordinates": [[a.longitude, a.latitude], [b.longitude, b.latitude]]}
    posted = httpx.post(proxy + "/api/rpc/intersections_along_route", json={"route_geojson": line, "buffer_m": 50}, timeout=30)
    assert posted.status_code == 200, posted.text
    assert {r["id"] for r in posted.json()} == {a.id, b.id}


@pytest.mark.parametrize("params, words", [
    ({}, ["waypoints", "route_geojson"]),
    ({"waypoints": "[[38.7,-77.5]]"}, ["waypoints", "2 points"]),
    ({"waypoints": "[[38.7,-77.5],[95,-77.5]]"}, ["waypoints[1] latitude"]),
    ({"waypoints": "[[38.7,-77.5],[38.8,-77.5]]", "buffer_m": 1}, ["buffer_m"]),
])
def test_along_route_errors_name_the_argument(proxy: str, params: dict[str, object], words: list[str]) -> None:
    assert_error(get(proxy, "/api/rpc/intersections_along_route", params=params), BAD, *words)


def test_in_polygon(proxy: str, api_data: ApiData) -> None:
    lat0, lon0 = api_data.intersections[0].latitude, api_data.intersections[0].longitude
    ring = [[lon0 - 0.001, lat0 - 0.001], [lon0 + 0.02, lat0 - 0.001], [lon0 + 0.02, lat0 + 0.001],
            [lon0 - 0.001, lat0 + 0.001], [lon0 - 0.001, lat0 - 0.001]]
    polygon = json.dumps({"type": "Polygon", "coordinates": [ring]})
    rows = get(proxy, "/api/rpc/intersections_in_polygon", params={"polygon_geojson": polygon}).json()
    assert [r["id"] for r in rows] == [api_data.intersections[0].id, api_data.intersections[1].id]
    assert_error(get(proxy, "/api/rpc/intersections_in_polygon",
                     params={"polygon_geojson": json.dumps({"type": "Point", "coordinates": [lon0, lat0]})}),
                 BAD, "polygon_geojson")
    assert_error(get(proxy, "/api/rpc/intersections_in_polygon"), BAD, "polygon_geojson")
