-- Revert trafficsafety:auth/users from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE auth.users;

COMMIT;
