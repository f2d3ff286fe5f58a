-- Deploy trafficsafety:api/legacy to pg
-- The endpoints of the FastAPI backend the design document replaces (its routers
-- backend/app/api/intersection.py and history.py, the schemas of backend/app/schemas, design
-- document §4.3, §5), with their JSON shapes, argument rules and error answers, for nginx's
-- rewrites of the old URLs (db/nginx/api.conf.template):
--   GET /api/v1/safety/index/                      → /rpc/legacy_safety_index
--   GET /api/v1/safety/index/{id}                  → /rpc/legacy_safety_index_one?intersection_id={id}
--   GET /api/v1/safety/index/intersections/list    → /rpc/legacy_intersection_names
--   GET /api/v1/safety/history/                    → /rpc/legacy_safety_history_all?days&start_date&end_date&aggregation
--   GET /api/v1/safety/history/{id}                → /rpc/legacy_safety_history?intersection_id={id}&days&…
--   GET /api/v1/safety/history/{id}/stats          → /rpc/legacy_safety_stats?intersection_id={id}&days&start_date&end_date
--   GET /api/v1/intersections/nearby               → /rpc/legacy_intersections_nearby?lat&lon&radius
--   GET /api/v1/intersections/route                → /rpc/legacy_intersections_route?waypoints&buffer
-- nginx passes exactly the old query arguments, each as text (empty when absent): the functions
-- check them as FastAPI did and answer its shapes (api/legacy_helpers): 422 {"detail": [{type,
-- loc, msg, input, ctx}]} for a bad argument, {"detail": "…"} with 400 or 404 otherwise, through
-- PostgREST's response.status. Reworked from v1.0.0, whose functions took typed arguments (a
-- wrongly typed one got PostgREST's message, not naming it), knew only minute, hour and day, and
-- listed intersections without an index.
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION api.legacy_intersections_route(text, integer);
DROP FUNCTION api.legacy_intersections_nearby(double precision, double precision, integer);
DROP FUNCTION api.legacy_safety_history(integer, integer, date, date, text);
DROP FUNCTION api.legacy_safety_index_one(integer);

CREATE OR REPLACE FUNCTION api.legacy_safety_index()
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
    WHERE l.safety_index IS NOT NULL
    ORDER BY l.intersection_id;
END
$$;
COMMENT ON FUNCTION api.legacy_safety_index() IS
    'Legacy GET /api/v1/safety/index/: the old IntersectionRead list [{intersection_id (integer), intersection_name, safety_index (0–100, '
    'higher = riskier, EB), traffic_volume (vehicles in the minute), latitude, longitude}] of the intersections that have an index (their '
    'latest minute, as /latest_indices), ordered by intersection_id. New clients read /latest_indices.';

CREATE FUNCTION api.legacy_safety_index_one(intersection_id text DEFAULT NULL)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
SET TimeZone = 'UTC'
AS $$
DECLARE
    problems jsonb := tsi.legacy_validation(ARRAY[coalesce(
        tsi.legacy_missing_problem(intersection_id, 'path', 'intersection_id'),
        tsi.legacy_integer_problem(intersection_id, 'path', 'intersection_id'))]);
    doc jsonb;
BEGIN
    IF problems IS NOT NULL THEN
        RETURN tsi.legacy_answer(422, jsonb_build_object('detail', problems));
    END IF;
    SELECT jsonb_build_object('intersection_id', l.intersection_id, 'intersection_name', l.intersection_name,
                              'safety_index', l.safety_index, 'traffic_volume', l.traffic_volume,
                              'latitude', l.latitude, 'longitude', l.longitude)
    INTO doc
    FROM api.latest_indices l
    WHERE l.intersection_id = btrim(legacy_safety_index_one.intersection_id)::bigint AND l.safety_index IS NOT NULL;
    IF doc IS NULL THEN
        RETURN tsi.legacy_answer(404, '{"detail": "Intersection not found"}');
    END IF;
    RETURN doc::json;
END
$$;
COMMENT ON FUNCTION api.legacy_safety_index_one(text) IS
    'Legacy GET /api/v1/safety/index/{id}: one IntersectionRead object {intersection_id, intersection_name, safety_index, traffic_volume, '
    'latitude, longitude}. HTTP 422 {"detail": [...]} when the id is not an integer, 404 {"detail": "Intersection not found"} for an '
    'unknown intersection or one without an index.';

CREATE FUNCTION api.legacy_intersection_names()
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN json_build_object('intersections', coalesce(
        (SELECT json_agg(l.intersection_name ORDER BY l.intersection_id) FROM api.latest_indices l WHERE l.safety_index IS NOT NULL),
        '[]'::json));
