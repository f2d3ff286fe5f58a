-- Revert trafficsafety:ops/schema from pg
BEGIN;

DROP SCHEMA ops;

COMMIT;
