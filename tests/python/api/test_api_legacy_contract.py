"""The contract of the FastAPI backend the design document replaces, route by route, through the
project's nginx and a real PostgREST: what its dashboard (the Streamlit frontend) and any other
client of /api/v1/… relied on. Written from the old backend's schemas (backend/app/schemas:
IntersectionRead, IntersectionList, IntersectionHistory, IntersectionHistoryPoint,
IntersectionAggregateStats) and routers (backend/app/api: intersection.py, history.py, vcc.py;
the design document's §5.2 nearby and route), not from our implementation:

- response keys and JSON types (the old ids of history and statistics are strings, of the index
  list integers; numbers may be JSON integers where pydantic would say 45.0);
- units: indices 0–100, traffic_volume vehicles (an integer), distances metres, percentages 0–100;
- time: every timestamp ISO 8601 with an explicit UTC offset of zero, readable by the dashboard's
  datetime.fromisoformat; hour_of_day and day_of_week (0 = Monday) are the intersection's local
  time (America/New_York);
- errors: FastAPI's {"detail": [...]} with 422 for a bad argument (loc, type, msg), {"detail":
  "..."} with 400, 404, 405 and 410.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest

from api_fixtures import ApiData, get

LOCAL = ZoneInfo("America/New_York")
INDEX_KEYS = {"intersection_id", "intersection_name", "safety_index", "traffic_volume", "latitude", "longitude"}
HISTORY_KEYS = {"intersection_id", "intersection_name", "data_points", "start_date", "end_date", "total_points", "aggregation"}
POINT_KEYS = {"timestamp", "safety_index", "vru_index", "vehicle_index", "traffic_volume", "hour_of_day", "day_of_week"}
STATS_KEYS = {"intersection_id", "intersection_name", "period_start", "period_end", "avg_safety_index", "min_safety_index",
              "max_safety_index", "std_safety_index", "total_traffic_volume", "avg_traffic_volume", "high_risk_intervals",
              "high_risk_percentage"}
SPATIAL_KEYS = {"id", "name", "latitude", "longitude", "distance_meters"}


def number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def utc(value: object) -> datetime:
    """A timestamp as the dashboard reads it (datetime.fromisoformat), which must carry UTC."""
    assert isinstance(value, str), value
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() == timedelta(0), value
    return parsed


def assert_detail(r: httpx.Response, status: int, *words: str) -> None:
    """FastAPI's error: {"detail": "message"} with the status."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str), body
    for word in words:
        assert word in body["detail"], body


def assert_validation(r: httpx.Response, *names: str, where: str = "query") -> list[dict[str, object]]:
    """FastAPI's 422: {"detail": [{"type", "loc": [where, name], "msg", "input", …}]}, one per bad argument."""
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail
    for error in detail:
        assert {"type", "loc", "msg", "input"} <= set(error), error
        assert isinstance(error["type"], str) and isinstance(error["msg"], str)
    assert [e["loc"] for e in detail] == [[where, name] for name in names], detail
    return detail


def check_point(point: dict[str, object]) -> datetime:
    assert set(point) == POINT_KEYS
    assert number(point["safety_index"]) and 0 <= point["safety_index"] <= 100
    for key in ("vru_index", "vehicle_index"):
        assert point[key] is None or (number(point[key]) and 0 <= point[key] <= 100)
    assert isinstance(point["traffic_volume"], int) and point["traffic_volume"] >= 0
    when = utc(point["timestamp"])
    local = when.astimezone(LOCAL)
    assert point["hour_of_day"] == local.hour and point["day_of_week"] == local.weekday()
    return when


