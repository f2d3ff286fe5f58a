-- Revert trafficsafety:auth/request_check from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION hooks.check_request();
RESET ROLE;
DROP SCHEMA hooks;

COMMIT;
