-- Deploy trafficsafety:tsi/spatial_queries to pg
-- Intersections near a point, along a route, in a polygon, each with its latest index (design document §5).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TYPE tsi.spatial_match AS (
    id integer, name text, latitude double precision, longitude double precision,
    distance_meters double precision, safety_index double precision, risk_band text, traffic_volume integer,
    last_updated timestamptz
);
COMMENT ON TYPE tsi.spatial_match IS
    'A row of the spatial searches (near a point, along a route, in a polygon): the intersection (id, name, latitude and longitude in degrees), '
    'distance_meters from the searched point or route (0 in a polygon), and its latest index from the snapshot of tsi.latest_indices (tsi.mv_current_safety_status) '
    '(safety_index 0–100, higher = riskier, its risk_band under the formula of that minute, traffic_volume and last_updated of that minute; '
    'NULL without data). The api searches return it too.';

-- The intersections within distance_m metres of area (a point or a route), nearest first.
-- ST_DWithin on geometry::geography uses the expression index idx_intersections_geography.
CREATE FUNCTION tsi.intersections_within(area geography, distance_m double precision)
RETURNS SETOF tsi.spatial_match
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT i.id, i.name::text, i.latitude, i.longitude,
           ST_Distance(i.geometry::geography, area), l.safety_index, l.risk_band, l.traffic_volume, l.last_updated
    FROM tsi.intersections i
    LEFT JOIN tsi.mv_current_safety_status l ON l.intersection_id = i.id
    WHERE ST_DWithin(i.geometry::geography, area, distance_m)
    ORDER BY 5, 1
$$;
COMMENT ON FUNCTION tsi.intersections_within(geography, double precision) IS
    'Intersections within distance_m metres (on the spheroid) of area, nearest first, with distance_meters and their latest index '
    '(the snapshot tsi.mv_current_safety_status of tsi.latest_indices). No argument checks: the helper of tsi.intersections_near and tsi.intersections_along_route.';

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
        SELECT i.id, i.name::text, i.latitude, i.longitude, 0::double precision,
               l.safety_index, l.risk_band, l.traffic_volume, l.last_updated
        FROM tsi.intersections i
        LEFT JOIN tsi.mv_current_safety_status l ON l.intersection_id = i.id
        WHERE ST_Covers(a.area, i.geometry)
        ORDER BY i.id
    ) w
$$;
COMMENT ON FUNCTION tsi.intersections_in_polygon(jsonb) IS
    'Intersections inside or on the boundary of a GeoJSON Polygon or MultiPolygon (coordinates [lon, lat], WGS84), ordered by id, '
    'with distance_meters 0 and the latest index as in tsi.latest_indices. '
    'Errors 22023 invalid_parameter_value: NULL, another geometry type, GeoJSON that does not parse, or an invalid polygon (the reason is given).';

COMMIT;
