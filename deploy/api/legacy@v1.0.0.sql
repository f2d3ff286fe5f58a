-- Deploy trafficsafety:api/legacy to pg
-- The FastAPI endpoints of the design document (§4.3, §5) that the existing dashboard calls,
-- with the same JSON shapes. nginx rewrites the old URLs onto these RPCs (db/nginx/api.conf.template):
--   GET /api/v1/safety/index/            → /rpc/legacy_safety_index
--   GET /api/v1/safety/index/{id}        → /rpc/legacy_safety_index_one?intersection_id={id}
--   GET /api/v1/safety/history/{id}?…    → /rpc/legacy_safety_history?intersection_id={id}&…
--   GET /api/v1/intersections/nearby?…   → /rpc/legacy_intersections_nearby?…
--   GET /api/v1/intersections/route?…    → /rpc/legacy_intersections_route?…
-- The old query parameter names are kept (lat, lon, radius, waypoints, buffer, days,
-- start_date, end_date, aggregation), and so are the old ranges; errors name them. Like the
-- functions of api/tsi_functions they run as their owner (the API roles cannot enter tsi).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION api.legacy_safety_index()
RETURNS TABLE (
    intersection_id integer, intersection_name text, safety_index double precision, traffic_volume integer,
    latitude double precision, longitude double precision
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT l.intersection_id, l.intersection_name, l.safety_index, l.traffic_volume, l.latitude, l.longitude
    FROM api.latest_indices l
    ORDER BY l.intersection_id;
END
$$;
COMMENT ON FUNCTION api.legacy_safety_index() IS
    'Legacy GET /api/v1/safety/index/: the latest index of every intersection as the old IntersectionRead list '
    '[{intersection_id, intersection_name, safety_index, traffic_volume, latitude, longitude}], ordered by intersection_id '
    '(safety_index and traffic_volume null without data). New clients read /latest_indices.';

CREATE FUNCTION api.legacy_safety_index_one(intersection_id integer DEFAULT NULL)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN (
    SELECT json_build_object('intersection_id', l.intersection_id, 'intersection_name', l.intersection_name,
                             'safety_index', l.safety_index, 'traffic_volume', l.traffic_volume,
                             'latitude', l.latitude, 'longitude', l.longitude)
    FROM (SELECT legacy_safety_index_one.intersection_id AS id
          WHERE tsi.check_argument(CASE WHEN legacy_safety_index_one.intersection_id IS NULL THEN 'intersection_id must not be NULL' END)
            AND tsi.check_argument(
                    CASE WHEN NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = legacy_safety_index_one.intersection_id)
                         THEN format('intersection_id %s does not exist', legacy_safety_index_one.intersection_id) END,
                    'PT404')
          OFFSET 0) a
    JOIN api.latest_indices l ON l.intersection_id = a.id);
END
$$;
COMMENT ON FUNCTION api.legacy_safety_index_one(integer) IS
    'Legacy GET /api/v1/safety/index/{id}: one IntersectionRead object {intersection_id, intersection_name, safety_index, traffic_volume, '
    'latitude, longitude}; HTTP 404 for an unknown intersection.';

