-- Revert trafficsafety:api/health_grants from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION api.health() FROM web_anon, web_user;

COMMIT;
