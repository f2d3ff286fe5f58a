-- Deploy trafficsafety:tsi/maintenance to pg
-- Partitions ahead of time and retention (reference §4): whole daily partitions are dropped
-- only when they are old enough *and* what needs them is done (rolled up, processed).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE VIEW tsi.daily_partitions AS
SELECT p.parent, c.oid::regclass AS partition,
       to_date(right(c.relname, 8), 'YYYYMMDD') AS day,
       p.keep, p.drop_rule
FROM tsi.partition_policy AS p
JOIN pg_inherits AS h ON h.inhparent = p.parent
JOIN pg_class AS c ON c.oid = h.inhrelid
WHERE c.relname ~ '_\d{8}$';
COMMENT ON VIEW tsi.daily_partitions IS 'Every daily partition of the tables in tsi.partition_policy, with its UTC day and retention rule.';

CREATE FUNCTION tsi.partition_droppable(parent regclass, day date, keep interval, drop_rule text, at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT (day + 1)::timestamp AT TIME ZONE 'UTC' <= at - keep
       AND CASE drop_rule
           WHEN 'age' THEN true
           -- every hour of the day rolled up, none waiting for a recompute
           WHEN 'rolled_up' THEN
                (day + 1)::timestamp AT TIME ZONE 'UTC' <= (SELECT watermark FROM tsi.rollup_watermarks WHERE rollup = 'hourly')
                AND NOT EXISTS (SELECT FROM tsi.dirty_hours
                                WHERE hour_timestamp >= day::timestamp AT TIME ZONE 'UTC'
                                  AND hour_timestamp < (day + 1)::timestamp AT TIME ZONE 'UTC')
           -- no minute of the day (or the first hour after it, which pairs and windows reach back into) pending
           WHEN 'processed' THEN
                NOT EXISTS (SELECT FROM tsi.pending_minutes
                            WHERE minute >= day::timestamp AT TIME ZONE 'UTC'
                              AND minute < (day + 1)::timestamp AT TIME ZONE 'UTC' + interval '1 hour')
       END
$$;
COMMENT ON FUNCTION tsi.partition_droppable(regclass, date, interval, text, timestamptz) IS
    'Whether a daily partition may be dropped at `at`: its day ended more than `keep` ago and its drop rule holds (rolled_up: the hourly rollup covers the day and no hour of it is dirty; processed: no pending minute in it; age: nothing more).';

CREATE PROCEDURE tsi.maintain_partitions(at timestamptz, INOUT created integer DEFAULT NULL, INOUT dropped integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    p record;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    created := 0;
    dropped := 0;
    FOR p IN SELECT * FROM partition_policy LOOP
        created := created + create_daily_partitions(p.parent, (at AT TIME ZONE 'UTC')::date,
                                                     (at AT TIME ZONE 'UTC')::date + p.premake_days);
    END LOOP;
    FOR p IN
        SELECT * FROM daily_partitions AS d
        WHERE partition_droppable(d.parent, d.day, d.keep, d.drop_rule, at)
        ORDER BY d.parent::text, d.day
    LOOP
        EXECUTE format('DROP TABLE %s', p.partition);
        dropped := dropped + 1;
    END LOOP;

    -- Hourly rows are kept 90 days, daily rows for ever (reference §4).
    DELETE FROM safety_indices_hourly WHERE hour_timestamp < at - interval '90 days';
    DELETE FROM landed_batches WHERE landed_at < at - interval '30 days';
END
$$;
COMMENT ON PROCEDURE tsi.maintain_partitions(timestamptz, integer, integer) IS
    'Creates the daily partitions of every table in tsi.partition_policy up to premake_days after `at`, drops the partitions whose retention has passed and whose drop rule holds, deletes hourly rows older than 90 days. The pg_cron job tsi-maintenance calls it hourly with now().';

COMMIT;
