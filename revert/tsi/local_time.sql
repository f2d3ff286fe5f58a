-- Revert trafficsafety:tsi/local_time from pg
BEGIN;

DROP FUNCTION tsi.local_day_of_week(timestamptz, text);
DROP FUNCTION tsi.local_hour(timestamptz, text);

COMMIT;
