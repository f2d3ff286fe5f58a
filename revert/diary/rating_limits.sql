-- Revert trafficsafety:diary/rating_limits from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION diary.enforce_rating_limits(uuid, text[]);
COMMENT ON TABLE diary.write_limits IS
    'Writes a user of a tier may make per rolling hour (a trip counts as one rating submission).';

COMMIT;
