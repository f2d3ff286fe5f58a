-- Revert trafficsafety:diary/segments from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE diary.segments;

COMMIT;
