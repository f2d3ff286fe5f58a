-- Revert trafficsafety:tsi/features from pg
BEGIN;

DELETE FROM tsi.partition_policy WHERE parent = 'tsi.features_minute'::regclass;
DROP TABLE tsi.features_minute;

COMMIT;
