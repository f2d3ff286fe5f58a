-- Deploy trafficsafety:api/diary_routing_grants to pg
BEGIN;

GRANT EXECUTE ON FUNCTION api.route(numeric[], numeric[], text, numeric, boolean) TO web_user;

COMMIT;
