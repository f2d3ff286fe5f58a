-- Deploy trafficsafety:ops/monitor_role to pg
-- The role prometheus-postgres-exporter logs in as. Roles are cluster-wide (see core/roles):
-- created when missing, its attributes enforced either way. Like core/roles it may connect to this
-- database, which also marks it as used here so that a revert elsewhere keeps it; its rights on
-- objects are in ops/privileges.
BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tsdb_monitor') THEN
        CREATE ROLE tsdb_monitor;
    END IF;
    -- INHERIT: it reads the statistics views through pg_monitor (ops/privileges) without SET ROLE.
    ALTER ROLE tsdb_monitor NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS LOGIN INHERIT;
    -- A read-only exporter: every transaction it starts is read-only, and no scrape runs long.
    ALTER ROLE tsdb_monitor SET default_transaction_read_only = on;
    ALTER ROLE tsdb_monitor SET statement_timeout = '10s';
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO tsdb_monitor', current_database());
END
$$;
COMMENT ON ROLE tsdb_monitor IS 'prometheus-postgres-exporter: reads the ops schema''s metrics and the statistics views (pg_monitor), nothing else.';

COMMIT;
