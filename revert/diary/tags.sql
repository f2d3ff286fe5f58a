-- Revert trafficsafety:diary/tags from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE diary.tags;

COMMIT;
