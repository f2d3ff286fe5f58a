-- Revert trafficsafety:api/diary_routing_grants from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION api.route(numeric[], numeric[], text, numeric, boolean) FROM web_user;

COMMIT;
