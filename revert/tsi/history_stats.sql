-- Revert trafficsafety:tsi/history_stats from pg
BEGIN;

DROP FUNCTION tsi.intersection_stats(integer, timestamptz, timestamptz);
DROP TYPE tsi.interval_stats;

COMMIT;
