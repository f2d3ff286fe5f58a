-- Revert trafficsafety:api/diary_health from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION api.diary_health();

COMMIT;
