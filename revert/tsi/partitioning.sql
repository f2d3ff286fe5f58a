-- Revert trafficsafety:tsi/partitioning from pg
BEGIN;

DROP FUNCTION tsi.create_daily_partitions(regclass, date, date);
DROP FUNCTION tsi.partition_name(regclass, date);
DROP TABLE tsi.partition_policy;

COMMIT;
