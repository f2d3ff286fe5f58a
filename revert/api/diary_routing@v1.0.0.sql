-- Revert trafficsafety:api/diary_routing from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION api.route(numeric[], numeric[], text, numeric, boolean);

COMMIT;
