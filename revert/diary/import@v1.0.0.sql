-- Revert trafficsafety:diary/import from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION diary.import_segments(jsonb);

COMMIT;
