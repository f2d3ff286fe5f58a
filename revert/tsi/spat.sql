-- Revert trafficsafety:tsi/spat from pg
BEGIN;

DROP FUNCTION tsi.spat_time(bigint, bigint, timestamptz);
DROP FUNCTION tsi.check_spat(jsonb);
DELETE FROM tsi.partition_policy WHERE parent = 'tsi.spat_messages'::regclass;
DROP TABLE tsi.spat_messages;

COMMIT;
