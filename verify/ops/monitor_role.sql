-- Verify trafficsafety:ops/monitor_role on pg
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tsdb_monitor' AND rolcanlogin AND NOT rolsuper)
       OR NOT has_database_privilege('tsdb_monitor', current_database(), 'CONNECT') THEN
        RAISE EXCEPTION 'role tsdb_monitor is missing or not a plain login role that may connect here';
    END IF;
END
$$;