# --- GET /api/v1/safety/index/ : list[IntersectionRead] ----------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/safety/index/", "/api/v1/safety/index"])
def test_index_list(proxy: str, api_data: ApiData, path: str) -> None:
    r = get(proxy, path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), r.text
    rows = r.json()
    assert isinstance(rows, list)
    for row in rows:
        assert set(row) == INDEX_KEYS
        assert isinstance(row["intersection_id"], int) and isinstance(row["intersection_name"], str)
        assert number(row["safety_index"]) and 0 <= row["safety_index"] <= 100
        assert isinstance(row["traffic_volume"], int) and row["traffic_volume"] >= 0
        assert number(row["latitude"]) and number(row["longitude"])
    mine = {row["intersection_id"]: row for row in rows}
    for ix in api_data.intersections:
        assert mine[ix.id]["intersection_name"] == f"API test {ix.id}"
        assert mine[ix.id]["latitude"] == pytest.approx(ix.latitude) and mine[ix.id]["longitude"] == pytest.approx(ix.longitude)
    assert api_data.silent.id not in mine              # the old list had only intersections with an index
    assert [row["intersection_id"] for row in rows] == sorted(mine)
    assert get(proxy, path + "?_=1733000000&include_rtsi=false").json() == rows     # other arguments are ignored


def test_index_list_agrees_with_latest_indices(proxy: str, api_data: ApiData) -> None:
    legacy = {row["intersection_id"]: row for row in get(proxy, "/api/v1/safety/index/").json()}
    for row in get(proxy, "/api/latest_indices?safety_index=not.is.null").json():
        assert legacy[row["intersection_id"]]["safety_index"] == row["safety_index"]
        assert legacy[row["intersection_id"]]["traffic_volume"] == row["traffic_volume"]


# --- GET /api/v1/safety/index/{intersection_id} : IntersectionRead ------------------------------

def test_index_one(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[1]
    r = get(proxy, f"/api/v1/safety/index/{ix.id}")
    assert r.status_code == 200, r.text
    row = r.json()
    assert set(row) == INDEX_KEYS and row["intersection_id"] == ix.id
    listed = {x["intersection_id"]: x for x in get(proxy, "/api/v1/safety/index/").json()}
    assert row == listed[ix.id]
    assert get(proxy, f"/api/v1/safety/index/{ix.id}?_=1733000000").json() == row


def test_index_one_errors(proxy: str, api_data: ApiData) -> None:
    assert_detail(get(proxy, "/api/v1/safety/index/64999"), 404, "Intersection not found")
    assert_detail(get(proxy, f"/api/v1/safety/index/{api_data.silent.id}"), 404, "Intersection not found")
    detail = assert_validation(get(proxy, "/api/v1/safety/index/abc"), "intersection_id", where="path")
    assert detail[0]["type"] == "int_parsing" and detail[0]["input"] == "abc"


# --- GET /api/v1/safety/index/intersections/list : IntersectionList ------------------------------

def test_index_names_list(proxy: str, api_data: ApiData) -> None:
    r = get(proxy, "/api/v1/safety/index/intersections/list")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"intersections"} and all(isinstance(n, str) for n in body["intersections"])
    assert {f"API test {ix.id}" for ix in api_data.intersections} <= set(body["intersections"])
    assert f"API test {api_data.silent.id}" not in body["intersections"]


# --- GET /api/v1/safety/history/{intersection_id} : IntersectionHistory ---------------------------

