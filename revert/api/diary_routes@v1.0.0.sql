-- Revert trafficsafety:api/diary_routes from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION api.delete_route(uuid);
DROP FUNCTION api.rename_route(uuid, text);
DROP FUNCTION api.create_route(text, text[], boolean);
DROP VIEW api.routes;

COMMIT;
