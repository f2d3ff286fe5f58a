-- Revert trafficsafety:tsi/data_quality from pg
-- Back to release 1.0 (tsi/data_quality@v1.0.0): tsi.check_data_quality and tsi.refresh_constants as released.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE PROCEDURE tsi.check_data_quality(at timestamptz, INOUT logged integer DEFAULT NULL)
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

CREATE OR REPLACE PROCEDURE tsi.refresh_constants(at timestamptz)
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

COMMIT;
