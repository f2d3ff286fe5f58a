-- Deploy trafficsafety:api/health_grants to pg
BEGIN;

GRANT EXECUTE ON FUNCTION api.health() TO web_anon, web_user;

COMMIT;
