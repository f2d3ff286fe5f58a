-- Deploy trafficsafety:tsi/partitioning to pg
-- Daily range partitions (UTC days) for the time-series tables, made from one registry so
-- that maintenance, retention and the health check treat every such table alike.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.partition_policy (
    parent        regclass PRIMARY KEY,
    keep          interval NOT NULL CHECK (keep > interval '0'),
    premake_days  integer NOT NULL DEFAULT 7 CHECK (premake_days >= 7),
    drop_rule     text NOT NULL CHECK (drop_rule IN ('rolled_up', 'processed', 'age'))
);
COMMENT ON TABLE tsi.partition_policy IS
    'Daily-partitioned tables: how long whole partitions are kept and what must be true before one is dropped (rolled_up: every hour rolled up; processed: no pending minute; age: age only).';
COMMENT ON COLUMN tsi.partition_policy.keep IS 'A partition is dropped once its whole day is older than this (and its drop_rule holds).';
COMMENT ON COLUMN tsi.partition_policy.premake_days IS 'Partitions exist at least this many days ahead (at least 7).';

CREATE FUNCTION tsi.partition_name(parent regclass, day date)
RETURNS text
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT (SELECT relname FROM pg_class WHERE oid = parent) || '_' || to_char(day, 'YYYYMMDD')
$$;
COMMENT ON FUNCTION tsi.partition_name(regclass, date) IS 'Name of the daily partition of a table: <table>_YYYYMMDD.';

CREATE FUNCTION tsi.create_daily_partitions(parent regclass, first_day date, last_day date)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    schema_name text := (SELECT nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid WHERE c.oid = parent);
    day date;
    created integer := 0;
BEGIN
    FOR day IN SELECT generate_series(first_day, last_day, interval '1 day')::date LOOP
        CONTINUE WHEN to_regclass(format('%I.%I', schema_name, tsi.partition_name(parent, day))) IS NOT NULL;
        BEGIN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           schema_name, tsi.partition_name(parent, day), parent,
                           day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
            created := created + 1;
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;  -- a concurrent transaction (another batch landing the same new day) made it first
        END;
    END LOOP;
    RETURN created;
END
$$;
COMMENT ON FUNCTION tsi.create_daily_partitions(regclass, date, date) IS
    'Creates the missing daily partitions (UTC days) of a table from first_day to last_day; returns how many were created.';

COMMIT;
