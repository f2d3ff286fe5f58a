-- Revert trafficsafety:auth/privileges from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION hooks.check_request() FROM web_anon, web_user;
REVOKE USAGE ON SCHEMA hooks FROM web_anon, web_user;

COMMIT;
