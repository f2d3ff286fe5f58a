-- Revert trafficsafety:api/openapi from pg
BEGIN;
DROP FUNCTION api.openapi();
COMMIT;