END
$$;
COMMENT ON FUNCTION api.legacy_intersection_names() IS
    'Legacy GET /api/v1/safety/index/intersections/list: the old IntersectionList {"intersections": [name, …]} of the intersections that '
    'have an index, ordered by intersection_id.';

CREATE FUNCTION api.legacy_safety_history(
    intersection_id text DEFAULT NULL, days text DEFAULT NULL, start_date text DEFAULT NULL, end_date text DEFAULT NULL,
    aggregation text DEFAULT NULL
)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
SET TimeZone = 'UTC'
AS $$
DECLARE
    problems jsonb := tsi.legacy_validation(ARRAY[
        tsi.legacy_date_problem(start_date, 'query', 'start_date'),
        tsi.legacy_date_problem(end_date, 'query', 'end_date'),
        tsi.legacy_integer_problem(days, 'query', 'days', 1, 365),
        tsi.legacy_pattern_problem(aggregation, 'query', 'aggregation', '^(1min|1hour|1day|1week|1month|minute|hour|day|week|month)$')]);
    iid integer := substring(btrim(intersection_id) FROM '^([0-9]{1,9})(\.0+)?$')::integer;
    w record;
    engine text;
    doc jsonb;
BEGIN
    IF problems IS NOT NULL THEN
        RETURN tsi.legacy_answer(422, jsonb_build_object('detail', problems));
    END IF;
    IF iid IS NULL OR NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = iid) THEN
        RETURN tsi.legacy_answer(404, jsonb_build_object('detail', format('No data found for intersection %s: no such intersection', intersection_id)));
    END IF;
    w := tsi.legacy_window(iid, coalesce(nullif(btrim(days), '')::integer, 7), nullif(btrim(start_date), '')::date, nullif(btrim(end_date), '')::date);
    IF w.problem IS NOT NULL THEN
        RETURN tsi.legacy_answer(400, jsonb_build_object('detail', w.problem));
    END IF;
    engine := tsi.legacy_aggregation(aggregation, w.span_days);
    doc := tsi.legacy_history_document(iid, w.start_time, w.end_time, engine,
                                       coalesce(nullif(aggregation, ''), '1' || CASE engine WHEN 'minute' THEN 'min' ELSE engine END));
    IF doc IS NULL THEN
        RETURN tsi.legacy_answer(404, jsonb_build_object('detail', format('No data found for intersection %s between %s and %s',
                                                                          iid, w.start_time, w.end_time)));
    END IF;
    RETURN doc::json;
END
$$;
COMMENT ON FUNCTION api.legacy_safety_history(text, text, text, text, text) IS
    'Legacy GET /api/v1/safety/history/{id}: the old IntersectionHistory {intersection_id (string), intersection_name, data_points: '
    '[{timestamp, safety_index, vru_index, vehicle_index, traffic_volume, hour_of_day, day_of_week}], start_date, end_date, total_points, '
    'aggregation}. Range: days (1–365, default 7) = the days up to the intersection''s newest data; or start_date/end_date (YYYY-MM-DD, '
    'local days, both included; end_date defaults to today, start_date to days - 1 days before end_date; at most 365 days). aggregation: '
    '1min, 1hour, 1day, 1week (local ISO weeks from Monday), 1month (local calendar months), or minute, hour, day, week, month; the answer '
    'names it as asked; omitted: ≤ 1 day 1min, ≤ 7 days 1hour, ≤ 30 days 1day, ≤ 90 days 1week, else 1month. Timestamps are UTC '
    '(+00:00): a point''s timestamp is the start of its interval; hour_of_day and day_of_week (0 = Monday) are local. Indices 0–100, '
    'higher = riskier (EB where present); traffic_volume = vehicles in the interval. HTTP 422 {"detail": [...]} for a bad argument, 400 '
    '{"detail": "..."} for a bad range, 404 for an unknown intersection or no data in the range (as the old backend). New clients: '
    '/rpc/intersection_history.';

CREATE FUNCTION api.legacy_safety_stats(
    intersection_id text DEFAULT NULL, days text DEFAULT NULL, start_date text DEFAULT NULL, end_date text DEFAULT NULL
)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
SET TimeZone = 'UTC'
AS $$
DECLARE
    problems jsonb := tsi.legacy_validation(ARRAY[
        tsi.legacy_date_problem(start_date, 'query', 'start_date'),
        tsi.legacy_date_problem(end_date, 'query', 'end_date'),
        tsi.legacy_integer_problem(days, 'query', 'days', 1, 365)]);
    iid integer := substring(btrim(intersection_id) FROM '^([0-9]{1,9})(\.0+)?$')::integer;
    w record;
    s tsi.interval_stats;
