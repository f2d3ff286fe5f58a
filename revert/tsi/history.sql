-- Revert trafficsafety:tsi/history from pg
BEGIN;

DROP FUNCTION tsi.intersection_history(integer, timestamptz, timestamptz, text);
DROP TYPE tsi.history_point;

COMMIT;
