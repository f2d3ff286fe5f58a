-- Revert trafficsafety:api/diary_auth from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION api.delete_account();
DROP VIEW api.my_account;
DROP FUNCTION api.log_in(text, text);
DROP FUNCTION api.sign_up(text, text, text);

COMMIT;
