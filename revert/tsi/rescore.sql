-- Revert trafficsafety:tsi/rescore from pg
BEGIN;

DROP PROCEDURE tsi.rescore(timestamptz, timestamptz, integer);

COMMIT;