BEGIN
    IF problems IS NOT NULL THEN
        RETURN tsi.legacy_answer(422, jsonb_build_object('detail', problems));
    END IF;
    IF iid IS NULL OR NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = iid) THEN
        RETURN tsi.legacy_answer(404, jsonb_build_object('detail', format('No data found for intersection %s: no such intersection', intersection_id)));
    END IF;
    w := tsi.legacy_window(iid, coalesce(nullif(btrim(days), '')::integer, 7), nullif(btrim(start_date), '')::date, nullif(btrim(end_date), '')::date);
    IF w.problem IS NOT NULL THEN
        RETURN tsi.legacy_answer(400, jsonb_build_object('detail', w.problem));
    END IF;
    s := tsi.intersection_stats(iid, w.start_time, w.end_time);
    IF coalesce(s.intervals, 0) = 0 THEN
        RETURN tsi.legacy_answer(404, jsonb_build_object('detail', format('No data found for intersection %s', iid)));
    END IF;
    RETURN json_build_object(
        'intersection_id', iid::text,
        'intersection_name', (SELECT x.name::text FROM tsi.intersections x WHERE x.id = iid),
        'period_start', s.period_start, 'period_end', s.period_end,
        'avg_safety_index', s.avg_safety_index, 'min_safety_index', s.min_safety_index, 'max_safety_index', s.max_safety_index,
        'std_safety_index', s.std_safety_index,
        'total_traffic_volume', s.total_traffic_volume, 'avg_traffic_volume', s.avg_traffic_volume,
        'high_risk_intervals', s.high_risk_intervals,
        'high_risk_percentage', round(100.0 * s.high_risk_intervals / s.intervals, 2)::double precision);
END
$$;
COMMENT ON FUNCTION api.legacy_safety_stats(text, text, text, text) IS
    'Legacy GET /api/v1/safety/history/{id}/stats: the old IntersectionAggregateStats {intersection_id (string), intersection_name, '
    'period_start, period_end, avg_safety_index, min_safety_index, max_safety_index, std_safety_index (sample; 0 for one interval), '
    'total_traffic_volume (vehicles), avg_traffic_volume (vehicles per interval), high_risk_intervals (intervals with index > 75), '
    'high_risk_percentage (0–100, 2 decimals)} over the 1-minute intervals with data in the range (days or start_date/end_date as '
    'the history; tsi.intersection_stats); period_start/period_end = the first and the last hour (or minute) with data, UTC. HTTP 422 '
    'for a bad argument, 400 for a bad range, 404 {"detail": ...} for an unknown intersection or no data in the range.';

CREATE FUNCTION api.legacy_safety_history_all(
    days text DEFAULT NULL, start_date text DEFAULT NULL, end_date text DEFAULT NULL, aggregation text DEFAULT NULL
)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
SET TimeZone = 'UTC'
AS $$
DECLARE
    problems jsonb := tsi.legacy_validation(ARRAY[
        tsi.legacy_date_problem(start_date, 'query', 'start_date'),
        tsi.legacy_date_problem(end_date, 'query', 'end_date'),
        tsi.legacy_integer_problem(days, 'query', 'days', 1, 30),
        tsi.legacy_pattern_problem(aggregation, 'query', 'aggregation', '^(1min|1hour|1day|1week|1month|minute|hour|day|week|month)$')]);
    n integer;
    w record;
    engine text;
    doc jsonb;
    docs jsonb := '[]';
    x record;
BEGIN
    IF problems IS NOT NULL THEN
        RETURN tsi.legacy_answer(422, jsonb_build_object('detail', problems));
    END IF;
    n := coalesce(nullif(btrim(days), '')::integer, 7);
    FOR x IN SELECT i.id FROM tsi.intersections i ORDER BY i.id LOOP
        w := tsi.legacy_window(x.id, n, nullif(btrim(start_date), '')::date, nullif(btrim(end_date), '')::date, 30);
        IF w.problem IS NOT NULL THEN
            RETURN tsi.legacy_answer(400, jsonb_build_object('detail', w.problem));
        END IF;
        engine := tsi.legacy_aggregation(aggregation, w.span_days);
        doc := tsi.legacy_history_document(x.id, w.start_time, w.end_time, engine,
                                           coalesce(nullif(aggregation, ''), '1' || CASE engine WHEN 'minute' THEN 'min' ELSE engine END));
        IF doc IS NOT NULL THEN
            docs := docs || jsonb_build_array(doc);
        END IF;
    END LOOP;
    RETURN docs::json;