-- The legacy routing counted whole days between the dates: ≤ 2 minute rows, ≤ 90 hourly, else daily.
CREATE FUNCTION api.legacy_safety_history(
    intersection_id integer DEFAULT NULL, days integer DEFAULT NULL, start_date date DEFAULT NULL, end_date date DEFAULT NULL,
    aggregation text DEFAULT NULL
)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN (
    SELECT json_build_object('intersection_id', r.id, 'intersection_name', r.name, 'data_points', p.points,
                             'start_date', r.start_time, 'end_date', r.end_time,
                             'total_points', json_array_length(p.points), 'aggregation', r.aggregation)
    FROM (SELECT a.id, i.name::text AS name, t.start_time, t.end_time,
                 coalesce(a.aggregation, CASE WHEN t.span_days <= 2 THEN 'minute' WHEN t.span_days <= 90 THEN 'hour' ELSE 'day' END) AS aggregation
          FROM (SELECT legacy_safety_history.intersection_id AS id, legacy_safety_history.aggregation AS aggregation,
                       coalesce(legacy_safety_history.days, CASE WHEN start_date IS NULL AND end_date IS NULL THEN 7 END) AS days
                WHERE tsi.check_argument(coalesce(
                          CASE WHEN legacy_safety_history.intersection_id IS NULL THEN 'intersection_id must not be NULL' END,
                          CASE WHEN legacy_safety_history.days IS NOT NULL AND (start_date IS NOT NULL OR end_date IS NOT NULL)
                               THEN 'give either days or start_date and end_date, not both' END,
                          CASE WHEN legacy_safety_history.days IS NOT NULL THEN tsi.range_problem('days', legacy_safety_history.days, 1, 3650) END,
                          CASE WHEN legacy_safety_history.days IS NULL AND (start_date IS NULL) <> (end_date IS NULL)
                               THEN format('%s must be given with %s', CASE WHEN start_date IS NULL THEN 'start_date' ELSE 'end_date' END,
                                           CASE WHEN start_date IS NULL THEN 'end_date' ELSE 'start_date' END) END,
                          CASE WHEN end_date < start_date
                               THEN format('end_date must not be before start_date (got start_date %s, end_date %s)', start_date, end_date) END,
                          CASE WHEN legacy_safety_history.aggregation NOT IN ('minute', 'hour', 'day')
                               THEN format('aggregation must be one of minute, hour, day (got %s)', legacy_safety_history.aggregation) END))
                  AND tsi.check_argument(
                          CASE WHEN NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = legacy_safety_history.intersection_id)
                               THEN format('intersection_id %s does not exist', legacy_safety_history.intersection_id) END,
                          'PT404')
                OFFSET 0) a
          JOIN tsi.intersections i ON i.id = a.id
          CROSS JOIN LATERAL (
              -- days=N: the N days up to the intersection's latest data (latest data, not the wall clock);
              -- dates: whole local days, end_date included.
              SELECT CASE WHEN a.days IS NULL THEN start_date::timestamp AT TIME ZONE i.time_zone ELSE e.latest - make_interval(days => a.days) END AS start_time,
                     CASE WHEN a.days IS NULL THEN (end_date + 1)::timestamp AT TIME ZONE i.time_zone ELSE e.latest END AS end_time,
                     coalesce(a.days, end_date - start_date) AS span_days
              FROM (SELECT coalesce(
                               (SELECT max(m.timestamp) + interval '1 minute' FROM tsi.safety_indices_realtime m WHERE m.intersection_id = a.id),
                               (SELECT max(hr.hour_timestamp) + interval '1 hour' FROM tsi.safety_indices_hourly hr WHERE hr.intersection_id = a.id),
                               date_trunc('minute', now())) AS latest) e
          ) t
         ) r
    CROSS JOIN LATERAL (
        SELECT coalesce(json_agg(json_build_object('timestamp', h.timestamp, 'safety_index', h.safety_index,
                                                   'vru_index', h.vru_index, 'vehicle_index', h.vehicle_index,
                                                   'traffic_volume', h.traffic_volume, 'hour_of_day', h.hour_of_day,
                                                   'day_of_week', h.day_of_week) ORDER BY h.timestamp),
                        '[]'::json) AS points
        FROM tsi.intersection_history(r.id, r.start_time, r.end_time, r.aggregation) h
    ) p);
