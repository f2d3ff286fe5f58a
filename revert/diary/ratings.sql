-- Revert trafficsafety:diary/ratings from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE diary.ratings;

COMMIT;
