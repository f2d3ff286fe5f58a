-- Deploy trafficsafety:tsi/query_functions to pg
-- The read side of the safety-index engine (design document §5): the latest index per
-- intersection, one history series routed by range length (reference §4), and the spatial
-- searches. The public functions are STABLE LANGUAGE sql, single statements the planner can
-- inline (PostgREST's filters, ordering and limits then reach the tables).
--
-- How an argument check is guaranteed to run. Each checking function has the shape
--     SELECT … FROM (SELECT <the arguments> WHERE tsi.check_argument(…) OFFSET 0) a
--                   CROSS JOIN LATERAL (<the query, reading a.* only, with ORDER BY>) w
-- OFFSET 0 keeps the one-row "checked arguments" subquery a from being flattened, so the
-- query reads the arguments as columns of a, never as constants: with a NULL or contradictory
-- argument the planner cannot prove the query empty and drop the check along with it (it did,
-- with the check in the outer WHERE). The inner query is not flattened either (ORDER BY) and
-- refers to a laterally, so it runs as the inner side of a nested loop whose outer side, a,
-- is read first: the check raises before any row is read, even when no row would come back.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Argument checking ----------------------------------------------------------------------

CREATE FUNCTION tsi.check_argument(problem text, sqlstate text DEFAULT '22023')
RETURNS boolean
LANGUAGE plpgsql
STABLE PARALLEL SAFE
AS $$
BEGIN
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = problem;
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION tsi.check_argument(text, text) IS
    'Raises problem as an error with the given SQLSTATE (default 22023 invalid_parameter_value) when problem is not NULL; returns true otherwise. '
    'Called as tsi.check_argument(coalesce(check1, check2, …)), so that the first failing check is reported, in the WHERE clause of the '
    'query functions'' one-row "checked arguments" subquery (see the deploy script), which runs before any row is read.';

CREATE FUNCTION tsi.range_problem(argument text, value double precision, low double precision, high double precision)
RETURNS text
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN value IS NULL THEN format('%s must not be NULL', argument)
        WHEN NOT value BETWEEN low AND high THEN format('%s must be between %s and %s (got %s)', argument, low, high, value)
    END
$$;
COMMENT ON FUNCTION tsi.range_problem(text, double precision, double precision, double precision) IS
    'NULL when value lies in [low, high]; otherwise the message naming the argument, e.g. "radius_m must be between 100 and 50000 (got 20)" or "latitude must not be NULL" (NaN is out of every range).';

-- GeoJSON and routes -----------------------------------------------------------------------
-- Not PARALLEL SAFE: the EXCEPTION block that catches PostGIS's parse error is a
-- subtransaction, which a parallel query cannot start.

CREATE FUNCTION tsi.geojson_geometry(doc jsonb, argument text, allowed_types text[])
RETURNS geometry
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    geom geometry;
BEGIN
    PERFORM tsi.check_argument(CASE
        WHEN doc IS NULL THEN format('%s must not be NULL', argument)
        WHEN jsonb_typeof(doc) <> 'object' THEN format('%s must be a GeoJSON object (got %s)', argument, jsonb_typeof(doc))
        WHEN NOT coalesce(doc ->> 'type' = ANY (allowed_types), false)
            THEN format('%s must be a GeoJSON %s (got %s)', argument, array_to_string(allowed_types, ' or '),
                        coalesce(doc ->> 'type', 'no type'))
        -- PostGIS would read a string or null coordinate as 0
        WHEN jsonb_path_exists(doc, 'lax $.coordinates.** ? (@.type() != "array" && @.type() != "number")')
            THEN format('%s: every coordinate must be a number', argument)
    END);
    BEGIN
        geom := ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(doc)), 4326);
    EXCEPTION WHEN OTHERS THEN
        PERFORM tsi.check_argument(format('%s is not valid GeoJSON: %s', argument, SQLERRM));
    END;
    PERFORM tsi.check_argument(CASE
        WHEN ST_IsEmpty(geom) THEN format('%s must not be empty', argument)
        WHEN ST_XMin(geom) < -180 OR ST_XMax(geom) > 180 OR ST_YMin(geom) < -90 OR ST_YMax(geom) > 90
            THEN format('%s has coordinates out of range (GeoJSON order is [longitude, latitude]; longitude -180..180, latitude -90..90)', argument)
        WHEN GeometryType(geom) = 'LINESTRING' AND ST_NPoints(geom) < 2
            THEN format('%s must have at least 2 points (got %s)', argument, ST_NPoints(geom))
        -- ST_IsValidReason, unlike ST_IsValid, reports without a NOTICE
        WHEN ST_IsValidReason(geom) <> 'Valid Geometry'
            THEN format('%s is not a valid %s: %s', argument, doc ->> 'type', ST_IsValidReason(geom))
    END);
    RETURN geom;
