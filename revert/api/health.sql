-- Revert trafficsafety:api/health from pg
BEGIN;

DROP FUNCTION api.health();

COMMIT;
