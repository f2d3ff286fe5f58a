-- Revert trafficsafety:tsi/data_quality_log from pg
BEGIN;

DROP TABLE tsi.data_quality_log;

COMMIT;