END
$$;
COMMENT ON FUNCTION tsi.geojson_geometry(jsonb, text, text[]) IS
    'Parses the GeoJSON geometry doc (coordinates [longitude, latitude], WGS84) into a geometry with SRID 4326. '
    'Raises 22023 naming argument when doc is NULL, not an object, of a GeoJSON type not in allowed_types (e.g. {Polygon,MultiPolygon}), '
    'with a coordinate that is not a number, not parseable (the PostGIS error is re-raised), empty, out of the longitude/latitude range, '
    'a LineString of fewer than 2 points, or invalid (with ST_IsValidReason).';

CREATE FUNCTION tsi.route_line(waypoints jsonb DEFAULT NULL, route_geojson jsonb DEFAULT NULL)
RETURNS geometry
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    point jsonb;
    i integer;
    points geometry[] := '{}';
BEGIN
    -- JSON null is the same as no argument.
    waypoints := nullif(waypoints, 'null'::jsonb);
    route_geojson := nullif(route_geojson, 'null'::jsonb);
    PERFORM tsi.check_argument(CASE
        WHEN (waypoints IS NULL) = (route_geojson IS NULL)
            THEN format('exactly one of waypoints and route_geojson must be given (got %s)',
                        CASE WHEN waypoints IS NULL THEN 'neither' ELSE 'both' END)
    END);
    IF route_geojson IS NOT NULL THEN
        RETURN tsi.geojson_geometry(route_geojson, 'route_geojson', ARRAY['LineString']);
    END IF;
    PERFORM tsi.check_argument(CASE
        WHEN jsonb_typeof(waypoints) <> 'array'
            THEN format('waypoints must be a JSON array of [lat, lon] pairs (got %s)', jsonb_typeof(waypoints))
        WHEN jsonb_array_length(waypoints) < 2
            THEN format('waypoints must have at least 2 points (got %s)', jsonb_array_length(waypoints))
    END);
    FOR point, i IN SELECT e, n - 1 FROM jsonb_array_elements(waypoints) WITH ORDINALITY AS w (e, n) LOOP
        PERFORM tsi.check_argument(CASE
            WHEN jsonb_typeof(point) <> 'array' OR jsonb_array_length(point) <> 2
                 OR jsonb_typeof(point -> 0) <> 'number' OR jsonb_typeof(point -> 1) <> 'number'
                THEN format('waypoints[%s] must be a [lat, lon] pair of numbers (got %s)', i, point)
            ELSE coalesce(tsi.range_problem(format('waypoints[%s] latitude', i), (point ->> 0)::double precision, -90, 90),
                          tsi.range_problem(format('waypoints[%s] longitude', i), (point ->> 1)::double precision, -180, 180))
        END);
        points := points || ST_MakePoint((point ->> 1)::double precision, (point ->> 0)::double precision);
    END LOOP;
    RETURN ST_SetSRID(ST_MakeLine(points), 4326);
END
$$;
COMMENT ON FUNCTION tsi.route_line(jsonb, jsonb) IS
    'The route as a LineString (SRID 4326) from exactly one of: waypoints, a JSON array of at least 2 [lat, lon] pairs (latitude first, as the API''s waypoints), '
    'or route_geojson, a GeoJSON LineString (coordinates [lon, lat]). JSON null counts as not given. '
    'Raises 22023 naming the argument for both or neither given, fewer than 2 points, a point that is not a pair of numbers or out of range, '
    'or GeoJSON that is not a parseable LineString.';

