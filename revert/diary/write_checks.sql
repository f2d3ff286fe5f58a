-- Revert trafficsafety:diary/write_checks from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION diary.check_between(text, numeric, numeric, numeric);
DROP FUNCTION diary.bbox_envelope(text);
DROP FUNCTION diary.enforce_write_limit(uuid, text);
DROP FUNCTION diary.check_rating_fields(integer, text[], text, timestamptz, text, text);
DROP FUNCTION diary.require_segment(text);
DROP FUNCTION diary.require_user();
DROP FUNCTION diary.not_found(text, text);
DROP FUNCTION diary.invalid(text, text);

COMMIT;
