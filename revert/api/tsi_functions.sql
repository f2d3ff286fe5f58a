-- Revert trafficsafety:api/tsi_functions from pg
BEGIN;

DROP FUNCTION api.tsi_health();
DROP FUNCTION api.intersections_in_polygon(jsonb);
DROP FUNCTION api.intersections_along_route(jsonb, jsonb, double precision);
DROP FUNCTION api.intersections_near(double precision, double precision, double precision);
DROP FUNCTION api.intersection_history(integer, timestamptz, timestamptz, text);

COMMIT;