-- The indices as served, and the latest of them: each defined once ---------------------------

CREATE VIEW tsi.minute_indices AS
SELECT r.intersection_id,
       r.timestamp,
       coalesce(r.combined_index_eb, r.combined_index) AS safety_index,
       r.combined_index,
       coalesce(r.vru_index_eb, r.vru_index) AS vru_index,
       coalesce(r.vehicle_index_eb, r.vehicle_index) AS vehicle_index,
       r.traffic_volume,
       r.hour_of_day,
       r.day_of_week
FROM tsi.safety_indices_realtime r;
COMMENT ON VIEW tsi.minute_indices IS
    'The 1-minute indices as served (0–100, higher = riskier): safety_index, vru_index and vehicle_index are the Empirical-Bayes values, '
    'the raw ones where EB is NULL; combined_index is the raw combined index. A plain view of tsi.safety_indices_realtime: '
    'filters on intersection_id and timestamp reach its primary key and partitions.';

-- Latest means the newest row of the data, never the wall clock minus an offset (trap 10).
-- The LATERAL … ORDER BY timestamp DESC LIMIT 1 reads one row per intersection backwards
-- along the primary key (intersection_id, timestamp) of each partition.
CREATE VIEW tsi.latest_index_per_intersection AS
SELECT i.id AS intersection_id,
       i.name::text AS intersection_name,
       i.latitude,
       i.longitude,
       i.geometry,
       latest.safety_index,
       latest.combined_index,
       latest.vru_index,
       latest.vehicle_index,
       latest.traffic_volume,
       latest.timestamp AS last_updated
FROM tsi.intersections i
LEFT JOIN LATERAL (
    SELECT * FROM tsi.minute_indices m WHERE m.intersection_id = i.id ORDER BY m.timestamp DESC LIMIT 1
) latest ON true;
COMMENT ON VIEW tsi.latest_index_per_intersection IS
    'Every intersection with its newest 1-minute row of tsi.minute_indices (by timestamp, whatever its age; NULL indices when it has none). '
    'The one definition of "latest index" behind tsi.latest_indices and the spatial searches.';

CREATE FUNCTION tsi.latest_indices()
RETURNS TABLE (
    intersection_id integer, intersection_name text,
    safety_index double precision, combined_index double precision,
    vru_index double precision, vehicle_index double precision, traffic_volume integer,
    latitude double precision, longitude double precision,
    last_updated timestamptz, minutes_behind double precision
)
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    -- The rule of tsi.latest_index_per_intersection, set-based for all intersections at once: a
    -- backwards probe per intersection into every partition cost 45 ms for 1 000 of them. The
    -- network's last two minutes are read once and give the newest row of every intersection with
    -- data in them (none can be newer); only the others are probed (pgTAP 130 checks both agree).
    WITH newest AS (
        SELECT max(s.timestamp) AS ts FROM tsi.safety_indices_realtime s
    ), recent AS (
        SELECT DISTINCT ON (m.intersection_id) m.*
        FROM tsi.minute_indices m
        WHERE m.timestamp > (SELECT ts FROM newest) - interval '2 minutes'
        ORDER BY m.intersection_id, m.timestamp DESC
    )
    SELECT i.id, i.name::text,
           -- r and o exclude each other: one of them is all NULL
           coalesce(r.safety_index, o.safety_index), coalesce(r.combined_index, o.combined_index),
           coalesce(r.vru_index, o.vru_index), coalesce(r.vehicle_index, o.vehicle_index),
           coalesce(r.traffic_volume, o.traffic_volume), i.latitude, i.longitude,
           coalesce(r.timestamp, o.timestamp),
           extract(epoch FROM (SELECT ts FROM newest) - coalesce(r.timestamp, o.timestamp)) / 60
    FROM tsi.intersections i
    LEFT JOIN recent r ON r.intersection_id = i.id
    LEFT JOIN LATERAL (
        SELECT * FROM tsi.minute_indices m
        WHERE r.intersection_id IS NULL AND m.intersection_id = i.id
        ORDER BY m.timestamp DESC LIMIT 1
    ) o ON true
    ORDER BY i.id