@pytest.mark.parametrize("query, aggregation, points", [
    ("days=1", "1min", 5),                           # the old smart defaults by days
    ("days=7", "1hour", 1),
    ("", "1hour", 1),                                # 7 days by default
    ("days=30", "1day", 1),
    ("days=90", "1week", 1),
    ("days=365", "1month", 1),
    # the dashboard's own choices ("Last 24 Hours" … "Last 3 Months")
    ("days=1&aggregation=1min", "1min", 5),
    ("days=3&aggregation=1hour", "1hour", 1),
    ("days=14&aggregation=1day", "1day", 1),
    ("days=90&aggregation=1week", "1week", 1),
    ("days=90&aggregation=1month", "1month", 1),
    # the engine's words are answered as asked
    ("days=1&aggregation=minute", "minute", 5),
    ("days=1&aggregation=hour", "hour", 1),
    ("days=7&aggregation=day", "day", 1),
    ("days=7&aggregation=week", "week", 1),
    ("days=7&aggregation=month", "month", 1),
])
def test_history(proxy: str, api_data: ApiData, query: str, aggregation: str, points: int) -> None:
    ix = api_data.intersections[0]
    r = get(proxy, f"/api/v1/safety/history/{ix.id}?{query}")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert set(doc) == HISTORY_KEYS
    assert doc["intersection_id"] == str(ix.id)           # a string in the old IntersectionHistory
    assert doc["intersection_name"] == f"API test {ix.id}"
    assert doc["aggregation"] == aggregation
    assert isinstance(doc["total_points"], int) and doc["total_points"] == len(doc["data_points"]) == points
    start, end = utc(doc["start_date"]), utc(doc["end_date"])
    assert start < end
    times = [check_point(p) for p in doc["data_points"]]
    assert times == sorted(times)
    if aggregation in ("1min", "minute"):
        assert times == [api_data.start + timedelta(minutes=m) for m in range(5)]
        assert all(start <= t < end for t in times)
    elif aggregation in ("1hour", "hour"):
        assert times == [api_data.start.replace(minute=0)]
    elif aggregation in ("1day", "day"):
        assert times[0].astimezone(LOCAL).time().isoformat() == "00:00:00"
    elif aggregation in ("1week", "week"):
        local = times[0].astimezone(LOCAL)
        assert (local.hour, local.weekday()) == (0, 0)      # local Monday midnight
        assert local.date() <= api_data.start.astimezone(LOCAL).date() < local.date() + timedelta(days=7)
    else:
        local = times[0].astimezone(LOCAL)
        assert (local.day, local.hour) == (1, 0)            # the 1st, local midnight
        assert (local.year, local.month) == (api_data.start.astimezone(LOCAL).year, api_data.start.astimezone(LOCAL).month)


def test_history_buckets_add_up(proxy: str, api_data: ApiData) -> None:
    """A week or a month holds the vehicles of its days; its index lies between theirs."""
    ix = api_data.intersections[0]
    day = get(proxy, f"/api/v1/safety/history/{ix.id}?days=30&aggregation=1day").json()["data_points"]
    for word in ("1week", "1month"):
        bucket = get(proxy, f"/api/v1/safety/history/{ix.id}?days=30&aggregation={word}").json()["data_points"]
        assert sum(p["traffic_volume"] for p in bucket) == sum(p["traffic_volume"] for p in day)
        assert min(p["safety_index"] for p in day) - 1e-9 <= bucket[0]["safety_index"] <= max(p["safety_index"] for p in day) + 1e-9
    minutes = get(proxy, f"/api/v1/safety/history/{ix.id}?days=1&aggregation=1min").json()["data_points"]
    hour = get(proxy, f"/api/v1/safety/history/{ix.id}?days=1&aggregation=1hour").json()["data_points"]
    assert hour[0]["traffic_volume"] == sum(p["traffic_volume"] for p in minutes)
    assert hour[0]["safety_index"] == pytest.approx(statistics.fmean(p["safety_index"] for p in minutes))


def test_history_by_dates(proxy: str, api_data: ApiData) -> None:
    ix, day = api_data.intersections[0], api_data.start.astimezone(LOCAL).date()
    doc = get(proxy, f"/api/v1/safety/history/{ix.id}?start_date={day}&end_date={day}").json()
    assert doc["aggregation"] == "1min" and doc["total_points"] == 5
    midnight = datetime.combine(day, datetime.min.time(), LOCAL)
    assert utc(doc["start_date"]) == midnight and utc(doc["end_date"]) == midnight + timedelta(days=1)
    # start_date alone: up to today; end_date alone: days before it; days is ignored with start_date
    assert get(proxy, f"/api/v1/safety/history/{ix.id}?start_date={day}").json()["total_points"] >= 1
    assert get(proxy, f"/api/v1/safety/history/{ix.id}?end_date={day}&days=1").json()["total_points"] == 5
    assert get(proxy, f"/api/v1/safety/history/{ix.id}?start_date={day}&end_date={day}&days=300").json()["total_points"] == 5


