-- Deploy trafficsafety:ops/privileges to pg
-- Who reads the ops schema: the exporter's role (tsdb_monitor) and analysts. The exporter also
-- reads the statistics of every session and table (pg_monitor, a predefined role); it reads no
-- data table itself, only what the ops functions return. Nothing is granted to PUBLIC.
BEGIN;

GRANT pg_monitor TO tsdb_monitor;
GRANT USAGE ON SCHEMA ops TO tsdb_monitor, analyst;
GRANT SELECT ON ops.table_stats, ops.database_stats, ops.connections TO tsdb_monitor, analyst;
GRANT EXECUTE ON FUNCTION
    ops.engine_status(), ops.landing_status(), ops.quarantine_by_reason(), ops.cron_jobs(), ops.partitions(),
    ops.intersection_status(), ops.business_status(), ops.risk_bands(), ops.archive_consistency()
TO tsdb_monitor, analyst;

COMMIT;
