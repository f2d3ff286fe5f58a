-- Revert trafficsafety:diary/votes from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE diary.votes;

COMMIT;
