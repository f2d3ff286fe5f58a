-- Deploy trafficsafety:ops/engine_metrics to pg
-- The safety-index engine's health as metrics (design document §9.1), one cheap query each for
-- prometheus-postgres-exporter (db/monitoring/queries.yaml). Times are Unix seconds so that
-- Prometheus computes ages with time() and an alert keeps firing while nothing is scraped anew.
-- SECURITY DEFINER: the exporter's role reads no tsi table itself, and pg_cron shows each role
-- only its own jobs' runs (row-level security): as the jobs' owner, these functions see them.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION ops.engine_status()
RETURNS TABLE (
    pending_minutes bigint, processing_lag_seconds double precision,
    newest_data_seconds double precision, newest_index_seconds double precision,
    hourly_watermark_seconds double precision, daily_watermark_seconds double precision,
    dirty_hours bigint, dirty_days bigint
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (SELECT count(*) FROM tsi.pending_minutes),
           coalesce(extract(epoch FROM now() - (SELECT min(marked_at) FROM tsi.pending_minutes)), 0)::float8,
           extract(epoch FROM (SELECT max(minute) FROM tsi.features_minute))::float8,
           extract(epoch FROM (SELECT max(timestamp) FROM tsi.safety_indices_realtime))::float8,
           -- -infinity (nothing rolled up yet) is no time: NULL, which the exporter gives as NaN
           (SELECT extract(epoch FROM watermark) FROM tsi.rollup_watermarks WHERE rollup = 'hourly' AND isfinite(watermark))::float8,
           (SELECT extract(epoch FROM watermark) FROM tsi.rollup_watermarks WHERE rollup = 'daily' AND isfinite(watermark))::float8,
           (SELECT count(*) FROM tsi.dirty_hours),
           (SELECT count(*) FROM tsi.dirty_days)
$$;
COMMENT ON FUNCTION ops.engine_status() IS
    'One row: pending_minutes, processing_lag_seconds (how long the oldest pending minute has waited, 0 when none), the newest minute with '
    'features and with an index, the hourly and daily rollup watermarks (Unix seconds, NULL before the first rollup), hours and days waiting '
    'for a recompute behind the watermarks.';

CREATE FUNCTION ops.landing_status()
RETURNS TABLE (
    batches_5m bigint, received_5m bigint, landed_5m bigint, duplicates_5m bigint, quarantined_5m bigint,
    unassigned_5m bigint, last_landed_seconds double precision
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*), coalesce(sum(received), 0), coalesce(sum(landed), 0), coalesce(sum(duplicates), 0),
           coalesce(sum(quarantined), 0), coalesce(sum(unassigned), 0),
           extract(epoch FROM (SELECT max(landed_at) FROM tsi.landed_batches))::float8
    FROM tsi.landed_batches
    WHERE landed_at > now() - interval '5 minutes'
$$;
COMMENT ON FUNCTION ops.landing_status() IS
    'The database''s side of landing: batches and their message counts (received, landed, duplicates, quarantined, unassigned) of the '
    'last 5 minutes, and when the newest batch landed (Unix seconds).';

CREATE FUNCTION ops.quarantine_by_reason()
RETURNS TABLE (reason text, messages bigint, messages_1h bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT q.reason, count(*), count(*) FILTER (WHERE q.quarantined_at > now() - interval '1 hour')
    FROM tsi.quarantine AS q
    GROUP BY q.reason
$$;
COMMENT ON FUNCTION ops.quarantine_by_reason() IS
    'Quarantined messages by reason (tsi.quarantine.reason): all kept, and of the last hour.';

CREATE FUNCTION ops.cron_jobs()
RETURNS TABLE (
    jobname text, active integer, runs_24h bigint, failures_1h bigint, failures_24h bigint, last_failed integer,
    last_duration_seconds double precision, max_duration_24h_seconds double precision,
    last_start_seconds double precision, last_success_seconds double precision
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT j.jobname::text, j.active::integer,
           count(d.runid) FILTER (WHERE d.start_time > now() - interval '1 day'),
           count(d.runid) FILTER (WHERE d.status = 'failed' AND d.start_time > now() - interval '1 hour'),
           count(d.runid) FILTER (WHERE d.status = 'failed' AND d.start_time > now() - interval '1 day'),
           coalesce((SELECT (l.status = 'failed')::integer FROM cron.job_run_details AS l
                     WHERE l.jobid = j.jobid AND l.status IN ('succeeded', 'failed')
                     ORDER BY l.start_time DESC LIMIT 1), 0),
           (SELECT extract(epoch FROM l.end_time - l.start_time) FROM cron.job_run_details AS l
            WHERE l.jobid = j.jobid AND l.status IN ('succeeded', 'failed')
            ORDER BY l.start_time DESC LIMIT 1)::float8,
           max(extract(epoch FROM d.end_time - d.start_time)) FILTER (WHERE d.start_time > now() - interval '1 day')::float8,
           extract(epoch FROM max(d.start_time))::float8,
           extract(epoch FROM max(d.end_time) FILTER (WHERE d.status = 'succeeded'))::float8
    FROM cron.job AS j
    LEFT JOIN cron.job_run_details AS d ON d.jobid = j.jobid AND d.start_time > now() - interval '7 days'
    WHERE j.database = current_database()
    GROUP BY j.jobid, j.jobname, j.active
$$;
COMMENT ON FUNCTION ops.cron_jobs() IS
    'Each pg_cron job of this database: active, runs of the last 24 h, failed runs of the last hour and 24 h, whether its last finished run '
    'failed, the duration of that run and the longest of 24 h (seconds), when it last started and last succeeded (Unix seconds).';

CREATE FUNCTION ops.partitions()
RETURNS TABLE (parent text, default_rows bigint, partitions bigint, days_ahead integer)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.parent::text,
           coalesce((SELECT d.row_count FROM tsi.default_partition_rows AS d WHERE d.parent = p.parent), 0),
           (SELECT count(*) FROM tsi.daily_partitions AS dp WHERE dp.parent = p.parent),
           -- days after today (UTC) that already have their partition; -1 when not even today's
           coalesce((SELECT max(dp.day) FROM tsi.daily_partitions AS dp WHERE dp.parent = p.parent)
                    - (now() AT TIME ZONE 'UTC')::date, -1)
    FROM tsi.partition_policy AS p
$$;
COMMENT ON FUNCTION ops.partitions() IS
    'Each daily-partitioned table: rows in its DEFAULT partition (must be 0), its daily partitions, and how many days after today (UTC) '
    'are made ahead (tsi-maintenance keeps premake_days, at least 7).';

COMMIT;
