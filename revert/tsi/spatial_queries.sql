-- Revert trafficsafety:tsi/spatial_queries from pg
BEGIN;

DROP FUNCTION tsi.intersections_in_polygon(jsonb);
DROP FUNCTION tsi.intersections_along_route(jsonb, jsonb, double precision);
DROP FUNCTION tsi.intersections_near(double precision, double precision, double precision);
DROP FUNCTION tsi.intersections_within(geography, double precision);
DROP TYPE tsi.spatial_match;

COMMIT;
