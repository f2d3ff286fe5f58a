-- Revert trafficsafety:tsi/realtime from pg
BEGIN;

DELETE FROM tsi.partition_policy WHERE parent = 'tsi.safety_indices_realtime'::regclass;
DROP TABLE tsi.safety_indices_realtime;

COMMIT;
