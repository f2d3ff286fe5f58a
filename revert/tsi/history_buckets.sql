-- Revert trafficsafety:tsi/history_buckets from pg
BEGIN;

DROP FUNCTION tsi.intersection_history_buckets(integer, timestamptz, timestamptz, text);

COMMIT;
