-- Revert trafficsafety:audit/forget_user from pg
-- (What was forgotten stays forgotten.)
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TRIGGER users_forget ON auth.users;
DROP FUNCTION audit.forget_user();
DROP FUNCTION audit.without_personal_data(jsonb);

COMMIT;
