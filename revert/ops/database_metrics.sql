-- Revert trafficsafety:ops/database_metrics from pg
BEGIN;

DROP VIEW ops.connections;
DROP VIEW ops.database_stats;
DROP VIEW ops.table_stats;

COMMIT;