END
$$;
COMMENT ON FUNCTION api.legacy_safety_history_all(text, text, text, text) IS
    'Legacy GET /api/v1/safety/history/: the old List[IntersectionHistory], one object as /api/v1/safety/history/{id} gives for each '
    'intersection with data in its range, ordered by intersection_id; days 1–30 (default 7), a date range of at most 30 days (HTTP 400 '
    'beyond), aggregation as for one intersection. HTTP 422 {"detail": [...]} for a bad argument.';

CREATE FUNCTION api.legacy_intersections_nearby(lat text DEFAULT NULL, lon text DEFAULT NULL, radius text DEFAULT NULL)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    problems jsonb := tsi.legacy_validation(ARRAY[
        coalesce(tsi.legacy_missing_problem(lat, 'query', 'lat'), tsi.legacy_number_problem(lat, 'query', 'lat', -90, 90)),
        coalesce(tsi.legacy_missing_problem(lon, 'query', 'lon'), tsi.legacy_number_problem(lon, 'query', 'lon', -180, 180)),
        tsi.legacy_integer_problem(radius, 'query', 'radius', 100, 50000)]);
BEGIN
    IF problems IS NOT NULL THEN
        RETURN tsi.legacy_answer(422, jsonb_build_object('detail', problems));
    END IF;
    RETURN coalesce(
        (SELECT json_agg(json_build_object('id', n.id, 'name', n.name, 'latitude', n.latitude, 'longitude', n.longitude,
                                           'distance_meters', n.distance_meters) ORDER BY n.distance_meters, n.id)
         FROM tsi.intersections_near(btrim(lat)::double precision, btrim(lon)::double precision,
                                     coalesce(nullif(btrim(radius), '')::integer, 5000)) n),
        '[]'::json);
END
$$;
COMMENT ON FUNCTION api.legacy_intersections_nearby(text, text, text) IS
    'Legacy GET /api/v1/intersections/nearby?lat&lon&radius (design document §5.2): [{id, name, latitude, longitude, distance_meters}] '
    'within radius metres (integer 100–50000, default 5000) of lat (-90–90) and lon (-180–180), both required; nearest first. HTTP 422 '
    '{"detail": [...]} naming a missing or bad argument. New clients: /rpc/intersections_near.';

CREATE FUNCTION api.legacy_intersections_route(waypoints text DEFAULT NULL, buffer text DEFAULT NULL)
RETURNS json
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    pair text := '\[\s*[+-]?[0-9]+(\.[0-9]+)?\s*,\s*[+-]?[0-9]+(\.[0-9]+)?\s*\]';
    route_list text := translate(btrim(waypoints), '()', '[]');
    problems jsonb := tsi.legacy_validation(ARRAY[
        coalesce(tsi.legacy_missing_problem(waypoints, 'query', 'waypoints'),
                 CASE WHEN route_list !~ ('^\[\s*' || pair || '(\s*,\s*' || pair || ')+\s*\]$')
                      THEN tsi.legacy_problem('query', 'waypoints', 'value_error',
                                              'Value error, waypoints must be a list of at least 2 (lat,lon) pairs such as [(38.86,-77.05),(38.87,-77.06)]',
                                              waypoints) END),
        tsi.legacy_integer_problem(buffer, 'query', 'buffer', 10, 5000)]);
    answer json;
BEGIN
    IF problems IS NOT NULL THEN
        RETURN tsi.legacy_answer(422, jsonb_build_object('detail', problems));
    END IF;
    BEGIN
        SELECT coalesce(json_agg(json_build_object('id', n.id, 'name', n.name, 'latitude', n.latitude, 'longitude', n.longitude,
                                                   'distance_meters', n.distance_meters) ORDER BY n.distance_meters, n.id), '[]'::json)
        INTO answer
        FROM tsi.intersections_along_route(waypoints => route_list::jsonb, buffer_m => coalesce(nullif(btrim(buffer), '')::integer, 500)) n;
    EXCEPTION WHEN invalid_parameter_value THEN
        -- e.g. a latitude beyond ±90: the engine names the problem
        RETURN tsi.legacy_answer(422, jsonb_build_object('detail', jsonb_build_array(
            tsi.legacy_problem('query', 'waypoints', 'value_error', 'Value error, ' || SQLERRM, waypoints))));
    END;
    RETURN answer;
END
$$;
COMMENT ON FUNCTION api.legacy_intersections_route(text, text) IS
    'Legacy GET /api/v1/intersections/route?waypoints=[(lat,lon),…]&buffer=500 (design document §5.2): [{id, name, latitude, longitude, '
    'distance_meters}] within buffer metres (integer 10–5000, default 500) of the route through the waypoints (at least 2, latitude first; '
    '[[lat,lon],…] is accepted too), nearest first. HTTP 422 {"detail": [...]} naming a missing or bad argument. New clients: '
    '/rpc/intersections_along_route.';

COMMIT;
