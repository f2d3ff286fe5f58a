-- Revert trafficsafety:ops/privileges from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION
    ops.engine_status(), ops.landing_status(), ops.quarantine_by_reason(), ops.cron_jobs(), ops.partitions(),
    ops.intersection_status(), ops.business_status(), ops.risk_bands(), ops.archive_consistency()
FROM tsdb_monitor, analyst;
REVOKE SELECT ON ops.table_stats, ops.database_stats, ops.connections FROM tsdb_monitor, analyst;
REVOKE USAGE ON SCHEMA ops FROM tsdb_monitor, analyst;
-- pg_monitor is cluster-wide: kept while another database of the cluster still has ops.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_database AS d WHERE d.datname <> current_database()
                   AND has_database_privilege('tsdb_monitor', d.datname, 'CONNECT')
                   AND NOT d.datistemplate) THEN
        REVOKE pg_monitor FROM tsdb_monitor;
    END IF;
END
$$;

COMMIT;
