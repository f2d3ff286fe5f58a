-- Revert trafficsafety:ops/engine_metrics from pg
BEGIN;

DROP FUNCTION ops.partitions();
DROP FUNCTION ops.cron_jobs();
DROP FUNCTION ops.quarantine_by_reason();
DROP FUNCTION ops.landing_status();
DROP FUNCTION ops.engine_status();

COMMIT;
