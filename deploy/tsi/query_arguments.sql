-- Deploy trafficsafety:tsi/query_arguments to pg
-- Argument checks and GeoJSON/route readers shared by the read functions (design document §5).
-- The public read functions are STABLE LANGUAGE sql, single statements the planner can inline
-- (PostgREST's filters, ordering and limits then reach the tables).
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

COMMIT;
