-- Revert trafficsafety:tsi/data_quality from pg
BEGIN;

DROP VIEW tsi.health;
DROP PROCEDURE tsi.prune_job_history(timestamptz, integer);
DROP PROCEDURE tsi.refresh_constants(timestamptz);
DROP PROCEDURE tsi.check_data_quality(timestamptz, integer);
DROP VIEW tsi.default_partition_rows;

COMMIT;
