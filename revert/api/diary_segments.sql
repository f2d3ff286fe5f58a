-- Revert trafficsafety:api/diary_segments from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP VIEW api.diary_tags;
DROP FUNCTION api.segments(text, numeric, timestamptz);

COMMIT;
