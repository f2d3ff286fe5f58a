-- Revert trafficsafety:audit/log from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE audit.log;

COMMIT;
