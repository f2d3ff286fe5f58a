-- Deploy trafficsafety:api/tsi_functions to pg
-- The engine's query functions (deploy/tsi/query_functions.sql) as RPCs of the REST API.
-- Every argument defaults to NULL so that a missing one reaches the argument checks and
-- answers HTTP 400 naming it (PostgREST would otherwise answer 404 "function not found").
-- Errors: 22023 → HTTP 400; an unknown intersection raises SQLSTATE PT404, which PostgREST
-- answers with HTTP 404. Each function reads its checked arguments through a one-row
-- subquery kept apart by OFFSET 0, so the check runs before any row is read (as in tsi).
--
-- The API roles may not enter the tsi schema (core/privileges, pgTAP 003), and a function body
-- is parsed as its caller: so these functions run as their owner (SECURITY DEFINER, with a fixed
-- search_path). They only read; their arguments are checked; nothing else is reachable.
-- PL/pgSQL rather than SQL: a SQL function that is not inlined (SECURITY DEFINER ones never are)
-- is planned anew at every call in PostgreSQL 15, 3–5 ms for the history's UNION over the
-- partitions; PL/pgSQL keeps the plan of its query per connection (0.4 ms a call then).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION api.intersection_history(
    intersection_id integer DEFAULT NULL, start_time timestamptz DEFAULT NULL, end_time timestamptz DEFAULT NULL,
    aggregation text DEFAULT NULL
)
RETURNS SETOF tsi.history_point
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT h.*
    FROM (SELECT intersection_history.intersection_id AS id
          WHERE tsi.check_argument(
                    CASE WHEN intersection_history.intersection_id IS NOT NULL
                              AND NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = intersection_history.intersection_id)
                         THEN format('intersection_id %s does not exist', intersection_history.intersection_id) END,
                    'PT404')
          OFFSET 0) a
    CROSS JOIN LATERAL tsi.intersection_history(a.id, start_time, end_time, intersection_history.aggregation) h;
END
$$;
COMMENT ON FUNCTION api.intersection_history(integer, timestamptz, timestamptz, text) IS
    'Safety-index series of one intersection with start_time <= timestamp < end_time (ISO 8601 times), oldest first. '
    'aggregation minute (1-minute rows, kept 48 h), hour (hourly means, kept 90 days) or day (daily means, timestamp = local midnight); '
    'omitted, it is chosen by the range: ≤ 2 days minute, ≤ 90 days hour, longer day; each row says which was used. '
    'Indices 0–100, higher = riskier (Empirical-Bayes where present); traffic_volume = vehicles in the minute, hour or day; '
    'hour_of_day, day_of_week (0 = Monday) local. Example: /rpc/intersection_history?intersection_id=156&start_time=2026-11-20T00:00Z&end_time=2026-11-27T00:00Z. '
    'HTTP 400 for a missing intersection_id, start_time or end_time, end_time <= start_time or another aggregation; 404 for an unknown intersection.';

CREATE FUNCTION api.intersections_near(
    latitude double precision DEFAULT NULL, longitude double precision DEFAULT NULL, radius_m double precision DEFAULT 5000
)
RETURNS SETOF tsi.spatial_match
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT n.*
    FROM tsi.intersections_near(intersections_near.latitude, intersections_near.longitude, radius_m) n;
END
$$;
COMMENT ON FUNCTION api.intersections_near(double precision, double precision, double precision) IS
    'Intersections within radius_m metres (default 5000, 100–50000) of the point latitude, longitude (degrees WGS84), nearest first, '
    'with distance_meters (on the spheroid) and the latest index (safety_index 0–100, higher = riskier, risk_band, traffic_volume and '
    'last_updated of the newest minute; NULL without data). Example: /rpc/intersections_near?latitude=38.86&longitude=-77.05&radius_m=5000. '
    'HTTP 400 naming the argument when latitude, longitude or radius_m is missing or out of range.';

CREATE FUNCTION api.intersections_along_route(
    waypoints jsonb DEFAULT NULL, route_geojson jsonb DEFAULT NULL, buffer_m double precision DEFAULT 500
)
RETURNS SETOF tsi.spatial_match
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT n.*
    FROM tsi.intersections_along_route(waypoints => tsi.jsonb_argument(waypoints, 'waypoints'),
                                      route_geojson => tsi.jsonb_argument(route_geojson, 'route_geojson'), buffer_m => buffer_m) n;
END
$$;
COMMENT ON FUNCTION api.intersections_along_route(jsonb, jsonb, double precision) IS
    'Intersections within buffer_m metres (default 500, 10–5000) of a route, nearest to the route first, with distance_meters and the latest index. '
    'Give exactly one of waypoints, a JSON array of at least 2 [lat, lon] pairs (latitude first), e.g. '
    '/rpc/intersections_along_route?waypoints=[[38.86,-77.23],[38.92,-77.23]]&buffer_m=500, or route_geojson, a GeoJSON LineString '
    '(coordinates [lon, lat]; POST it as JSON). HTTP 400 naming the argument for both or neither, fewer than 2 points, a bad point, '
    'GeoJSON that is not a LineString, or buffer_m out of range.';

CREATE FUNCTION api.intersections_in_polygon(polygon_geojson jsonb DEFAULT NULL)
RETURNS SETOF tsi.spatial_match
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT n.*
    FROM tsi.intersections_in_polygon(tsi.jsonb_argument(polygon_geojson, 'polygon_geojson')) n;
END
$$;
COMMENT ON FUNCTION api.intersections_in_polygon(jsonb) IS
    'Intersections inside or on the boundary of a GeoJSON Polygon or MultiPolygon (coordinates [lon, lat], WGS84), ordered by id, '
    'with distance_meters 0 and the latest index. Example: /rpc/intersections_in_polygon?polygon_geojson={"type":"Polygon","coordinates":[[[-77.3,38.8],[-77.2,38.8],[-77.2,38.95],[-77.3,38.95],[-77.3,38.8]]]}. '
    'HTTP 400 naming polygon_geojson when it is missing, not a (Multi)Polygon, unparseable or invalid (the reason is given).';

-- The engine's health also reads pg_cron's run history, which pg_cron shows each role only for
-- its own jobs (row-level security): as the jobs' owner, it sees them.
CREATE FUNCTION api.tsi_health()
RETURNS TABLE (
    newest_data timestamptz, newest_index timestamptz, pending_minutes bigint, oldest_pending_minute timestamptz,
    processing_lag_seconds numeric, hourly_watermark timestamptz, daily_watermark timestamptz,
    default_partition_rows numeric, failed_job_runs_24h bigint, intersections jsonb
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT h.newest_data, h.newest_index, h.pending_minutes, h.oldest_pending_minute, h.processing_lag_seconds,
           h.hourly_watermark, h.daily_watermark, h.default_partition_rows, h.failed_job_runs_24h, h.intersections
    FROM tsi.health h
$$;
COMMENT ON FUNCTION api.tsi_health() IS
    'Health of the safety-index engine, one row: newest_data (newest minute with features) and newest_index, pending_minutes and '
    'processing_lag_seconds (how long the oldest pending minute has waited), the rollup watermarks, rows in default partitions (must be 0), '
    'failed pg_cron runs of the last 24 h, and intersections: [{intersection_id, name, last_data}] (last minute with data of each).';

COMMIT;