$$;
COMMENT ON FUNCTION tsi.latest_indices() IS
    'Latest safety index of every intersection, ordered by intersection_id: its newest 1-minute row, however old (latest data, not wall clock). '
    'Indices 0–100, higher = riskier; safety_index = EB combined index (raw combined where EB is NULL), combined_index = raw combined index, '
    'vru_index and vehicle_index EB where present; traffic_volume = vehicles in that minute; last_updated = the minute (UTC); '
    'minutes_behind = minutes from last_updated to the newest minute of the whole network (data freshness relative to the data). '
    'An intersection without data has NULL indices, last_updated and minutes_behind.';

-- History ---------------------------------------------------------------------------------

-- A named row type rather than RETURNS TABLE: the PL/pgSQL RPC api.intersection_history returns
-- it too, and PL/pgSQL refuses an output column named like its argument aggregation.
CREATE TYPE tsi.history_point AS (
    "timestamp" timestamptz, safety_index double precision, vru_index double precision,
    vehicle_index double precision, traffic_volume bigint, hour_of_day integer, day_of_week integer,
    aggregation text
);
COMMENT ON TYPE tsi.history_point IS
    'A row of an intersection''s safety-index series (tsi.intersection_history, api.intersection_history): see the function.';

CREATE FUNCTION tsi.intersection_history(
    intersection_id integer, start_time timestamptz, end_time timestamptz, aggregation text DEFAULT NULL
)
RETURNS SETOF tsi.history_point
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT h.*
    FROM (SELECT intersection_history.intersection_id AS intersection_id, start_time AS start_time, end_time AS end_time,
                 -- The routing rule of reference §4: range ≤ 2 days → minutes, ≤ 90 days → hours, else days.
                 coalesce(intersection_history.aggregation,
                          CASE WHEN end_time - start_time <= interval '2 days' THEN 'minute'
                               WHEN end_time - start_time <= interval '90 days' THEN 'hour'
                               ELSE 'day' END) AS aggregation
          -- the arguments' own checks first, then whether the intersection exists
          WHERE CASE WHEN tsi.check_argument(coalesce(
                    CASE WHEN intersection_history.intersection_id IS NULL THEN 'intersection_id must not be NULL' END,
                    CASE WHEN start_time IS NULL THEN 'start_time must not be NULL' END,
                    CASE WHEN end_time IS NULL THEN 'end_time must not be NULL' END,
                    CASE WHEN end_time <= start_time
                         THEN format('end_time must be later than start_time (got start_time %s, end_time %s)', start_time, end_time) END,
                    CASE WHEN intersection_history.aggregation NOT IN ('minute', 'hour', 'day')
                         THEN format('aggregation must be one of minute, hour, day (got %s)', intersection_history.aggregation) END))
                THEN tsi.check_argument(
                    CASE WHEN NOT EXISTS (SELECT FROM tsi.intersections x WHERE x.id = intersection_history.intersection_id)
                         THEN format('intersection_id %s does not exist', intersection_history.intersection_id) END,
                    'P0002') END
          OFFSET 0) a
    CROSS JOIN LATERAL (
        SELECT m.timestamp, m.safety_index, m.vru_index, m.vehicle_index, m.traffic_volume::bigint,
               m.hour_of_day, m.day_of_week, a.aggregation
        FROM tsi.minute_indices m
        WHERE a.aggregation = 'minute' AND m.intersection_id = a.intersection_id
          AND m.timestamp >= a.start_time AND m.timestamp < a.end_time
        UNION ALL
        SELECT hr.hour_timestamp, hr.avg_si, hr.avg_vru_index, hr.avg_vehicle_index, hr.total_volume,
               hr.hour_of_day, hr.day_of_week, a.aggregation
        FROM tsi.safety_indices_hourly hr
        WHERE a.aggregation = 'hour' AND hr.intersection_id = a.intersection_id
          AND hr.hour_timestamp >= a.start_time AND hr.hour_timestamp < a.end_time
        UNION ALL
        SELECT day_start.midnight, d.avg_si, d.avg_vru_index, d.avg_vehicle_index, d.total_volume, 0, d.day_of_week, a.aggregation
        FROM tsi.intersections i
        JOIN tsi.safety_indices_daily d ON d.intersection_id = i.id
        CROSS JOIN LATERAL (SELECT d.date::timestamp AT TIME ZONE i.time_zone AS midnight) day_start
        WHERE a.aggregation = 'day' AND i.id = a.intersection_id
          -- the local days that can start in the range (keeps the index on date usable) …
          AND d.date BETWEEN (a.start_time AT TIME ZONE i.time_zone)::date AND (a.end_time AT TIME ZONE i.time_zone)::date
          -- … and exactly those whose local midnight does
          AND day_start.midnight >= a.start_time AND day_start.midnight < a.end_time
        ORDER BY 1
    ) h
    ORDER BY h.timestamp
