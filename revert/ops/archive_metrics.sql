-- Revert trafficsafety:ops/archive_metrics from pg
BEGIN;
DROP FUNCTION ops.archive_consistency();
COMMIT;
