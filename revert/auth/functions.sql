-- Revert trafficsafety:auth/functions from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION auth.session_for(uuid);
DROP FUNCTION auth.sign_jwt(jsonb);
DROP FUNCTION auth.base64url(bytea);
DROP FUNCTION auth.current_user_id();

COMMIT;
