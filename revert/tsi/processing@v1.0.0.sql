-- Revert trafficsafety:tsi/processing from pg
BEGIN;

DROP PROCEDURE tsi.process_pending(integer, integer);
DROP PROCEDURE tsi.process_range(timestamptz, timestamptz, boolean);

COMMIT;
