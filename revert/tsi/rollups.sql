-- Revert trafficsafety:tsi/rollups from pg
BEGIN;

DROP TABLE tsi.safety_indices_daily;
DROP TABLE tsi.safety_indices_hourly;

COMMIT;
