-- Revert trafficsafety:diary/settings from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION diary.setting(text);
DROP TABLE diary.write_limits;
DROP TABLE diary.settings;

COMMIT;