$$;
COMMENT ON FUNCTION tsi.intersection_history(integer, timestamptz, timestamptz, text) IS
    'Safety-index series of one intersection, rows with start_time <= timestamp < end_time, ordered by timestamp. '
    'aggregation: ''minute'' (1-minute rows, kept 48 h), ''hour'' (hourly means, UTC hours, kept 90 days) or ''day'' (daily means per local calendar day; '
    'timestamp = the local midnight of the day in the intersection''s time zone, hour_of_day 0); NULL chooses by range length: '
    '≤ 2 days minute, ≤ 90 days hour, longer day. The aggregation used is returned in every row. '
    'Indices 0–100, higher = riskier (EB where present, raw otherwise); traffic_volume = vehicles in the minute, hour or day; '
    'hour_of_day 0–23 and day_of_week 0 = Monday … 6 = Sunday in local time. '
    'Errors: 22023 invalid_parameter_value for a NULL intersection_id, start_time or end_time, end_time <= start_time, or another aggregation; '
    'P0002 no_data_found when the intersection does not exist.';

-- Spatial searches ------------------------------------------------------------------------

CREATE TYPE tsi.spatial_match AS (
    id integer, name text, latitude double precision, longitude double precision,
    distance_meters double precision, safety_index double precision, risk_band text, traffic_volume integer,
    last_updated timestamptz
);
COMMENT ON TYPE tsi.spatial_match IS
    'A row of the spatial searches (near a point, along a route, in a polygon): the intersection (id, name, latitude and longitude in degrees), '
    'distance_meters from the searched point or route (0 in a polygon), and its latest index as in tsi.latest_indices '
    '(safety_index 0–100, higher = riskier, its risk_band under the formula of that minute, traffic_volume and last_updated of that minute; '
    'NULL without data). The api searches return it too.';

-- The intersections within distance_m metres of area (a point or a route), nearest first.
-- ST_DWithin on geometry::geography uses the expression index idx_intersections_geography.
CREATE FUNCTION tsi.intersections_within(area geography, distance_m double precision)
RETURNS SETOF tsi.spatial_match
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT l.intersection_id, l.intersection_name, l.latitude, l.longitude,
           ST_Distance(l.geometry::geography, area), l.safety_index,
           tsi.risk_band(l.safety_index, tsi.formula_at(l.last_updated)), l.traffic_volume, l.last_updated
    FROM tsi.latest_index_per_intersection l
    WHERE ST_DWithin(l.geometry::geography, area, distance_m)
    ORDER BY 5, 1
$$;
COMMENT ON FUNCTION tsi.intersections_within(geography, double precision) IS
    'Intersections within distance_m metres (on the spheroid) of area, nearest first, with distance_meters and their latest index '
    '(tsi.latest_index_per_intersection). No argument checks: the helper of tsi.intersections_near and tsi.intersections_along_route.';