def test_history_ignores_unknown_arguments_and_accepts_old_float_ids(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    assert get(proxy, f"/api/v1/safety/history/{ix.id}?days=1&bin_minutes=15&_=1").status_code == 200
    assert get(proxy, f"/api/v1/safety/history/{ix.id}.0?days=1").json()["intersection_id"] == str(ix.id)


@pytest.mark.parametrize("query, names", [
    ("days=0", ["days"]),
    ("days=366", ["days"]),
    ("days=abc", ["days"]),
    ("aggregation=2min", ["aggregation"]),
    ("aggregation=1year", ["aggregation"]),
    ("start_date=2026-13-01", ["start_date"]),
    ("start_date=yesterday&end_date=2026-02-30", ["start_date", "end_date"]),
    ("days=0&aggregation=x", ["days", "aggregation"]),
])
def test_history_validation_errors(proxy: str, api_data: ApiData, query: str, names: list[str]) -> None:
    assert_validation(get(proxy, f"/api/v1/safety/history/{api_data.intersections[0].id}?{query}"), *names)


def test_history_errors(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    assert_detail(get(proxy, f"/api/v1/safety/history/{ix.id}?start_date=2026-01-05&end_date=2026-01-01"), 400,
                  "start_date must be before or equal to end_date")
    assert_detail(get(proxy, f"/api/v1/safety/history/{ix.id}?start_date=2024-01-01&end_date=2026-01-01"), 400,
                  "Date range cannot exceed 365 days")
    assert_detail(get(proxy, "/api/v1/safety/history/64999?days=1"), 404, "No data found")
    assert_detail(get(proxy, "/api/v1/safety/history/glebe-potomac?days=1"), 404, "No data found")
    assert_detail(get(proxy, f"/api/v1/safety/history/{api_data.silent.id}?days=7"), 404, "No data found")
    assert_detail(get(proxy, f"/api/v1/safety/history/{ix.id}?start_date=2020-01-01&end_date=2020-01-02"), 404, "No data found")


# --- GET /api/v1/safety/history/{intersection_id}/stats : IntersectionAggregateStats ----------------

def test_stats(proxy: str, api_data: ApiData) -> None:
    """The old meaning: over the 1-minute intervals with data, SI > 75 is high risk."""
    ix = api_data.intersections[0]
    r = get(proxy, f"/api/v1/safety/history/{ix.id}/stats?days=1")
    assert r.status_code == 200, r.text
    stats = r.json()
    assert set(stats) == STATS_KEYS
    assert stats["intersection_id"] == str(ix.id) and stats["intersection_name"] == f"API test {ix.id}"
    for key in ("avg_safety_index", "min_safety_index", "max_safety_index", "std_safety_index", "avg_traffic_volume",
                "high_risk_percentage"):
        assert number(stats[key]), key
    for key in ("total_traffic_volume", "high_risk_intervals"):
        assert isinstance(stats[key], int), key
    minutes = get(proxy, f"/api/v1/safety/history/{ix.id}?days=1&aggregation=1min").json()["data_points"]
    si = [p["safety_index"] for p in minutes]
    volume = [p["traffic_volume"] for p in minutes]
    assert stats["avg_safety_index"] == pytest.approx(statistics.fmean(si))
    assert stats["min_safety_index"] == pytest.approx(min(si)) and stats["max_safety_index"] == pytest.approx(max(si))
    assert stats["std_safety_index"] == pytest.approx(statistics.stdev(si))
    assert stats["total_traffic_volume"] == sum(volume)
    assert stats["avg_traffic_volume"] == pytest.approx(sum(volume) / len(volume))
    high = sum(1 for x in si if x > 75)
    assert stats["high_risk_intervals"] == high
    assert stats["high_risk_percentage"] == pytest.approx(round(100 * high / len(si), 2))
    assert 0 <= stats["min_safety_index"] <= stats["avg_safety_index"] <= stats["max_safety_index"] <= 100
    assert utc(stats["period_start"]) <= utc(stats["period_end"])
    assert utc(stats["period_start"]) <= api_data.start < api_data.end
    # the dashboard asks with the history's days: every time range it offers answers
    for days in (1, 3, 7, 14, 30, 90):
        assert get(proxy, f"/api/v1/safety/history/{ix.id}/stats?days={days}").json()["total_traffic_volume"] == sum(volume)


def test_stats_errors(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    assert_validation(get(proxy, f"/api/v1/safety/history/{ix.id}/stats?days=0"), "days")
    assert_validation(get(proxy, f"/api/v1/safety/history/{ix.id}/stats?days=x&end_date=soon"), "end_date", "days")
    assert_detail(get(proxy, f"/api/v1/safety/history/{api_data.silent.id}/stats?days=7"), 404, "No data found")
    assert_detail(get(proxy, "/api/v1/safety/history/64999/stats"), 404, "No data found")
    assert_detail(get(proxy, f"/api/v1/safety/history/{ix.id}/stats?start_date=2026-01-05&end_date=2026-01-01"), 400,
                  "start_date must be before or equal to end_date")


# --- GET /api/v1/safety/history/ : list[IntersectionHistory] --------------------------------------

def test_history_of_all(proxy: str, api_data: ApiData) -> None:
    r = get(proxy, "/api/v1/safety/history/?days=7&aggregation=1hour")
    assert r.status_code == 200, r.text
    docs = r.json()
    assert isinstance(docs, list)
    mine = {d["intersection_id"]: d for d in docs if d["intersection_id"] in {str(ix.id) for ix in api_data.intersections}}
    assert set(mine) == {str(ix.id) for ix in api_data.intersections}
    assert str(api_data.silent.id) not in {d["intersection_id"] for d in docs}
    ix = api_data.intersections[0]
    assert mine[str(ix.id)] == get(proxy, f"/api/v1/safety/history/{ix.id}?days=7&aggregation=1hour").json()
    for doc in docs:
        assert set(doc) == HISTORY_KEYS
    assert get(proxy, "/api/v1/safety/history").status_code == 200


def test_history_of_all_errors(proxy: str, api_data: ApiData) -> None:
    assert_validation(get(proxy, "/api/v1/safety/history/?days=31"), "days")
    assert_validation(get(proxy, "/api/v1/safety/history/?aggregation=daily"), "aggregation")
    assert_detail(get(proxy, "/api/v1/safety/history/?start_date=2026-01-01&end_date=2026-03-01"), 400, "limited to 30 days")


# --- GET /api/v1/intersections/nearby, /route (design document §5.2) ------------------------------

def test_nearby(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    r = get(proxy, f"/api/v1/intersections/nearby?lat={ix.latitude}&lon={ix.longitude}&radius=100")
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [row["id"] for row in rows] == [ix.id]
    assert set(rows[0]) == SPATIAL_KEYS and isinstance(rows[0]["id"], int) and rows[0]["distance_meters"] == pytest.approx(0, abs=1)
    default = get(proxy, f"/api/v1/intersections/nearby?lat={ix.latitude}&lon={ix.longitude}").json()
    assert len(default) >= 4                                   # 5 000 m by default
    distances = [row["distance_meters"] for row in default]
    assert distances == sorted(distances) and all(d <= 5000 for d in distances)


def test_nearby_errors(proxy: str, api_data: ApiData) -> None:
    ix = api_data.intersections[0]
    missing = assert_validation(get(proxy, f"/api/v1/intersections/nearby?lon={ix.longitude}"), "lat")
    assert missing[0]["type"] == "missing"
    assert_validation(get(proxy, "/api/v1/intersections/nearby?lat=abc&lon=200"), "lat", "lon")
    out = assert_validation(get(proxy, f"/api/v1/intersections/nearby?lat={ix.latitude}&lon={ix.longitude}&radius=50"), "radius")
    assert out[0]["type"] == "greater_than_equal" and out[0]["ctx"] == {"ge": 100}


def test_route(proxy: str, api_data: ApiData) -> None:
    a, b = api_data.intersections[0], api_data.intersections[1]
    waypoints = f"[({a.latitude},{a.longitude}),({b.latitude},{b.longitude})]"
    r = get(proxy, "/api/v1/intersections/route", params={"waypoints": waypoints, "buffer": 50})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert {row["id"] for row in rows} == {a.id, b.id}
    assert all(set(row) == SPATIAL_KEYS for row in rows)


def test_route_errors(proxy: str, api_data: ApiData) -> None:
    a = api_data.intersections[0]
    route = "/api/v1/intersections/route"
    assert_validation(get(proxy, route, params={"waypoints": "[(38.7,-77.5),(oops)]"}), "waypoints")
    assert_validation(get(proxy, route, params={"waypoints": "[(38.7,-77.5)]"}), "waypoints")
    assert_validation(get(proxy, route, params={"waypoints": "[(95,-77.5),(38.7,-77.5)]"}), "waypoints")
    assert_validation(get(proxy, route, params={"waypoints": f"[({a.latitude},{a.longitude}),(38.7,-77.5)]", "buffer": 1}), "buffer")
    assert assert_validation(get(proxy, route), "waypoints")[0]["type"] == "missing"


# --- the rest of the old routers: methods, unknown paths, routes that are gone, health ---------------

@pytest.mark.parametrize("path", ["/api/v1/vcc/status", "/api/v1/vcc/mapdata", "/api/v1/vcc/realtime/status",
                                  "/api/v1/vcc/test/connection", "/api/v1/safety/index/time/specific?intersection=x&time=now",
                                  "/api/v1/safety/index/time/range"])
def test_retired_routes_are_gone(proxy: str, path: str) -> None:
    assert_detail(get(proxy, path), 410, "Gone")


@pytest.mark.parametrize("path", ["/api/v1/vcc/historical/collect", "/api/v1/vcc/historical/process",
                                  "/api/v1/vcc/realtime/start", "/api/v1/vcc/realtime/stop"])
def test_retired_write_routes_are_gone(proxy: str, path: str) -> None:
    assert_detail(httpx.post(proxy + path, json={}, timeout=10), 410, "Gone")


def test_methods_and_unknown_paths(proxy: str) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert_detail(httpx.request(method, proxy + "/api/v1/safety/index/", json={}, timeout=10), 405, "Method Not Allowed")
    for path in ("/api/v1/nothing", "/api/v1/safety/index/1/2", "/api/v1/safety/history/1/stats/x", "/api/v1/",
                 "/api/v1/safety/history/a%20b", "/nothing"):
        assert_detail(get(proxy, path), 404, "Not Found")


def test_health(proxy: str) -> None:
    r = get(proxy, "/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_postgrest_down_is_a_legacy_json_error(start_proxy: Callable[..., str]) -> None:
    down = start_proxy(TSDB_POSTGREST_UPSTREAM="127.0.0.1:9")
    assert_detail(get(down, "/api/v1/safety/history/1?days=1"), 502, "unavailable")
    r = get(down, "/api/intersections")
    assert r.status_code == 502 and r.json()["code"] == "TSDB503"


def test_timestamps_are_utc(proxy: str, api_data: ApiData) -> None:
    """Every timestamp is written with the offset +00:00 (the functions set their own time zone,
    whatever the database session's), which datetime.fromisoformat reads on any Python version."""
    ix = api_data.intersections[0]
    doc = get(proxy, f"/api/v1/safety/history/{ix.id}?days=1").json()
    for value in [doc["start_date"], doc["end_date"], *(p["timestamp"] for p in doc["data_points"])]:
        assert value.endswith("+00:00"), value
    assert utc(doc["data_points"][0]["timestamp"]).astimezone(timezone.utc) == api_data.start
