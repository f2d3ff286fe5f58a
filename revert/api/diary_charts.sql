-- Revert trafficsafety:api/diary_charts from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DELETE FROM diary.settings WHERE key = 'coverage_max_km2';
DROP FUNCTION api.coverage(text, numeric);
DROP FUNCTION api.route_tags(uuid, integer);
DROP FUNCTION api.route_trend(uuid, integer);
DROP FUNCTION diary.visible_route_segments(uuid);

COMMIT;
