-- Revert trafficsafety:api/legacy from pg
BEGIN;

DROP FUNCTION api.legacy_intersections_route(text, integer);
DROP FUNCTION api.legacy_intersections_nearby(double precision, double precision, integer);
DROP FUNCTION api.legacy_safety_history(integer, integer, date, date, text);
DROP FUNCTION api.legacy_safety_index_one(integer);
DROP FUNCTION api.legacy_safety_index();

COMMIT;
