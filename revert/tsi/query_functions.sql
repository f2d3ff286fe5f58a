-- Revert trafficsafety:tsi/query_functions from pg
BEGIN;

DROP FUNCTION tsi.intersections_in_polygon(jsonb);
DROP FUNCTION tsi.intersections_along_route(jsonb, jsonb, double precision);
DROP FUNCTION tsi.intersections_near(double precision, double precision, double precision);
DROP FUNCTION tsi.intersections_within(geography, double precision);
DROP TYPE tsi.spatial_match;
DROP FUNCTION tsi.intersection_history(integer, timestamptz, timestamptz, text);
DROP TYPE tsi.history_point;
DROP FUNCTION tsi.latest_indices();
DROP VIEW tsi.latest_index_per_intersection;
DROP VIEW tsi.minute_indices;
DROP FUNCTION tsi.route_line(jsonb, jsonb);
DROP FUNCTION tsi.geojson_geometry(jsonb, text, text[]);
DROP FUNCTION tsi.range_problem(text, double precision, double precision, double precision);
DROP FUNCTION tsi.check_argument(text, text);

COMMIT;
