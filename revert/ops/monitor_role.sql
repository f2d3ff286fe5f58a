-- Revert trafficsafety:ops/monitor_role from pg
-- Dropped only when no other database of the cluster still uses it (holds a grant for it).
BEGIN;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'tsdb_monitor') THEN
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM tsdb_monitor', current_database());
        BEGIN
            DROP ROLE tsdb_monitor;
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role tsdb_monitor kept: another database of this cluster uses it';
        END;
    END IF;
END
$$;

COMMIT;
