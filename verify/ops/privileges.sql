-- Verify trafficsafety:ops/privileges on pg
DO $$
BEGIN
    IF NOT (has_schema_privilege('tsdb_monitor', 'ops', 'USAGE')
            AND has_function_privilege('tsdb_monitor', 'ops.engine_status()', 'EXECUTE')
            AND has_function_privilege('tsdb_monitor', 'ops.risk_bands()', 'EXECUTE')
            AND has_table_privilege('tsdb_monitor', 'ops.table_stats', 'SELECT')
            AND pg_has_role('tsdb_monitor', 'pg_monitor', 'MEMBER')) THEN
        RAISE EXCEPTION 'tsdb_monitor lacks its rights on the ops schema';
    END IF;
    IF has_function_privilege('web_anon', 'ops.engine_status()', 'EXECUTE') THEN
        RAISE EXCEPTION 'the API roles must not call ops functions';
    END IF;
END
$$;