CREATE FUNCTION tsi.intersections_near(
    latitude double precision, longitude double precision, radius_m double precision DEFAULT 5000
)
RETURNS SETOF tsi.spatial_match
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT w.*
    FROM (SELECT intersections_near.latitude AS latitude, intersections_near.longitude AS longitude, radius_m AS radius_m
          WHERE tsi.check_argument(coalesce(
                    tsi.range_problem('latitude', intersections_near.latitude, -90, 90),
                    tsi.range_problem('longitude', intersections_near.longitude, -180, 180),
                    tsi.range_problem('radius_m', radius_m, 100, 50000)))
          OFFSET 0) a
    CROSS JOIN LATERAL tsi.intersections_within(ST_SetSRID(ST_MakePoint(a.longitude, a.latitude), 4326)::geography, a.radius_m) w
    ORDER BY w.distance_meters, w.id
$$;
COMMENT ON FUNCTION tsi.intersections_near(double precision, double precision, double precision) IS
    'Intersections within radius_m metres of the point (latitude, longitude in degrees WGS84), nearest first: distance_meters on the spheroid, '
    'and the latest index as in tsi.latest_indices (safety_index 0–100, higher = riskier; NULL without data). '
    'Errors 22023 invalid_parameter_value: latitude outside [-90, 90], longitude outside [-180, 180], radius_m outside [100, 50000], or any of them NULL.';

CREATE FUNCTION tsi.intersections_along_route(
    waypoints jsonb DEFAULT NULL, route_geojson jsonb DEFAULT NULL, buffer_m double precision DEFAULT 500
)
RETURNS SETOF tsi.spatial_match
LANGUAGE sql
STABLE
AS $$
    SELECT w.*
    FROM (SELECT tsi.route_line(waypoints, route_geojson)::geography AS line, buffer_m AS buffer_m
          WHERE tsi.check_argument(tsi.range_problem('buffer_m', buffer_m, 10, 5000))
          OFFSET 0) a
    CROSS JOIN LATERAL tsi.intersections_within(a.line, a.buffer_m) w
    ORDER BY w.distance_meters, w.id
$$;
COMMENT ON FUNCTION tsi.intersections_along_route(jsonb, jsonb, double precision) IS
    'Intersections within buffer_m metres of a route, nearest to the route first (distance_meters = distance to the line on the spheroid), '
    'with the latest index as in tsi.latest_indices. Give exactly one of waypoints, a JSON array of at least 2 [lat, lon] pairs '
    '(latitude first, e.g. [[38.86, -77.23], [38.92, -77.23]]), or route_geojson, a GeoJSON LineString (coordinates [lon, lat]). '
    'Errors 22023 invalid_parameter_value: both or neither given, fewer than 2 points, a point not a pair of numbers or out of range, '
    'GeoJSON not a parseable LineString, buffer_m outside [10, 5000] or NULL.';

CREATE FUNCTION tsi.intersections_in_polygon(polygon_geojson jsonb)
RETURNS SETOF tsi.spatial_match
LANGUAGE sql
STABLE
AS $$
    SELECT w.*
    FROM (SELECT tsi.geojson_geometry(polygon_geojson, 'polygon_geojson', ARRAY['Polygon', 'MultiPolygon']) AS area OFFSET 0) a
    CROSS JOIN LATERAL (
        SELECT l.intersection_id, l.intersection_name, l.latitude, l.longitude, 0::double precision,
               l.safety_index, tsi.risk_band(l.safety_index, tsi.formula_at(l.last_updated)), l.traffic_volume, l.last_updated
        FROM tsi.latest_index_per_intersection l
        WHERE ST_Covers(a.area, l.geometry)
        ORDER BY l.intersection_id
    ) w
$$;
COMMENT ON FUNCTION tsi.intersections_in_polygon(jsonb) IS
    'Intersections inside or on the boundary of a GeoJSON Polygon or MultiPolygon (coordinates [lon, lat], WGS84), ordered by id, '
    'with distance_meters 0 and the latest index as in tsi.latest_indices. '
    'Errors 22023 invalid_parameter_value: NULL, another geometry type, GeoJSON that does not parse, or an invalid polygon (the reason is given).';

COMMIT;
