-- Revert trafficsafety:diary/pgrouting from pg
BEGIN;

DROP EXTENSION pgrouting;

COMMIT;
