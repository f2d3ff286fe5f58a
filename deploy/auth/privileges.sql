-- Deploy trafficsafety:auth/privileges to pg
-- PostgREST calls the pre-request check as the request's role: the REST API roles may enter
-- the hooks schema and run it (it is SECURITY DEFINER and takes no arguments).
BEGIN;

GRANT USAGE ON SCHEMA hooks TO web_anon, web_user;
GRANT EXECUTE ON FUNCTION hooks.check_request() TO web_anon, web_user;

COMMIT;
