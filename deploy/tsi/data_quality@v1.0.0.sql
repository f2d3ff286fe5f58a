-- Deploy trafficsafety:tsi/data_quality to pg
-- Data-quality checks logged to tsi.data_quality_log, and the engine's health at a glance.
-- "Silent" and "stale" are measured against the newest data, not the server clock (trap 10).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE VIEW tsi.default_partition_rows AS
SELECT p.parent, d.oid::regclass AS default_partition,
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', d.oid::regclass), false, true, '')))[1]::text::bigint AS row_count
FROM tsi.partition_policy AS p
JOIN pg_inherits AS h ON h.inhparent = p.parent
JOIN pg_class AS d ON d.oid = h.inhrelid
JOIN pg_partitioned_table AS pt ON pt.partrelid = p.parent AND pt.partdefid = d.oid;
COMMENT ON VIEW tsi.default_partition_rows IS 'Rows in the DEFAULT partition of each daily-partitioned table: always 0 unless a partition was missing (a bug).';

CREATE PROCEDURE tsi.check_data_quality(at timestamptz, INOUT logged integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    c formula_config := formula_at(at);
    hour_start timestamptz := date_trunc('hour', at) - interval '1 hour';
    newest timestamptz := (SELECT max(minute) FROM features_minute);
    n integer;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    logged := 0;

    -- Intersections that fell silent while others kept sending (once per hour of silence).
    INSERT INTO data_quality_log (timestamp, intersection_id, issue_type, severity, message, metadata, data_time)
    SELECT at, i.id, 'silent_intersection', 'warning',
           format('no data from intersection %s since %s (the network''s newest data is %s)', i.id, l.last_minute, newest),
           jsonb_build_object('last_minute', l.last_minute, 'network_newest', newest), date_trunc('hour', newest)
    FROM intersections AS i
    CROSS JOIN LATERAL (SELECT max(f.minute) AS last_minute FROM features_minute AS f WHERE f.intersection_id = i.id) AS l
    WHERE l.last_minute < newest - make_interval(mins => c.silence_threshold_minutes)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    -- Minutes of the last complete hour with fewer messages than the configured minimum.
    INSERT INTO data_quality_log (timestamp, intersection_id, issue_type, severity, message, metadata, data_time)
    SELECT at, f.intersection_id, 'sparse_minutes', 'info',
           format('%s minutes of the hour from %s had fewer than %s messages', count(*), hour_start, c.min_messages_per_minute),
           jsonb_build_object('minutes', count(*), 'min_messages_per_minute', c.min_messages_per_minute), hour_start
    FROM features_minute AS f
    WHERE f.minute >= hour_start AND f.minute < hour_start + interval '1 hour'
      AND f.bsm_count + f.psm_count < c.min_messages_per_minute
    GROUP BY f.intersection_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'quarantined_messages', 'warning',
           format('%s messages quarantined in the hour from %s', sum(q.n), hour_start),
           jsonb_object_agg(q.reason, q.n), hour_start
    FROM (SELECT reason, count(*) AS n FROM quarantine
          WHERE quarantined_at >= hour_start AND quarantined_at < hour_start + interval '1 hour'
          GROUP BY reason) AS q
    HAVING count(*) > 0
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'unassigned_messages', 'info',
           format('%s messages landed in the hour from %s were near no intersection', sum(unassigned), hour_start),
           jsonb_build_object('unassigned', sum(unassigned), 'landed', sum(landed)), hour_start
    FROM landed_batches
    WHERE landed_at >= hour_start AND landed_at < hour_start + interval '1 hour'
    HAVING sum(unassigned) > 0
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    -- Constants older than two days of data, or still bootstrapped after a day of data.
    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'stale_constants', 'warning',
           format('normalisation constants %s (valid from %s, bootstrap %s) are stale: newest data %s', k.id, k.valid_from, k.is_bootstrap, newest),
           jsonb_build_object('constants_id', k.id), date_trunc('hour', newest)
    FROM normalization_constants AS k
    WHERE k.valid_until IS NULL
      AND (k.valid_from < newest - interval '2 days' OR (k.is_bootstrap AND k.computed_at < at - interval '1 day'))
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'default_partition_rows', 'error',
           format('%s rows in %s: a daily partition was missing', d.row_count, d.default_partition),
           jsonb_build_object('table', d.parent::text, 'rows', d.row_count), date_trunc('hour', at)
    FROM default_partition_rows AS d
    WHERE d.row_count > 0
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;
END
$$;
COMMENT ON PROCEDURE tsi.check_data_quality(timestamptz, integer) IS
    'Logs data-quality events at `at`: silent intersections, sparse minutes and quarantined and unassigned messages of the last complete hour, stale constants, rows in default partitions. Each finding is logged once (per hour of data). The pg_cron job tsi-data-quality calls it every 5 minutes.';

CREATE PROCEDURE tsi.refresh_constants(at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Daily, and every hour while the current constants are a bootstrap.
    IF NOT EXISTS (SELECT FROM normalization_constants
                   WHERE valid_until IS NULL AND NOT is_bootstrap AND valid_from > at - interval '1 day')
       AND NOT EXISTS (SELECT FROM normalization_constants WHERE valid_from >= at) THEN
        PERFORM recompute_constants(at);
        PERFORM recompute_baselines(at);
    END IF;
END
$$;
COMMENT ON PROCEDURE tsi.refresh_constants(timestamptz) IS
    'Recomputes normalisation constants and Empirical-Bayes baselines valid from `at` when the current constants are more than a day old or a bootstrap. The pg_cron job tsi-recompute-constants calls it hourly with now().';

CREATE PROCEDURE tsi.prune_job_history(older_than timestamptz, INOUT pruned integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    DELETE FROM cron.job_run_details WHERE end_time < older_than;
    GET DIAGNOSTICS pruned = ROW_COUNT;
END
$$;
COMMENT ON PROCEDURE tsi.prune_job_history(timestamptz, integer) IS
    'Deletes pg_cron run history (cron.job_run_details) of our jobs that ended before older_than; the table grows for ever otherwise.';

CREATE VIEW tsi.health AS
SELECT (SELECT max(minute) FROM tsi.features_minute) AS newest_data,
       (SELECT max(timestamp) FROM tsi.safety_indices_realtime) AS newest_index,
       (SELECT count(*) FROM tsi.pending_minutes) AS pending_minutes,
       (SELECT min(minute) FROM tsi.pending_minutes) AS oldest_pending_minute,
       extract(epoch FROM now() - (SELECT min(marked_at) FROM tsi.pending_minutes)) AS processing_lag_seconds,
       (SELECT watermark FROM tsi.rollup_watermarks WHERE rollup = 'hourly') AS hourly_watermark,
       (SELECT watermark FROM tsi.rollup_watermarks WHERE rollup = 'daily') AS daily_watermark,
       (SELECT coalesce(sum(row_count), 0) FROM tsi.default_partition_rows) AS default_partition_rows,
       (SELECT count(*) FROM cron.job_run_details
        WHERE status = 'failed' AND start_time > now() - interval '1 day') AS failed_job_runs_24h,
       (SELECT jsonb_agg(jsonb_build_object('intersection_id', i.id, 'name', i.name,
                                            'last_data', l.last_minute) ORDER BY i.id)
        FROM tsi.intersections AS i
        CROSS JOIN LATERAL (SELECT max(f.minute) AS last_minute FROM tsi.features_minute AS f
                            WHERE f.intersection_id = i.id) AS l) AS intersections;
COMMENT ON VIEW tsi.health IS
    'Engine health: newest data and index, pending minutes and processing lag (seconds the oldest pending minute has waited), rollup watermarks, rows in default partitions (must be 0), failed pg_cron runs of the last day, last data per intersection.';

COMMIT;