END
$$;
COMMENT ON FUNCTION api.legacy_safety_history(integer, integer, date, date, text) IS
    'Legacy GET /api/v1/safety/history/{id}: the old IntersectionHistory object {intersection_id, intersection_name, data_points: '
    '[{timestamp, safety_index, vru_index, vehicle_index, traffic_volume, hour_of_day, day_of_week}], start_date, end_date, total_points, aggregation}. '
    'Either days=N (1–3650, default 7: the N days up to the intersection''s newest data) or start_date and end_date (local calendar days, both included). '
    'aggregation minute, hour or day; omitted: ≤ 2 days minute, ≤ 90 days hour, else day. HTTP 400 naming a bad argument, 404 for an unknown intersection.';

CREATE FUNCTION api.legacy_intersections_nearby(lat double precision DEFAULT NULL, lon double precision DEFAULT NULL, radius integer DEFAULT 5000)
RETURNS TABLE (id integer, name text, latitude double precision, longitude double precision, distance_meters double precision)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT n.id, n.name, n.latitude, n.longitude, n.distance_meters
    FROM (SELECT lat AS lat, lon AS lon, radius AS radius
          WHERE tsi.check_argument(coalesce(tsi.range_problem('lat', lat, -90, 90), tsi.range_problem('lon', lon, -180, 180),
                                            tsi.range_problem('radius', radius, 100, 50000)))
          OFFSET 0) a
    CROSS JOIN LATERAL tsi.intersections_near(a.lat, a.lon, a.radius) n
    ORDER BY n.distance_meters, n.id;
END
$$;
COMMENT ON FUNCTION api.legacy_intersections_nearby(double precision, double precision, integer) IS
    'Legacy GET /api/v1/intersections/nearby?lat&lon&radius: [{id, name, latitude, longitude, distance_meters}] within radius metres '
    '(default 5000, 100–50000), nearest first. HTTP 400 naming lat, lon or radius when missing or out of range. New clients: /rpc/intersections_near.';

CREATE FUNCTION api.legacy_intersections_route(waypoints text DEFAULT NULL, buffer integer DEFAULT 500)
RETURNS TABLE (id integer, name text, latitude double precision, longitude double precision, distance_meters double precision)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT n.id, n.name, n.latitude, n.longitude, n.distance_meters
    FROM (SELECT CASE WHEN w.well_formed THEN w.list::jsonb END AS points, w.buffer
          FROM (SELECT translate(waypoints, '()', '[]') AS list, buffer AS buffer,
                       -- only a list of plain number pairs may reach the jsonb cast (which would fail without naming the argument)
                       coalesce(translate(waypoints, '()', '[]') ~ '^\s*\[\s*\[\s*-?[0-9]+(\.[0-9]+)?\s*,\s*-?[0-9]+(\.[0-9]+)?\s*\](\s*,\s*\[\s*-?[0-9]+(\.[0-9]+)?\s*,\s*-?[0-9]+(\.[0-9]+)?\s*\])*\s*\]\s*$', false) AS well_formed
                OFFSET 0) w
          WHERE tsi.check_argument(coalesce(
                    CASE WHEN waypoints IS NULL THEN 'waypoints must not be NULL' END,
                    CASE WHEN NOT w.well_formed
                         THEN format('waypoints must be a list of (lat,lon) pairs such as [(38.86,-77.05),(38.87,-77.06)] (got %s)', left(waypoints, 100)) END,
                    tsi.range_problem('buffer', w.buffer, 10, 5000)))
          OFFSET 0) a
    CROSS JOIN LATERAL tsi.intersections_along_route(waypoints => a.points, buffer_m => a.buffer) n
    ORDER BY n.distance_meters, n.id;
END
$$;
COMMENT ON FUNCTION api.legacy_intersections_route(text, integer) IS
    'Legacy GET /api/v1/intersections/route?waypoints=[(lat,lon),…]&buffer=500: [{id, name, latitude, longitude, distance_meters}] within buffer metres '
    '(default 500, 10–5000) of the route through the waypoints (at least 2, latitude first; [[lat,lon],…] is accepted too), nearest first. '
    'HTTP 400 naming waypoints or buffer. New clients: /rpc/intersections_along_route.';

COMMIT;
