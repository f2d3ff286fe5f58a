-- Revert trafficsafety:tsi/maintenance from pg
BEGIN;

DROP PROCEDURE tsi.maintain_partitions(timestamptz, integer, integer);
DROP FUNCTION tsi.partition_droppable(regclass, date, interval, text, timestamptz);
DROP VIEW tsi.daily_partitions;

COMMIT;
