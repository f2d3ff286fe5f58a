-- Revert trafficsafety:tsi/raw_messages from pg
BEGIN;

DELETE FROM tsi.partition_policy WHERE parent IN ('tsi.bsm_messages'::regclass, 'tsi.psm_messages'::regclass);
DROP TABLE tsi.psm_messages;
DROP TABLE tsi.bsm_messages;

COMMIT;
