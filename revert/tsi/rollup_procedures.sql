-- Revert trafficsafety:tsi/rollup_procedures from pg
BEGIN;

DROP PROCEDURE tsi.rollup_daily(timestamptz, integer);
DROP PROCEDURE tsi.rollup_hourly(timestamptz, integer);

COMMIT;
